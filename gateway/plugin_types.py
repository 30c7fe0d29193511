"""The small vocabulary shared by the core and plugins."""

from __future__ import annotations

import dataclasses

import pluggy

PROJECT = "pairgate"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@dataclasses.dataclass(frozen=True)
class DeviceTypeSpec:
    """A kind of device that can be paired. ``key`` becomes a ``DeviceType`` enum value."""

    key: str
    label: str
    supports_pin_login: bool
    description: str = ""


@dataclasses.dataclass(frozen=True)
class OverrideActionSpec:
    """A restricted action a manager approves with their PIN. ``key`` becomes an ``OverrideAction``
    enum value; the PIN must be that of a user whose role is in ``approver_roles``."""

    key: str
    label: str
    approver_roles: tuple[str, ...] = ("ADMIN", "MANAGER")


@dataclasses.dataclass(frozen=True)
class PinRules:
    """How a PIN looks in an organisation: ``length`` digits, nothing else."""

    length: int = 5


class PluginError(Exception):
    """A plugin cannot be used (import error, bad hookimpl, bad answer); the message names it.

    Raised at start-up, which then stops: a broken plugin is never skipped silently.
    """
