"""Devices: paired by a code or approved by an admin; listed, renamed, revoked, deleted, logged
out; seen online."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from enum import Enum

from tortoise.expressions import F, Q

from gateway.models import Device, DeviceState, Organisation, Role, User
from gateway.services import audit, live, sessions, throttle
from gateway.services.actor import Actor
from gateway.services.clock import TOUCH_INTERVAL, utcnow
from gateway.services.errors import ErrorCode, refuse
from gateway.services.pagination import Page, one, page
from gateway.services.runtime import Runtime
from gateway.services.tokens import hash_token, new_token

# Devices that were never approved hold a token but are not part of the list.
LISTED = (DeviceState.APPROVED, DeviceState.REVOKED)
NAME_MAX = 200
# A device first seen at a password login is assumed to be a register.
DEFAULT_TYPE = "POS"
# A device is online when it was seen this recently (see ``online_since``).
ONLINE_FOR = timedelta(minutes=2)


class Prompt(str, Enum):
    NOT_NEEDED = "NOT_NEEDED"
    PROMPT = "PROMPT"
    SUPPRESSED = "SUPPRESSED"


def _listed(actor: Actor):
    return Device.filter(organisation_id=actor.organisation_id, state__in=LISTED)


async def by_token(token: str | None) -> Device | None:
    """The device holding ``token``, with its organisation."""
    if not token:
        return None
    return await Device.filter(token_hash=hash_token(token)).select_related("organisation").first()


async def lock_by_token(token: str | None) -> Device | None:
    """``by_token``, the device's row locked against other writers until the caller's
    transaction ends. Not its organisation's row: an organisation's settings may change
    meanwhile, and a ``FOR NO KEY UPDATE`` lock still lets others insert rows that refer
    to the device (a password login's session on it) without waiting."""
    if not token:
        return None
    return await (Device.filter(token_hash=hash_token(token)).select_related("organisation")
                  .select_for_update(of=("device",), no_key=True).first())


# A device's PIN attempts are counted on its own row: a PIN login holds that row anyway.

def pin_count(device: Device) -> throttle.Count:
    return throttle.Count(device.pin_failures, device.pin_window_start, device.pin_locked_until)


async def pin_failed(device: Device, now) -> throttle.Count:
    """Count a wrong PIN on a held device; the count as it now stands."""
    count = pin_count(device)
    count.add_failure(throttle.PIN_DEVICE, now)
    device.pin_failures, device.pin_window_start, device.pin_locked_until = (
        count.failures, count.window_start, count.locked_until)
    await device.save(update_fields=["pin_failures", "pin_window_start", "pin_locked_until"])
    return count


async def pin_succeeded(device: Device, now) -> None:
    """A right PIN on a held device forgives its wrong ones, and the device was used."""
    if device.pin_failures or device.pin_locked_until or touch_due(device, now):
        device.pin_failures, device.pin_locked_until, device.last_seen_at = 0, None, now
        await device.save(update_fields=["pin_failures", "pin_locked_until", "last_seen_at"])


async def get(actor: Actor, device_id: int | None) -> Device:
    actor.require_admin()
    return await find(actor, device_id)


async def find(actor: Actor, device_id: int | None) -> Device:
    """A listed device of the actor's organisation, whoever asks (what they may read of it is the caller's rule)."""
    return await one(_listed(actor), device_id, "device")


async def list_page(actor: Actor, state: DeviceState | None, first: int | None, after_id: int | None,
                    online: bool | None = None) -> Page:
    """The organisation's listed devices (ADMIN, MANAGER), oldest first; of one status, online or
    offline when asked. The online filter is a plain condition on ``last_seen_at``: the page still
    walks the (organisation, id) index, skipping the devices that do not match."""
    actor.require_admin()
    queryset = _listed(actor)
    if state is not None:
        queryset = queryset.filter(state=state)
    if online is not None:
        since = online_since(utcnow())
        seen_since_closing = Q(offline_at=None) | Q(offline_at__lt=F("last_seen_at"))
        queryset = queryset.filter(seen_since_closing, last_seen_at__gt=since) if online else queryset.filter(
            Q(last_seen_at=None) | Q(last_seen_at__lte=since) | Q(offline_at__gte=F("last_seen_at")))
    return await page(queryset, first, after_id)


def touch_due(device: Device, now) -> bool:
    """Whether to record that the device was used: to the minute, so a request is not always a
    write; at once when it is offline since its live connection closed."""
    return (device.last_seen_at is None or now - device.last_seen_at >= TOUCH_INTERVAL
            or _closed_since_seen(device))


def _closed_since_seen(device: Device) -> bool:
    return device.offline_at is not None and (device.last_seen_at is None or device.offline_at >= device.last_seen_at)


async def seen(device: Device, app_version: str | None = None, now_at_least: bool = False) -> None:
    """Record a request of the device: when (to the minute: ``touch_due``) and, when it sent one
    that differs from the one stored, its app version. A request without a version leaves the
    stored one alone: it says nothing about what the app runs. Most requests write nothing.
    A listed device that was offline is now online: its list hears ONLINE. ``now_at_least``
    writes the time whenever it last wrote it."""
    now = utcnow()
    was_online = is_online(device)
    changes = {}
    if now_at_least or touch_due(device, now):
        changes["last_seen_at"] = now
    if app_version is not None and app_version != device.app_version:
        changes["app_version"] = app_version
    if changes:
        device.update_from_dict(changes)
        await Device.filter(id=device.id).update(**changes)
    if not was_online and device.state in LISTED:
        await live.emit(live.ONLINE, device.organisation_id, device_id=device.id)


async def connected(device: Device) -> None:
    """The device holds a live connection (``thisDeviceEvents``): seen now, whatever it last wrote
    (but once a second at most: a client opening and closing in a loop is not a write each time),
    so that the end of an earlier connection, in any process, does not count it offline
    (``disconnected``)."""
    recently = device.last_seen_at is not None and utcnow() - device.last_seen_at < timedelta(seconds=1)
    await seen(device, now_at_least=not recently)


# How long a device whose live connection closed has to come back before it counts as offline:
# a register's network drops for a moment, and a reconnect is not worth an OFFLINE and an ONLINE.
OFFLINE_GRACE_SECONDS = 10.0


async def disconnected(device_id: int, closed_at: datetime) -> None:
    """The device's live connection closed at ``closed_at`` and the grace has passed: unless it was
    seen since (a request, a new connection in any process), it is offline from now, and its list
    hears OFFLINE. One conditional write decides, so a request arriving at the same time wins."""
    device = await Device.get_or_none(id=device_id)
    if device is None or device.state not in LISTED:
        return
    gone = await Device.filter(Q(last_seen_at=None) | Q(last_seen_at__lte=closed_at), id=device_id).update(
        offline_at=utcnow())
    if gone:
        await live.emit(live.OFFLINE, device.organisation_id, device_id=device_id)


async def reload(device_id: int) -> Device | None:
    """The device as it is now, with its organisation; None once deleted."""
    return await Device.filter(id=device_id).select_related("organisation").first()


async def touch(device: Device) -> None:
    await seen(device)


def online_since(now: datetime) -> datetime:
    """A device whose written ``last_seen_at`` is later than this was seen in the last ``ONLINE_FOR``.

    The arithmetic: ``last_seen_at`` is written only once ``TOUCH_INTERVAL`` (a minute) has passed
    since the value written before, so it lags the device's real last request by less than that
    interval. A device whose last request was within the last 2 minutes therefore has a written
    time within the last 2 minutes + 1 minute, and counting that whole span is the only way never
    to show a working register as offline. The price is the other way round: a device that stops
    shows offline between 2 and 3 minutes after its last request, never later.

    A live connection (``thisDeviceEvents``) keeps a device online by the same rule: while one
    lasts, it records a visit (``seen``) every ``TOUCH_INTERVAL``, so this stays the one definition,
    and ``devices(online:)`` stays a plain filter on columns. When one closes, the device counts as
    offline at once after a short grace (``disconnected``), not minutes later.
    """
    return now - ONLINE_FOR - TOUCH_INTERVAL


def is_online(device: Device) -> bool:
    """Seen in the last 2 minutes (``online_since``), and not since gone offline: its live
    connection closed and it was not seen after (``disconnected``)."""
    return (device.last_seen_at is not None and device.last_seen_at > online_since(utcnow())
            and not _closed_since_seen(device))


async def device_for_login(device: Device | None, user: User) -> tuple[Device, str | None]:
    """The device of a password login, and a new token when it had none (or one of another organisation)."""
    if device is not None and device.organisation_id == user.organisation_id:
        return device, None
    token = new_token()
    device = await Device.create(organisation_id=user.organisation_id, device_type=DEFAULT_TYPE,
                                 token_hash=hash_token(token), last_seen_at=utcnow())
    return device, token


def approval_prompt(device: Device, user: User, organisation: Organisation) -> Prompt:
    """After a password login: should an ADMIN or MANAGER be asked to approve this device?"""
    if user.role == Role.STAFF or not organisation.pin_login_enabled or device.state == DeviceState.APPROVED:
        return Prompt.NOT_NEEDED
    return Prompt.SUPPRESSED if device.approval_suppressed else Prompt.PROMPT


def _this_device(actor: Actor) -> Device:
    """The device of the request, which must belong to the viewer's organisation."""
    actor.require_admin()
    device = actor.device
    if device is None or device.organisation_id != actor.organisation_id:
        raise refuse(ErrorCode.NOT_FOUND, "This request carries no known device (X-Device-Token).")
    return device


def _clean_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        raise refuse(ErrorCode.REQUIRED, "Give the device a name.", "name")
    if len(name) > NAME_MAX:
        raise refuse(ErrorCode.INVALID, f"Use at most {NAME_MAX} characters.", "name")
    return name


async def approve_this(actor: Actor, name: str | None) -> Device:
    """Approve the device of the request for PIN login (pending, declined or revoked alike)."""
    device = _this_device(actor)
    device.name = _clean_name(name)
    device.state, device.approved_at, device.approved_by = DeviceState.APPROVED, utcnow(), actor.user
    async with audit.unit_of_work():
        await device.save(update_fields=["name", "state", "approved_at", "approved_by_id"])
        await audit.record("device.approved", organisation_id=actor.organisation_id, actor=actor, device_id=device.id)
        await live.emit(live.APPROVED, actor.organisation_id, device_id=device.id)
    return device


async def decline_approval(actor: Actor, dont_ask_again: bool) -> Device:
    device = _this_device(actor)
    if dont_ask_again and not device.approval_suppressed:
        device.approval_suppressed = True
        await device.save(update_fields=["approval_suppressed"])
    return device


async def rename(actor: Actor, device_id: int | None, name: str | None) -> Device:
    device = await get(actor, device_id)
    device.name = _clean_name(name)
    await device.save(update_fields=["name"])
    await live.emit(live.RENAMED, actor.organisation_id, device_id=device.id)
    return device


async def revoke(actor: Actor, device_id: int | None) -> Device:
    device = await get(actor, device_id)
    if device.state == DeviceState.REVOKED:
        raise refuse(ErrorCode.REVOKED, "This device is revoked already.", "id")
    async with audit.unit_of_work():
        device.state = DeviceState.REVOKED
        await device.save(update_fields=["state"])
        await sessions.end_for_devices([device.id], sessions.EndReason.DEVICE_REVOKED)
        await audit.record("device.revoked", organisation_id=actor.organisation_id, actor=actor, device_id=device.id)
        await live.emit(live.REVOKED, actor.organisation_id, device_id=device.id)
    return device


async def logout(actor: Actor, device_id: int | None) -> Device:
    """End every live session on a device (``DEVICE_LOGGED_OUT``); it stays as it was, approved
    or revoked. The device's row is locked first, as a PIN login locks it before it opens a
    session: a login on it either commits first, and its session ends here, or comes after."""
    device = await get(actor, device_id)
    async with audit.unit_of_work():
        device = await one(_listed(actor).select_for_update(no_key=True), device.id, "device")
        ended = await sessions.end_for_devices([device.id], sessions.EndReason.DEVICE_LOGGED_OUT)
        await audit.record("device.logged_out", organisation_id=actor.organisation_id, actor=actor,
                           device_id=device.id, sessions_ended=ended)
        await live.emit(live.LOGGED_OUT, actor.organisation_id, device_id=device.id)
    return device


async def delete(actor: Actor, device_id: int | None) -> Device:
    device = await get(actor, device_id)
    async with audit.unit_of_work():
        # The device's row first, as a PIN login takes it, then its sessions: all of them, ended ones
        # too, since deleting the device writes each of them (its foreign key sets device_id to
        # null). Taken in id order before that write, as a user's deletion takes the user's, neither
        # deletion can hold a session the other waits for while waiting for one the other holds.
        await Device.filter(id=device.id).select_for_update().first()
        await sessions.lock_all_on(device.id)
        await sessions.end_for_devices([device.id], sessions.EndReason.DEVICE_DELETED)
        # The event names the device after it is gone, like its earlier events (no constraint).
        await audit.record("device.deleted", organisation_id=actor.organisation_id, actor=actor,
                           device_id=device.id, deleted_device_id=device.id, name=device.name)
        await live.emit(live.DELETED, actor.organisation_id, device_id=device.id)
        await device.delete()
    return device


@dataclasses.dataclass
class ThisDevice:
    known: bool
    approved: bool
    pin_login_available: bool
    name: str | None
    organisation_name: str | None


async def describe(runtime: Runtime, device: Device | None) -> ThisDevice:
    """What a login screen needs to choose between the PIN pad and the password form."""
    if device is None:
        return ThisDevice(False, False, False, None, None)
    organisation = device.organisation
    approved = device.state == DeviceState.APPROVED
    spec = runtime.device_types.get(device.device_type)
    available = approved and organisation.pin_login_enabled and bool(spec and spec.supports_pin_login)
    return ThisDevice(True, approved, available, device.name or None, organisation.name)
