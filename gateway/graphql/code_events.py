"""Live connection code events: the screen that shows a code's QR learns that a device paired.

It hears PAIRED (naming the new device) each time the code pairs one; USED, REVOKED or
EXPIRED end it, since the code pairs nothing more. Subscribing to a code that is used,
revoked or expired already answers that at once and ends. EXPIRED needs no one to
publish it: each subscription knows when its code expires.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, AsyncGenerator

import strawberry
from strawberry.types import Info

from gateway.graphql import codes as code_types
from gateway.graphql import devices as device_types
from gateway.graphql import ids
from gateway.graphql.loaders import related
from gateway.graphql.subscriptions import Follow, follow, use_event_loaders
from gateway.services import codes, live
from gateway.services.errors import SessionLocked
from gateway.services.live import LiveEvent

ConnectionCodeRef = Annotated["ConnectionCode", strawberry.lazy("gateway.graphql.codes")]
DeviceRef = Annotated["Device", strawberry.lazy("gateway.graphql.devices")]


@strawberry.enum(description="What happened to a connection code.")
class ConnectionCodeEventType(Enum):
    PAIRED = strawberry.enum_value("PAIRED", description="A device paired with it: `device`.")
    USED = strawberry.enum_value("USED", description="A single-use code paired its device: it pairs no more.")
    REVOKED = strawberry.enum_value("REVOKED", description="It was revoked.")
    EXPIRED = strawberry.enum_value("EXPIRED", description="Its expiry passed.")
    RESYNC = strawberry.enum_value("RESYNC", description="Events may have been missed: read the code again.")


CODE_EVENTS = frozenset({live.PAIRED, live.USED, live.REVOKED})
FINAL = frozenset({live.USED, live.REVOKED, live.EXPIRED})


@strawberry.type(description="Something that happened to a connection code.")
class ConnectionCodeEvent:
    event: strawberry.Private[LiveEvent]

    @strawberry.field(description="What happened.")
    def type(self) -> ConnectionCodeEventType:
        return ConnectionCodeEventType(self.event.type)

    @strawberry.field(description="The code as it is now (status, use count…).")
    def connection_code(self, info: Info) -> ConnectionCodeRef | None:
        return related(info.context.loaders.code, self.event.code_id, code_types.ConnectionCode.of)

    @strawberry.field(description="The device that paired (PAIRED, USED).")
    def device(self, info: Info) -> DeviceRef | None:
        return device_types.device(info, self.event.device_id)

    @strawberry.field(description="When it happened.")
    def at(self) -> datetime:
        return self.event.at


@strawberry.type
class Subscription:
    @strawberry.subscription(description=(
        "Events of one connection code (ADMIN, MANAGER): the QR screen shows \"Paired\" on PAIRED and "
        "closes on USED, REVOKED or EXPIRED, after which the subscription completes. Ends with "
        "UNAUTHENTICATED when the subscriber's session does."))
    async def connection_code_events(
        self, info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The connection code's ID.")],
    ) -> AsyncGenerator[ConnectionCodeEvent, None]:
        actor = await info.context.actor()
        if actor.locked_session is not None:
            raise SessionLocked()
        code = await codes.get(actor, ids.key(id, "ConnectionCode"))
        what = Follow(actor.organisation_id, wanted=lambda event: event.code_id == code.id
                      and event.type in CODE_EVENTS, session_id=actor.session.id,
                      final=lambda event: event.type in FINAL,
                      expiry=LiveEvent(live.EXPIRED, code.organisation_id, code.expires_at, code_id=code.id))
        return _code_events(info, what, _finished(code))


def _finished(code) -> LiveEvent | None:
    """The event that said a code pairs no more, when it does not already."""
    status = codes.status(code)
    if status is codes.CodeStatus.ACTIVE:
        return None
    at = {codes.CodeStatus.USED: code.last_paired_at, codes.CodeStatus.REVOKED: code.revoked_at,
          codes.CodeStatus.EXPIRED: code.expires_at}[status]
    return LiveEvent(status.value, code.organisation_id, at or code.created_at, code_id=code.id)


async def _code_events(info: Info, what: Follow, finished: LiveEvent | None) -> AsyncGenerator[ConnectionCodeEvent, None]:
    if finished is not None:
        yield ConnectionCodeEvent(event=use_event_loaders(info, finished))
        return
    async for event in follow(info, what):
        yield ConnectionCodeEvent(event=event)
