"""Ending sessions, one or many, with the reason the session list shows."""

from __future__ import annotations

from enum import Enum

from gateway.models import Session
from gateway.services.clock import utcnow


class EndReason(str, Enum):
    LOGOUT = "LOGOUT"
    IDLE_TIMEOUT = "IDLE_TIMEOUT"
    MAX_LIFETIME = "MAX_LIFETIME"
    ENDED_BY_ADMIN = "ENDED_BY_ADMIN"
    DEVICE_REVOKED = "DEVICE_REVOKED"
    DEVICE_DELETED = "DEVICE_DELETED"
    USER_DELETED = "USER_DELETED"


async def end(session: Session, reason: EndReason) -> None:
    now = utcnow()
    # Conditional: a session ends once, whoever gets there first.
    await Session.filter(id=session.id, ended_at=None).update(ended_at=now, end_reason=reason.value)
    session.ended_at, session.end_reason = now, reason.value


async def end_for_devices(device_ids, reason: EndReason) -> int:
    if not device_ids:
        return 0
    return await Session.filter(device_id__in=list(device_ids), ended_at=None).update(
        ended_at=utcnow(), end_reason=reason.value
    )
