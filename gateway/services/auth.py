"""Logging in and out, and turning a bearer token back into a session."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from gateway.models import AuthMethod, Device, LoginMethod, Session, User
from gateway.services import audit, passwords, sessions
from gateway.services.sessions import EndReason
from gateway.services.actor import Actor, Client
from gateway.services.clock import utcnow
from gateway.services.errors import ErrorCode, refuse
from gateway.services.tokens import hash_token, new_token

# Writing last_seen_at on every request would turn reads into writes; once a
# minute is precise enough for an idle timeout counted in minutes.
TOUCH_INTERVAL = timedelta(seconds=60)


@dataclasses.dataclass
class LoginResult:
    token: str
    session: Session
    user: User


async def login_with_password(client: Client, username: str, password: str) -> LoginResult:
    user = await User.get_or_none(username=username.strip()).select_related("organisation")
    ok = await passwords.verify_password(user.password_hash if user else None, password)
    if not ok or user is None:
        if user is not None:
            await audit.record("login.failed", organisation_id=user.organisation_id,
                               actor=Actor(client=client), method="PASSWORD", username=user.username)
        raise refuse(ErrorCode.INVALID_CREDENTIALS, "Wrong username or password.")
    if user.login_method == LoginMethod.PIN_ONLY:
        raise refuse(ErrorCode.METHOD_NOT_ALLOWED, "This user logs in with a PIN.")
    result = await _open_session(user, client, AuthMethod.PASSWORD, device=None)
    await audit.record("login.succeeded", organisation_id=user.organisation_id,
                       actor=Actor(client=client, user=user), method="PASSWORD")
    return result


async def _open_session(user: User, client: Client, method: AuthMethod, device: Device | None) -> LoginResult:
    organisation = user.organisation
    now = utcnow()
    token = new_token()
    session = await Session.create(
        organisation_id=user.organisation_id,
        user=user,
        device=device,
        method=method,
        token_hash=hash_token(token),
        ip_address=client.ip_address,
        user_agent=(client.user_agent or "")[:400],
        last_seen_at=now,
        expires_at=now + timedelta(hours=organisation.session_max_hours),
    )
    return LoginResult(token=token, session=session, user=user)


async def authenticate(token: str | None) -> Session | None:
    """The live session for ``token``, or None. Ends sessions found idle or too old."""
    if not token:
        return None
    session = await Session.get_or_none(token_hash=hash_token(token), ended_at=None).select_related(
        "user", "organisation"
    )
    if session is None:
        return None
    now = utcnow()
    reason = None
    if now >= session.expires_at:
        reason = EndReason.MAX_LIFETIME
    elif now - session.last_seen_at >= timedelta(minutes=session.organisation.session_idle_minutes):
        reason = EndReason.IDLE_TIMEOUT
    if reason:
        await sessions.end(session, reason)
        return None
    if now - session.last_seen_at >= TOUCH_INTERVAL:
        session.last_seen_at = now
        await Session.filter(id=session.id).update(last_seen_at=now)
    return session


async def logout(actor: Actor) -> Session:
    actor.require_user()
    await sessions.end(actor.session, EndReason.LOGOUT)
    await audit.record("session.ended", organisation_id=actor.organisation_id, actor=actor,
                       reason=EndReason.LOGOUT.value, session_id=actor.session.id)
    return actor.session
