"""pairgate: a GraphQL gateway for shared point-of-sale devices.

Everything a plugin needs is importable from here:

    from gateway import hookimpl, DeviceTypeSpec, PinRules, OverrideActionSpec
"""

from gateway.plugin_types import DeviceTypeSpec, OverrideActionSpec, PinRules, PluginError, hookimpl, hookspec

__all__ = ["hookimpl", "hookspec", "DeviceTypeSpec", "PinRules", "OverrideActionSpec", "PluginError"]
