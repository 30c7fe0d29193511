"""Sessions' timeouts, and ending sessions, one or many, with the reason the session list shows."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum

from gateway.models import AuthMethod, Organisation, Session
from gateway.services import audit, live
from gateway.services.actor import Actor
from gateway.services.clock import TOUCH_INTERVAL, utcnow
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


def lock_after(session: Session, organisation: Organisation) -> timedelta | None:
    """How long a session may go unused before it locks: PIN sessions only, when the organisation
    locks them at all (``session_lock_minutes`` above 0)."""
    minutes = organisation.session_lock_minutes
    return timedelta(minutes=minutes) if minutes and session.method == AuthMethod.PIN else None


def touch_interval(session: Session, organisation: Organisation) -> timedelta:
    """How often a session's last use is written: a quarter of the shortest wait that ends or
    locks it, at most a minute. Writing it on every request would turn every read into a write."""
    waits = [timedelta(minutes=organisation.session_idle_minutes), lock_after(session, organisation)]
    return min([TOUCH_INTERVAL] + [wait / 4 for wait in waits if wait])


def _unused_for(session: Session, organisation: Organisation, now: datetime) -> timedelta:
    """How long the session has surely gone unused. The last use written may be up to one touch
    interval older than the real one, so that much is taken off: a session used more often than a
    timeout never reaches it."""
    return now - session.last_seen_at - touch_interval(session, organisation)


def time_is_up(session: Session, organisation: Organisation, now: datetime) -> EndReason | None:
    """MAX_LIFETIME or IDLE_TIMEOUT when the session's time is up (locked or not), else None."""
    if now >= session.expires_at:
        return EndReason.MAX_LIFETIME
    if _unused_for(session, organisation, now) >= timedelta(minutes=organisation.session_idle_minutes):
        return EndReason.IDLE_TIMEOUT
    return None


def lock_due(session: Session, organisation: Organisation, now: datetime) -> bool:
    """Whether an unlocked session has gone unused for the organisation's lock minutes."""
    wait = lock_after(session, organisation)
    return (session.locked_at is None and wait is not None
            and _unused_for(session, organisation, now) >= wait)


async def end(session: Session, reason: EndReason) -> bool:
    """End one session; False if it had ended already (a session ends once, whoever gets there
    first). Either way ``session`` then holds how it ended."""
    now = utcnow()
    ended = await Session.filter(id=session.id, ended_at=None).update(ended_at=now, end_reason=reason.value)
    if ended:
        session.ended_at, session.end_reason = now, reason.value
        await live.sessions_ended([session])
    else:
        await session.refresh_from_db(fields=["ended_at", "end_reason"])
    return bool(ended)


async def end_for_devices(device_ids, reason: EndReason) -> int:
    """End every live session on these devices; how many ended."""
    if not device_ids:
        return 0
    return await _end_all(Session.filter(device_id__in=list(device_ids), ended_at=None), reason)


async def lock_all_on(device_id: int) -> None:
    """Lock every session on a device, live or ended, in id order, until the caller's transaction ends."""
    await Session.filter(device_id=device_id).select_for_update().order_by("id").only("id")


async def end_for_user(user_id: int, reason: EndReason, keep: Session | None = None) -> int:
    """End every live session of a user but ``keep``; how many ended."""
    running = Session.filter(user_id=user_id, ended_at=None)
    if keep is not None:
        running = running.exclude(id=keep.id)
    return await _end_all(running, reason)


async def _end_all(running, reason: EndReason) -> int:
    """End the sessions of ``running``, inside the caller's transaction. Their rows are locked in id
    order first, as every bulk end does, so that two at once (a user deleted while their register
    is revoked) wait for each other rather than each holding rows the other needs."""
    # Whole rows, not values_list: Tortoise leaves FOR UPDATE out of a values query.
    rows = await running.select_for_update().order_by("id").only("id", "organisation_id", "device_id")
    if not rows:
        return 0
    ended = await Session.filter(id__in=[row.id for row in rows]).update(ended_at=utcnow(), end_reason=reason.value)
    await live.sessions_ended(rows)
    return ended


def _scoped(actor: Actor):
    return Session.filter(organisation_id=actor.organisation_id)


async def list_page(actor: Actor, active: bool | None, first: int | None, after_id: int | None,
                    device_id: int | None = None, user_id: int | None = None):
    """The organisation's sessions (ADMIN, MANAGER), newest first; of one device or one user when given."""
    actor.require_admin()
    queryset = _scoped(actor)
    if active is not None:
        queryset = queryset.filter(ended_at=None) if active else queryset.exclude(ended_at=None)
    if device_id is not None:
        queryset = queryset.filter(device_id=device_id)
    if user_id is not None:
        queryset = queryset.filter(user_id=user_id)
    return await page(queryset, first, after_id, newest_first=True)


async def get(actor: Actor, session_id: int | None) -> Session:
    actor.require_admin()
    return await find(actor, session_id)


async def find(actor: Actor, session_id: int | None) -> Session:
    """A session of the actor's organisation, whoever asks (what they may read of it is the caller's rule)."""
    return await one(_scoped(actor), session_id, "session")


async def end_by_admin(actor: Actor, session_id: int | None) -> Session:
    session = await get(actor, session_id)
    async with audit.unit_of_work():
        if await end(session, EndReason.ENDED_BY_ADMIN):
            await audit.record("session.ended", organisation_id=actor.organisation_id, actor=actor,
                               session_id=session.id, reason=EndReason.ENDED_BY_ADMIN.value)
    return session
