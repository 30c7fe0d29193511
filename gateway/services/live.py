"""Live events: what subscribers hear of a change, sent once the change commits.

A service says what happened (``emit``) beside the audit row it writes; the event
waits for the unit of work to commit (``audit.after_commit``) and then goes to
the bus of the running gateway (``gateway/events/``), which carries it to every
gateway process. An event names rows by id, never carries them: a subscriber
reads what it selects through the ordinary loaders and reading rules.

Event types are the names the GraphQL enums use (``DeviceEventType``,
``ConnectionCodeEventType``); one event may be both (``PAIRED``).
"""

from __future__ import annotations

import contextvars
import dataclasses
import logging
from datetime import datetime
from typing import Protocol

from gateway.services import audit
from gateway.services.clock import utcnow

log = logging.getLogger("pairgate.live")

# Device events
PAIRED, APPROVED, RENAMED, REVOKED, DELETED, LOGGED_OUT = "PAIRED", "APPROVED", "RENAMED", "REVOKED", "DELETED", "LOGGED_OUT"
ONLINE, OFFLINE = "ONLINE", "OFFLINE"
SESSION_STARTED, SESSION_ENDED, SESSION_LOCKED, SESSION_UNLOCKED = (
    "SESSION_STARTED", "SESSION_ENDED", "SESSION_LOCKED", "SESSION_UNLOCKED")
# Connection code events (PAIRED and REVOKED too)
USED, EXPIRED = "USED", "EXPIRED"
# Any subscription: events may have been missed, read again.
RESYNC = "RESYNC"


@dataclasses.dataclass(frozen=True)
class LiveEvent:
    type: str
    organisation_id: int
    at: datetime
    device_id: int | None = None
    session_id: int | None = None
    code_id: int | None = None

    def as_dict(self) -> dict:
        values = dataclasses.asdict(self)
        values["at"] = self.at.isoformat()
        return values

    @classmethod
    def from_dict(cls, values: dict) -> "LiveEvent":
        """An event as ``as_dict`` wrote it; ValueError for anything else (a notification on the
        channel that is not one of ours)."""
        if not isinstance(values, dict) or set(values) != {field.name for field in dataclasses.fields(cls)}:
            raise ValueError("not an event")
        ids = (values["organisation_id"], values["device_id"], values["session_id"], values["code_id"])
        if not isinstance(values["type"], str) or not isinstance(values["at"], str) or not all(
                value is None or (type(value) is int and 0 < value < 2**63) for value in ids) or ids[0] is None:
            raise ValueError("not an event")
        return cls(**{**values, "at": datetime.fromisoformat(values["at"])})


class Publisher(Protocol):
    async def publish(self, event: LiveEvent) -> None: ...


class _Nowhere:
    """Outside a running gateway (a CLI command, a unit test of a service) nobody listens."""

    async def publish(self, event: LiveEvent) -> None:
        return None


NOWHERE = _Nowhere()
_publisher: contextvars.ContextVar[Publisher] = contextvars.ContextVar("pairgate_publisher", default=NOWHERE)


def bind(publisher: Publisher) -> None:
    """Say where the events of the current request go."""
    _publisher.set(publisher)


async def emit(event_type: str, organisation_id: int, *, device_id: int | None = None,
               session_id: int | None = None, code_id: int | None = None) -> None:
    """Publish an event once the current unit of work commits (at once outside one)."""
    event = LiveEvent(event_type, organisation_id, utcnow(), device_id, session_id, code_id)
    publisher = _publisher.get()
    await audit.after_commit(lambda: _publish(publisher, event))


async def _publish(publisher: Publisher, event: LiveEvent) -> None:
    try:
        await publisher.publish(event)
    except Exception:
        # The change is committed whatever happens here: a lost event must not fail the request.
        # Subscribers elsewhere miss it; the bus sends them RESYNC when it finds itself broken.
        log.exception("could not publish %s", event.type)


async def sessions_ended(rows) -> None:
    """SESSION_ENDED for each of these sessions (``id``, ``organisation_id``, ``device_id``)."""
    for row in rows:
        await emit(SESSION_ENDED, row.organisation_id, device_id=row.device_id, session_id=row.id)
