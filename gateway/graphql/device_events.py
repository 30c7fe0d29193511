"""Live device events: the device list, a device's details, and the register's own screen.

``deviceEvents`` is for ADMIN and MANAGER (every listed device of the organisation, or
one); ``thisDeviceEvents`` for the device of the connection's token, no session needed:
a register learns at once that it was revoked, deleted or logged out, or that its
session ended or locked. A register holding ``thisDeviceEvents`` is online, and its list
hears OFFLINE shortly after the connection closes (services/devices.py).
"""

from __future__ import annotations

import asyncio
import collections
import logging
from datetime import datetime
from enum import Enum
from typing import Annotated, AsyncGenerator

import strawberry
from strawberry.types import Info

from gateway import models
from gateway.graphql import devices as device_types
from gateway.graphql import ids
from gateway.graphql import sessions as session_types
from gateway.graphql.loaders import related
from gateway.graphql.subscriptions import Follow, follow
from gateway.models import DeviceState
from gateway.services import devices, live
from gateway.services.clock import utcnow
from gateway.services.errors import NotAuthenticated, SessionLocked
from gateway.services.live import LiveEvent

log = logging.getLogger("pairgate.events")

DeviceRef = Annotated["Device", strawberry.lazy("gateway.graphql.devices")]
SessionRef = Annotated["Session", strawberry.lazy("gateway.graphql.sessions")]


@strawberry.enum(description="What happened to a device.")
class DeviceEventType(Enum):
    PAIRED = strawberry.enum_value("PAIRED", description="Paired with a connection code.")
    APPROVED = strawberry.enum_value("APPROVED", description="Approved for PIN login.")
    RENAMED = strawberry.enum_value("RENAMED", description="Renamed.")
    REVOKED = strawberry.enum_value("REVOKED", description="Revoked: PIN login stopped, its sessions ended.")
    DELETED = strawberry.enum_value("DELETED", description="Deleted: its token is dead. `device` is null.")
    LOGGED_OUT = strawberry.enum_value("LOGGED_OUT", description="Logged out: its sessions ended, it stays approved.")
    ONLINE = strawberry.enum_value("ONLINE", description="It is online again (a request, or a live connection).")
    OFFLINE = strawberry.enum_value("OFFLINE", description="Its live connection closed and it did not come back.")
    SESSION_STARTED = strawberry.enum_value("SESSION_STARTED", description="Someone logged in on it: `session`.")
    SESSION_ENDED = strawberry.enum_value("SESSION_ENDED", description="A session on it ended: `session`.")
    SESSION_LOCKED = strawberry.enum_value("SESSION_LOCKED", description="A session on it locked: `session`.")
    SESSION_UNLOCKED = strawberry.enum_value(
        "SESSION_UNLOCKED", description="Its user's PIN unlocked a locked session on it: `session`.")
    RESYNC = strawberry.enum_value(
        "RESYNC", description="Events may have been missed (a connection between gateways dropped, or this "
                              "client fell behind): read again what the screen shows. `deviceId` is null.")


DEVICE_EVENTS = frozenset(member.value for member in DeviceEventType) - {live.RESYNC}
# What ends a register's own subscription: its token no longer names an approved device.
DEVICE_GONE = (live.REVOKED, live.DELETED)


@strawberry.type(description="Something that happened to a device, as it happened; read what it names as it is now.")
class DeviceEvent:
    event: strawberry.Private[LiveEvent]

    @strawberry.field(description="What happened.")
    def type(self) -> DeviceEventType:
        return DeviceEventType(self.event.type)

    @strawberry.field(description="The device's ID, even when it is gone (DELETED); null for RESYNC.")
    def device_id(self) -> strawberry.ID | None:
        return ids.encode("Device", self.event.device_id) if self.event.device_id is not None else None

    @strawberry.field(description="The device as it is now; null once deleted.")
    def device(self, info: Info) -> DeviceRef | None:
        return device_types.device(info, self.event.device_id)

    @strawberry.field(description="The session a SESSION_* event is about.")
    def session(self, info: Info) -> SessionRef | None:
        return related(info.context.loaders.session, self.event.session_id, session_types.Session.of)

    @strawberry.field(description="When it happened.")
    def at(self) -> datetime:
        return self.event.at


@strawberry.type
class Subscription:
    @strawberry.subscription(description=(
        "Events of the organisation's listed devices, or of one (ADMIN, MANAGER): pairings, approvals, "
        "renames, revocations, deletions, log-outs, online and offline, sessions started, ended, locked "
        "and unlocked. Ends with UNAUTHENTICATED when the subscriber's session does."))
    async def device_events(
        self, info: Info,
        id: Annotated[strawberry.ID | None, strawberry.argument(description="Only this device's events.")] = None,
    ) -> AsyncGenerator[DeviceEvent, None]:
        actor = await info.context.actor()
        if actor.locked_session is not None:
            raise SessionLocked()
        actor.require_admin()
        only = (await devices.get(actor, ids.key(id, "Device"))).id if id is not None else None

        def wanted(event: LiveEvent) -> bool:
            return event.type in DEVICE_EVENTS and event.device_id is not None and (
                only is None or event.device_id == only)

        return _listed_devices(info, Follow(actor.organisation_id, wanted, session_id=actor.session.id))

    @strawberry.subscription(description=(
        "Events of the device of the connection's device token, no session needed: the register learns at "
        "once that it was revoked or deleted (the subscription then ends with UNAUTHENTICATED: pair again), "
        "logged out, or that a session on it ended or locked. While it lasts the device is online."))
    async def this_device_events(self, info: Info) -> AsyncGenerator[DeviceEvent, None]:
        actor = await info.context.actor()
        # Beside a session, a device token of another organisation is no device.
        device = actor.device if actor.user is not None else await info.context.device()
        if device is None or device.state == DeviceState.REVOKED:
            raise NotAuthenticated()
        device_id = device.id

        async def still_here() -> None:
            current = await devices.reload(device_id)
            if current is None or current.state == DeviceState.REVOKED:
                raise NotAuthenticated()
            await devices.seen(current)  # a live connection keeps its device online

        def revoked_or_deleted(event: LiveEvent) -> bool:
            return event.device_id == device_id and event.type in DEVICE_GONE

        what = Follow(device.organisation_id, wanted=lambda event: event.device_id == device_id
                      and event.type in DEVICE_EVENTS, final=revoked_or_deleted, quiet=still_here)
        return _this_device(info, device, what)


async def _listed_devices(info: Info, what: Follow) -> AsyncGenerator[DeviceEvent, None]:
    async for event in follow(info, what):
        if event.device_id is not None and event.type != live.DELETED:
            device = await info.context.loaders.device.load(event.device_id)
            if device is not None and device.state not in devices.LISTED:
                continue  # a device never approved (a back office's browser) is in no list
        yield DeviceEvent(event=event)


# This process's live connections by device, and the OFFLINE check waiting for each device whose
# last one closed: one per device, however often a client opens and closes, and none while
# another connection of the device is live here.
_held: collections.Counter[int] = collections.Counter()
_closing: dict[int, asyncio.Task] = {}


async def _this_device(info: Info, device: models.Device, what: Follow) -> AsyncGenerator[DeviceEvent, None]:
    waiting = _closing.pop(device.id, None)
    if waiting is not None:
        waiting.cancel()  # back within the grace
    _held[device.id] += 1
    gone_for_good = False
    try:
        await devices.connected(device)
        async for event in follow(info, what):
            yield DeviceEvent(event=event)
            gone_for_good = what.final(event)
        if gone_for_good:
            raise NotAuthenticated()
    finally:
        _held[device.id] -= 1
        if not _held[device.id]:
            del _held[device.id]
            if not gone_for_good:
                _closing[device.id] = asyncio.create_task(_offline_after_grace(device.id, utcnow()))


async def _offline_after_grace(device_id: int, closed_at: datetime) -> None:
    await asyncio.sleep(devices.OFFLINE_GRACE_SECONDS)
    if _closing.get(device_id) is asyncio.current_task():
        del _closing[device_id]
    try:
        await devices.disconnected(device_id, closed_at)
    except Exception:  # the database gone meanwhile, the app closing: the device shows offline later
        log.warning("could not record that device %s went offline", device_id, exc_info=True)
