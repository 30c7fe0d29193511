"""Logging in (password or PIN) and out, and turning a bearer token back into a session."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from gateway.models import AuthMethod, Device, DeviceState, LoginMethod, Organisation, Session, User
from gateway.services import audit, devices, hot, passwords, pins, sessions, throttle
from gateway.services.actor import Actor, Client
from gateway.services.clock import TOUCH_INTERVAL, utcnow
from gateway.services.errors import ErrorCode, UserErrors, refuse
from gateway.services.runtime import Runtime
from gateway.services.sessions import EndReason
from gateway.services.tokens import hash_token, new_token

WRONG_PASSWORD = "Wrong username or password."
WRONG_PIN = "Wrong PIN."


@dataclasses.dataclass
class LoginResult:
    token: str
    session: Session
    user: User
    device: Device | None = None
    device_token: str | None = None
    prompt: devices.Prompt = devices.Prompt.NOT_NEEDED


async def login_with_password(client: Client, username: str, password: str) -> LoginResult:
    username = username.strip()
    keys = (throttle.Key(f"password:user:{username.lower()}", throttle.PASSWORD_USER),
            throttle.Key(f"password:address:{client.ip_address}", throttle.PASSWORD_ADDRESS))
    await throttle.charge(*keys)
    user = await User.get_or_none(username=username, deleted_at=None).select_related("organisation")
    ok = await passwords.verify_password(user.password_hash if user else None, password)
    if not ok or user is None:
        await _failed(client, user.organisation_id if user else None, "PASSWORD", keys, username=username)
        raise refuse(ErrorCode.INVALID_CREDENTIALS, WRONG_PASSWORD)
    await throttle.succeeded(*keys)
    if user.login_method == LoginMethod.PIN_ONLY:
        raise refuse(ErrorCode.METHOD_NOT_ALLOWED, "This user logs in with a PIN, on an approved device.")
    known = await devices.by_token(client.device_token)
    async with audit.unit_of_work():
        device, device_token = await devices.device_for_login(known, user)
        result = await _open_session(user, client, AuthMethod.PASSWORD, device)
    result.device_token = device_token
    result.prompt = devices.approval_prompt(device, user, user.organisation)
    return result


async def login_with_pin(runtime: Runtime, client: Client, pin: str) -> LoginResult:
    """One transaction: the device's throttle row stays locked from the check to the verdict,
    so parallel guesses on one device queue up and each sees the count the last one left."""
    token_hash = hash_token(client.device_token) if client.device_token else "none"
    device_key = throttle.Key(f"pin:device:{token_hash}", throttle.PIN_DEVICE)
    refusal, result = None, None
    async with audit.unit_of_work():
        # Before anything is looked up: a locked device learns nothing, not even a right PIN.
        gate = await throttle.gate(device_key)
        device = await hot.device_by_token(token_hash)
        refusal = _pin_refusal(runtime, device)  # not a guess: nothing checked, nothing counted
        if refusal is None:
            await gate.ensure()  # a real attempt on a real device: from here on it counts
            organisation_key = throttle.Key(f"pin:organisation:{device.organisation_id}", throttle.PIN_ORGANISATION)
            await throttle.check(organisation_key)
            user = await _user_with_pin(runtime, device.organisation, pin)
            if user is None:
                await gate.failed()
                await throttle.failed(organisation_key)
                await _failed(Client(client.ip_address, client.user_agent), device.organisation_id, "PIN",
                              (device_key, organisation_key), device_id=device.id)
                refusal = refuse(ErrorCode.INVALID_CREDENTIALS, WRONG_PIN, "pin")
            else:
                await gate.passed()
                if user.login_method == LoginMethod.PASSWORD:
                    refusal = refuse(ErrorCode.METHOD_NOT_ALLOWED, "This user logs in with a password.", "pin")
                else:
                    await devices.touch(device)
                    result = await _open_session(user, client, AuthMethod.PIN, device)
    if refusal is not None:
        raise refusal
    return result


async def _user_with_pin(runtime: Runtime, organisation: Organisation, pin: str) -> User | None:
    """One HMAC, one indexed lookup."""
    if not (pin and pin.isascii() and pin.isdigit() and len(pin) <= 32):
        return None
    return await hot.user_by_pin(pins.pin_hmac(runtime.settings.secret_key, organisation.id, pin), organisation)


def _pin_refusal(runtime: Runtime, device: Device | None) -> UserErrors | None:
    if device is None or device.state != DeviceState.APPROVED:
        return refuse(ErrorCode.DEVICE_NOT_APPROVED, "This device is not approved for PIN login.")
    spec = runtime.device_types.get(device.device_type)
    if spec is None or not spec.supports_pin_login:
        return refuse(ErrorCode.DEVICE_NOT_APPROVED, "This kind of device does not support PIN login.")
    if not device.organisation.pin_login_enabled:
        return refuse(ErrorCode.PIN_LOGIN_DISABLED, "PIN login is switched off for this organisation.")
    return None


async def _failed(client: Client, organisation_id: int | None, method: str, keys, **data) -> None:
    actor = Actor(client=client)
    await audit.record("login.failed", organisation_id=organisation_id, actor=actor, method=method, **data)
    await throttle.audit_locks(keys, organisation_id, actor, method=method)


async def _open_session(user: User, client: Client, method: AuthMethod, device: Device | None) -> LoginResult:
    organisation: Organisation = user.organisation
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
    await audit.record("login.succeeded", organisation_id=user.organisation_id,
                       actor=Actor(client=client, user=user), device_id=device.id if device else None,
                       method=method.value, session_id=session.id)
    return LoginResult(token=token, session=session, user=user, device=device)


async def authenticate(token: str | None) -> Session | None:
    """The live session for ``token``, or None. Ends sessions found idle or too old."""
    if not token:
        return None
    session = await hot.live_session(hash_token(token))
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
        await audit.record("session.ended", organisation_id=session.organisation_id, reason=reason.value,
                           session_id=session.id)
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
