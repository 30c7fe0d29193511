"""pairgate: a GraphQL gateway for shared point-of-sale devices.

Everything a plugin needs is importable from here:

    from gateway import hookimpl, DeviceTypeSpec, PinRules
"""

from gateway.plugin_types import DeviceTypeSpec, PinRules, PluginError, hookimpl, hookspec

__all__ = ["hookimpl", "hookspec", "DeviceTypeSpec", "PinRules", "PluginError"]
