"""Logging in (password or PIN) and out, and turning a bearer token back into a session."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

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
        await _failed(Actor(client=client), user.organisation_id if user else None, "PASSWORD", keys,
                      username=username)
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


# The login methods a PIN may open a session for.
PIN_METHODS = (LoginMethod.PIN_ONLY.value, LoginMethod.PASSWORD_AND_PIN.value)
PIN_BUDGET = "pin:organisation:"  # + organisation id: the organisation's PIN failure budget
# A PIN check loses its claim only when the device changed since it was read (a failure
# counted, a count cleared, a revocation): a register never needs many reads, and an
# attack on one device locks it after five counted failures.
PIN_READS = 10


async def login_with_pin(runtime: Runtime, client: Client, pin: str) -> LoginResult:
    """Decide on the device as last read, then check the PIN in one statement that first claims
    the device: it locks the row and goes on only if the database still holds what the decision
    took from it (the device's PIN count and state, the organisation's PIN switch and budget).
    Parallel guesses on one device therefore cannot share a count: a loser decides again on what
    the winner left (so five wrong guesses lock the device, however they arrive).

    What was read is kept as a hint for the next login on the device (``runtime.pin_devices``):
    usually a login is that one statement. A hint is only ever a reason to try the claim; a
    refusal is always decided on what the database holds."""
    if not client.device_token:
        raise _pin_refusal(runtime, None)
    # Only the statements share the held connection: what follows takes its own from the
    # pool, and holding one while waiting for another deadlocks a busy pool.
    async with hot.one_connection():
        check, token, now = await _claim_and_check(runtime, client, pin)
    device = check.current.device
    if check.user is None:
        await _pin_failed(client, device, throttle.Count(*check.if_wrong), now)
        raise refuse(ErrorCode.INVALID_CREDENTIALS, WRONG_PIN, "pin")
    if check.session is None:
        raise refuse(ErrorCode.METHOD_NOT_ALLOWED, "This user logs in with a password.", "pin")
    await audit.announce(check.audit_event)  # committed with the session
    return LoginResult(token=token, session=check.session, user=check.user, device=device)


async def _claim_and_check(runtime: Runtime, client: Client, pin: str) -> tuple[hot.PinCheck, str, datetime]:
    token_hash, pin_hmac = hash_token(client.device_token), None
    hints = runtime.pin_devices
    attempt, fresh = hints.get(token_hash), False
    for _ in range(PIN_READS):
        now = utcnow()
        if attempt is None:
            attempt, fresh = await hot.pin_attempt(token_hash, PIN_BUDGET), True
        try:
            _refuse_unless_open(runtime, attempt, now)  # not a guess: nothing checked, nothing counted
        except UserErrors:
            if fresh:
                hints.drop(token_hash)
                raise
            attempt = None  # the hint may be stale: decide on what the database holds
            continue
        device = attempt.device
        organisation = device.organisation
        if pin_hmac is None:
            well_formed = pin and pin.isascii() and pin.isdigit() and len(pin) <= 32
            pin_hmac = pins.pin_hmac(runtime.settings.secret_key, organisation.id, pin) if well_formed else ""
        seen = _pin_count(device)
        if_wrong = throttle.Count(*seen.as_tuple())
        if_wrong.add_failure(throttle.PIN_DEVICE, now)
        token = new_token()
        check = await hot.pin_check(
            hot.PinCheck(attempt, token_hash, PIN_BUDGET, if_wrong.as_tuple(),
                         touch=bool(seen.failures or seen.locked_until) or devices.touch_due(device, now)),
            pin_hmac, PIN_METHODS,
            hot.NewSession(hash_token(token), client.ip_address, (client.user_agent or "")[:400], now,
                           now + timedelta(hours=organisation.session_max_hours)))
        if check.claimed:
            hints.put(token_hash, check.current)
            return check, token, now
        attempt, fresh = check.current, True  # None on PostgreSQL: the next pass reads the device again
    raise refuse(ErrorCode.THROTTLED, "Too many attempts at once on this device: try again.", retry_after_seconds=1)


def _refuse_unless_open(runtime: Runtime, attempt: hot.PinAttempt | None, now) -> None:
    """Raise the refusal for a device that takes no PIN now. A locked device learns nothing,
    not even that its PIN is right; a locked organisation budget likewise."""
    device = attempt.device if attempt else None
    if device is not None:
        _pin_count(device).refuse_if_locked(now)
    refusal = _pin_refusal(runtime, device)
    if refusal is not None:
        raise refusal
    if attempt.organisation_budget is not None:
        throttle.Count.of(attempt.organisation_budget).refuse_if_locked(now)


def _pin_count(device: Device) -> throttle.Count:
    return throttle.Count(*hot.pin_count(device))


async def _pin_failed(client: Client, device: Device, count: throttle.Count, now) -> None:
    """After a wrong PIN (already counted against the device): the organisation's budget, and the audit."""
    budget = throttle.Key(f"{PIN_BUDGET}{device.organisation_id}", throttle.PIN_ORGANISATION)
    actor = Actor(client=Client(client.ip_address, client.user_agent))
    async with audit.unit_of_work():
        await throttle.failed(budget)
        await _failed(actor, device.organisation_id, "PIN", (budget,), device_id=device.id)
        if count.locked_until is not None:
            await throttle.audit_lock("pin:device", count, device.organisation_id, actor, now, method="PIN",
                                      device_id=device.id)


def _pin_refusal(runtime: Runtime, device: Device | None) -> UserErrors | None:
    if device is None or device.state != DeviceState.APPROVED:
        return refuse(ErrorCode.DEVICE_NOT_APPROVED, "This device is not approved for PIN login.")
    spec = runtime.device_types.get(device.device_type)
    if spec is None or not spec.supports_pin_login:
        return refuse(ErrorCode.DEVICE_NOT_APPROVED, "This kind of device does not support PIN login.")
    if not device.organisation.pin_login_enabled:
        return refuse(ErrorCode.PIN_LOGIN_DISABLED, "PIN login is switched off for this organisation.")
    return None


async def _failed(actor: Actor, organisation_id: int | None, method: str, keys, **data) -> None:
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
