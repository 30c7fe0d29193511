"""What services need from the running gateway: settings, the plugins' answers, and where
live events go."""

from __future__ import annotations

import dataclasses
import re
from typing import Callable, TypeVar

import pluggy

from gateway.models import Role
from gateway.plugin_types import DeviceTypeSpec, OverrideActionSpec, PluginError
from gateway.services.live import NOWHERE, Publisher
from gateway.settings import Settings

_ENUM_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
ROLES = tuple(role.value for role in Role)

Spec = TypeVar("Spec", DeviceTypeSpec, OverrideActionSpec)


@dataclasses.dataclass(frozen=True)
class Runtime:
    settings: Settings
    plugins: pluggy.PluginManager
    device_types: dict[str, DeviceTypeSpec]
    override_actions: dict[str, OverrideActionSpec]
    bus: Publisher = NOWHERE  # the running app's event bus (gateway/events/); nowhere for a CLI command

    @classmethod
    def build(cls, settings: Settings, plugins: pluggy.PluginManager, bus: Publisher = NOWHERE) -> "Runtime":
        return cls(settings=settings, plugins=plugins, device_types=collect_device_types(plugins),
                   override_actions=collect_override_actions(plugins), bus=bus)


def collect_device_types(plugins: pluggy.PluginManager) -> dict[str, DeviceTypeSpec]:
    """Every registered device type by key; a bad or clashing key names its plugin."""
    return _collect(plugins, "register_device_types", DeviceTypeSpec, "device type")


def collect_override_actions(plugins: pluggy.PluginManager) -> dict[str, OverrideActionSpec]:
    """Every registered override action by key, its approver roles checked; a bad or clashing
    key, or a role that does not exist, names its plugin."""
    return _collect(plugins, "register_override_actions", OverrideActionSpec, "override action",
                    check=_approver_roles)


def _approver_roles(spec: OverrideActionSpec) -> OverrideActionSpec:
    roles = spec.approver_roles
    # A single string would pass as a sequence of letters: "ADMIN" is not ("ADMIN",).
    if isinstance(roles, str) or not roles:
        raise ValueError(f"override action {spec.key!r}: approver_roles must be a non-empty tuple of roles "
                         f"({', '.join(ROLES)}), got {roles!r}")
    unknown = [role for role in roles if role not in ROLES]
    if unknown:
        raise ValueError(f"override action {spec.key!r}: {unknown[0]!r} is not a role ({', '.join(ROLES)})")
    # Stored as plain strings in a tuple, whatever the plugin passed (a list, Role members).
    return dataclasses.replace(spec, approver_roles=tuple(dict.fromkeys(Role(role).value for role in roles)))


def _collect(plugins: pluggy.PluginManager, hook: str, spec_type: type[Spec], what: str,
             check: Callable[[Spec], Spec] = lambda spec: spec) -> dict[str, Spec]:
    """What every implementation of ``hook`` registered, by key, in the order plugins were loaded.
    Keys become GraphQL enum values, so each must be an enum name and nobody else's."""
    found: dict[str, Spec] = {}
    owner: dict[str, str] = {}
    for impl in getattr(plugins.hook, hook).get_hookimpls():
        name = impl.plugin_name
        try:
            answered = list(impl.function() or ())
        except Exception as exc:
            raise PluginError(f"plugin {name!r}: {hook} failed: {exc!r}") from exc
        for spec in answered:
            if not isinstance(spec, spec_type):
                raise PluginError(f"plugin {name!r}: {hook} must return {spec_type.__name__}, got {spec!r}")
            if not isinstance(spec.key, str) or not _ENUM_NAME.match(spec.key):
                raise PluginError(
                    f"plugin {name!r}: {what} key {spec.key!r} is not a valid GraphQL enum name "
                    "(upper-case letters, digits and _ , starting with a letter)"
                )
            if spec.key in found:
                raise PluginError(f"plugin {name!r}: {what} key {spec.key!r} is already registered by {owner[spec.key]!r}")
            try:
                spec = check(spec)
            except ValueError as exc:
                raise PluginError(f"plugin {name!r}: {exc}") from exc
            found[spec.key], owner[spec.key] = spec, name
    return found
