"""What services need from the running gateway: settings and the plugins' answers."""

from __future__ import annotations

import dataclasses
import re

import pluggy

from gateway.plugin_types import DeviceTypeSpec, PluginError
from gateway.settings import Settings

_ENUM_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


@dataclasses.dataclass(frozen=True)
class Runtime:
    settings: Settings
    plugins: pluggy.PluginManager
    device_types: dict[str, DeviceTypeSpec]

    @classmethod
    def build(cls, settings: Settings, plugins: pluggy.PluginManager) -> "Runtime":
        return cls(settings=settings, plugins=plugins, device_types=collect_device_types(plugins))


def collect_device_types(plugins: pluggy.PluginManager) -> dict[str, DeviceTypeSpec]:
    """Every registered device type by key; a bad or clashing key names its plugin."""
    found: dict[str, DeviceTypeSpec] = {}
    owner: dict[str, str] = {}
    for impl in plugins.hook.register_device_types.get_hookimpls():
        name = impl.plugin_name
        try:
            answered = list(impl.function() or ())
        except Exception as exc:
            raise PluginError(f"plugin {name!r}: register_device_types failed: {exc!r}") from exc
        for spec in answered:
            if not isinstance(spec, DeviceTypeSpec):
                raise PluginError(f"plugin {name!r}: register_device_types must return DeviceTypeSpec, got {spec!r}")
            if not _ENUM_NAME.match(spec.key):
                raise PluginError(
                    f"plugin {name!r}: device type key {spec.key!r} is not a valid GraphQL enum name "
                    "(upper-case letters, digits and _ , starting with a letter)"
                )
            if spec.key in found:
                raise PluginError(
                    f"plugin {name!r}: device type key {spec.key!r} is already registered by {owner[spec.key]!r}"
                )
            found[spec.key], owner[spec.key] = spec, name
    return found
