"""The register's lock screen: a PIN session locks (asked to, or left idle), and a PIN typed on
its register unlocks it for its own user or hands the register to someone else.

A locked session keeps its row and its id but acts as nobody: a request carrying its token may
read the lock screen (``thisDevice``), log out, or send a PIN, and is refused everything else
(gateway/graphql/access.py). Only a right PIN typed on its device brings it back, with a new
token, so whoever finds a register left alone learns whose it was and nothing more.

Only PIN sessions lock. A PIN is the only key a lock screen has: resuming a session opened with a
password by typing a PIN would make the PIN worth the password, and a user who has no PIN could
never resume theirs. A session opened with a password logs out instead.

An idle PIN session is locked by the first request that finds it so: its own, the lock screen's
``thisDevice``, or a PIN typed on its register. Until then it is only due.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.expressions import Q

from gateway.models import AuthMethod, Device, DeviceState, Organisation, Role, Session, User
from gateway.services import audit, live, sessions
from gateway.services.actor import Actor, Client
from gateway.services.clock import utcnow
from gateway.services.errors import ErrorCode, refuse
from gateway.services.pagination import one
from gateway.services.sessions import EndReason
from gateway.services.tokens import hash_token, new_token

# Why a session locked, as its session.locked event says.
ASKED, IDLE = "ASKED", "IDLE"


async def lock(actor: Actor, session_id: int | None) -> Session:
    """Lock a session: the request's own when ``session_id`` is None (any role); any session of the
    organisation for ADMIN and MANAGER; STAFF only their own. Locking a locked session changes
    nothing (it keeps the time it first locked); an ended one cannot be locked."""
    me = actor.require_user()
    if session_id is None:
        session = actor.session
    elif me.role in (Role.ADMIN, Role.MANAGER):
        session = await sessions.find(actor, session_id)
    else:
        # A colleague's session is NOT_FOUND, as an unknown one is: STAFF cannot list sessions,
        # and this answer must not tell them which ids are someone's.
        session = await one(Session.filter(organisation_id=actor.organisation_id, user_id=me.id), session_id,
                            "session")
    field = () if session_id is None else ("id",)
    if session.method != AuthMethod.PIN:
        raise refuse(ErrorCode.METHOD_NOT_ALLOWED,
                     "Only a session opened with a PIN can be locked (a PIN unlocks it): log out instead.", *field)
    now = utcnow()
    async with audit.unit_of_work():
        # One row, one statement, no other lock held: it cannot wait on a login that waits on it.
        locked = await Session.filter(id=session.id, ended_at=None, locked_at=None).update(locked_at=now)
        if locked:
            session.locked_at = now
            await _audit_lock(session, ASKED, actor)
    if not locked:
        await session.refresh_from_db(fields=["locked_at", "ended_at", "end_reason"])
        if session.ended_at is not None:
            raise refuse(ErrorCode.INVALID, "This session has ended: there is nothing to lock.", *field)
    return session


async def lock_if_idle(session: Session, organisation: Organisation, now: datetime) -> bool:
    """Lock ``session`` if it is an unlocked PIN session left unused for the organisation's lock
    minutes. False when its row changed since it was read (another request locked it, a PIN
    unlocked it, it ended): ``session`` then holds the row as it is now."""
    if not sessions.lock_due(session, organisation, now):
        return True
    async with audit.unit_of_work():
        # Only as it was read: a PIN that has just unlocked it wrote a new last use.
        locked = await Session.filter(id=session.id, ended_at=None, locked_at=None,
                                      last_seen_at=session.last_seen_at).update(locked_at=now)
        if locked:
            session.locked_at = now
            await _audit_lock(session, IDLE)
    if not locked:
        await session.refresh_from_db(fields=["locked_at", "ended_at", "end_reason", "last_seen_at", "token_hash"])
    return bool(locked)


async def _audit_lock(session: Session, why: str, actor: Actor | None = None) -> None:
    await audit.record("session.locked", organisation_id=session.organisation_id, actor=actor,
                       device_id=session.device_id, session_id=session.id, user_id=session.user_id, reason=why)
    await live.emit(live.SESSION_LOCKED, session.organisation_id, device_id=session.device_id, session_id=session.id)


async def locked_on(device: Device | None) -> Session | None:
    """The session the lock screen of ``device`` shows: its newest live locked PIN session (its
    user loaded), locking any found idle on the way; None when there is none."""
    if device is None or device.state != DeviceState.APPROVED:
        return None  # a device that is not approved keeps no PIN session
    now = utcnow()
    organisation = device.organisation
    for session in await _may_be_locked(device, organisation, now).select_related("user").order_by("-id"):
        if session.user.deleted_at is not None or sessions.time_is_up(session, organisation, now):
            continue  # dead already: its own next request ends it
        await lock_if_idle(session, organisation, now)  # (another request may have got there first)
        if session.locked_at is not None and session.ended_at is None:
            return session
    return None


def _may_be_locked(device: Device, organisation: Organisation, now: datetime):
    """The device's live PIN sessions that are locked, or unused long enough that they may be due
    to lock (``lock_if_idle`` decides). A register keeps every PIN session its users left live, so
    reading them all would make each PIN typed there cost more than the last."""
    maybe = Q(locked_at__isnull=False)
    if organisation.session_lock_minutes:
        maybe |= Q(last_seen_at__lte=now - timedelta(minutes=organisation.session_lock_minutes))
    return Session.filter(maybe, device_id=device.id, method=AuthMethod.PIN, ended_at=None)


async def take_over(device: Device, user: User, client: Client, now: datetime) -> tuple[Session, str] | None:
    """What a right PIN typed on ``device`` does to the sessions locked there, inside the PIN
    login's transaction (which holds the device's row, the organisation's budget and ``user``'s
    row; the sessions' rows come next, in id order).

    The newest of ``user``'s locked sessions is unlocked and returned with its new token: the
    same session, and the old token no longer works. Every other locked session ends as
    USER_SWITCHED: the register is someone else's now. A locked session whose time is up ends as
    that, and resumes for nobody. None when ``user`` had no locked session here: the login opens one.
    """
    organisation = device.organisation
    locked = []
    for session in await _may_be_locked(device, organisation, now).select_for_update().order_by("id"):
        reason = sessions.time_is_up(session, organisation, now)
        if reason is not None:
            await _end(session, reason)
            continue
        await lock_if_idle(session, organisation, now)  # rows held: it cannot have changed
        if session.locked_at is not None:
            locked.append(session)
    mine = next((session for session in reversed(locked) if session.user_id == user.id), None)
    for session in locked:
        if session is not mine:
            await _end(session, EndReason.USER_SWITCHED, Actor(client=client, user=user))
    if mine is None:
        return None
    token = new_token()
    await Session.filter(id=mine.id).update(token_hash=hash_token(token), locked_at=None, last_seen_at=now)
    mine.token_hash, mine.locked_at, mine.last_seen_at = hash_token(token), None, now
    await audit.record("session.unlocked", organisation_id=organisation.id, actor=Actor(client=client, user=user),
                       device_id=device.id, session_id=mine.id, method=AuthMethod.PIN.value)
    await live.emit(live.SESSION_UNLOCKED, organisation.id, device_id=device.id, session_id=mine.id)
    return mine, token


async def _end(session: Session, reason: EndReason, actor: Actor | None = None) -> None:
    if await sessions.end(session, reason):
        await audit.record("session.ended", organisation_id=session.organisation_id, actor=actor,
                           device_id=session.device_id, session_id=session.id, user_id=session.user_id,
                           reason=reason.value)
