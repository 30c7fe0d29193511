"""Built-in behaviour, written as ordinary hookimpls (as a third-party plugin would)."""

from gateway.defaults import codes, device_types, override_actions, pins

DEFAULT_PLUGINS = (device_types, override_actions, codes, pins)
