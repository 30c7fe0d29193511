"""Ending sessions, one or many, with the reason the session list shows."""

from __future__ import annotations

from enum import Enum

from gateway.models import Session
from gateway.services import audit
from gateway.services.actor import Actor
from gateway.services.clock import utcnow
from gateway.services.pagination import one, page


class EndReason(str, Enum):
    """Why a session ended; stored as its value in ``Session.end_reason``."""

    LOGOUT = "LOGOUT"
    IDLE_TIMEOUT = "IDLE_TIMEOUT"
    MAX_LIFETIME = "MAX_LIFETIME"
    ENDED_BY_ADMIN = "ENDED_BY_ADMIN"
    DEVICE_REVOKED = "DEVICE_REVOKED"
    DEVICE_DELETED = "DEVICE_DELETED"
    DEVICE_LOGGED_OUT = "DEVICE_LOGGED_OUT"
    USER_DELETED = "USER_DELETED"
    USER_SWITCHED = "USER_SWITCHED"
    CREDENTIALS_CHANGED = "CREDENTIALS_CHANGED"


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


async def end_for_user(user_id: int, reason: EndReason, keep: Session | None = None) -> int:
    """End every live session of a user but ``keep``; how many ended."""
    live = Session.filter(user_id=user_id, ended_at=None)
    if keep is not None:
        live = live.exclude(id=keep.id)
    return await live.update(ended_at=utcnow(), end_reason=reason.value)


def _scoped(actor: Actor):
    return Session.filter(organisation_id=actor.organisation_id)


async def list_page(actor: Actor, active: bool | None, first: int | None, after_id: int | None):
    actor.require_admin()
    queryset = _scoped(actor)
    if active is not None:
        queryset = queryset.filter(ended_at=None) if active else queryset.exclude(ended_at=None)
    return await page(queryset, first, after_id)


async def get(actor: Actor, session_id: int | None) -> Session:
    actor.require_admin()
    return await one(_scoped(actor), session_id, "session")


async def end_by_admin(actor: Actor, session_id: int | None) -> Session:
    session = await get(actor, session_id)
    if session.ended_at is None:
        await end(session, EndReason.ENDED_BY_ADMIN)
        await audit.record("session.ended", organisation_id=actor.organisation_id, actor=actor,
                           session_id=session.id, reason=EndReason.ENDED_BY_ADMIN.value)
    return session
