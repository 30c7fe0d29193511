"""Logging in (password or PIN) and out, and turning a bearer token back into a session.

Every login writes its session in a transaction that holds the user's row
(``SELECT … FOR UPDATE``). Deleting a user or changing their credentials holds
the same row, so the two never interleave: either the login commits first and
the delete or change then ends its session, or the login finds the user gone
(or the password changed) and opens nothing.

Rows are always locked in one order, so that two transactions never wait on
each other: the device, then the organisation's PIN budget, then the user,
then sessions (in id order). A password login takes only the user, and notes
the device's use after it commits.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Awaitable, Callable, TypeVar

from gateway.models import AuthMethod, Device, DeviceState, LoginMethod, Organisation, Session, User
from gateway.services import audit, devices, live, lock_screen, passwords, pins, sessions, throttle
from gateway.services.actor import Actor, Client
from gateway.services.clock import utcnow
from gateway.services.errors import ErrorCode, refuse
from gateway.services.runtime import Runtime
from gateway.services.sessions import EndReason
from gateway.services.tokens import hash_token, new_token

WRONG_PASSWORD = "Wrong username or password."
WRONG_PIN = "Wrong PIN."
# The login methods a PIN may open a session for.
PIN_METHODS = (LoginMethod.PIN_ONLY, LoginMethod.PASSWORD_AND_PIN)
# The names of a PIN login's two counts, as the audit log's throttle.locked events give them;
# the organisation's is also its throttle key, with ":" and the organisation's id.
DEVICE_COUNT, ORGANISATION_BUDGET = "pin:device", "pin:organisation"
# The username column's length: no user's name is longer.
USERNAME_LENGTH = 150

T = TypeVar("T")


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
    # Cut to the longest name a user can have, so the key fits its column (lowering can lengthen
    # a name too: "İ" becomes two characters).
    keys = (throttle.Key(f"password:user:{username.lower()[:USERNAME_LENGTH]}", throttle.PASSWORD_USER),
            throttle.Key(f"password:address:{client.ip_address}", throttle.PASSWORD_ADDRESS))
    await throttle.charge(*keys)  # counted before the check, so parallel guesses cannot outrun it
    # A longer name is nobody's, and the ORM refuses it even to compare with the column.
    user = await User.get_or_none(username=username, deleted_at=None) if len(username) <= USERNAME_LENGTH else None
    ok = await passwords.verify_password(user.password_hash if user else None, password)
    if not ok or user is None:
        await _failed(Actor(client=client), user.organisation_id if user else None, "PASSWORD", keys,
                      username=username)
        raise refuse(ErrorCode.INVALID_CREDENTIALS, WRONG_PASSWORD)
    await throttle.succeeded(*keys)
    known = await devices.by_token(client.device_token)
    async with audit.unit_of_work():
        # The password was checked without a lock (the hash is slow); the row, locked now, must
        # still be that user with that password, or a delete or a change got there first.
        user = await _locked_user(id=user.id, password_hash=user.password_hash)
        if user is None:
            raise refuse(ErrorCode.INVALID_CREDENTIALS, WRONG_PASSWORD)
        if user.login_method == LoginMethod.PIN_ONLY:
            raise refuse(ErrorCode.METHOD_NOT_ALLOWED, "This user logs in with a PIN, on an approved device.")
        organisation = await Organisation.get(id=user.organisation_id)
        device, device_token = await devices.device_for_login(known, user)
        result = await _open_session(user, organisation, client, AuthMethod.PASSWORD, device)
    await devices.touch(device)  # after the commit: the device's row comes before the user's
    result.device_token = device_token
    result.prompt = devices.approval_prompt(device, user, organisation)
    return result


async def login_with_pin(runtime: Runtime, client: Client, pin: str) -> LoginResult:
    """Log in with a PIN alone: a typed PIN (``typed_pin``) that takes the register over for its
    user. The user's own session locked there resumes (same session, a new token); any other
    session locked there ends (USER_SWITCHED) and the user's opens (``lock_screen.take_over``:
    the sessions' rows come last, in id order)."""

    async def open_session(user: User, device: Device) -> LoginResult:
        unlocked = await lock_screen.take_over(device, user, client, utcnow())
        if unlocked is not None:
            session, token = unlocked
            return LoginResult(token=token, session=session, user=user, device=device)
        return await _open_session(user, device.organisation, client, AuthMethod.PIN, device)

    user, result = await typed_pin(runtime, Actor(client=client), pin,
                                   may_use=lambda user: user.login_method in PIN_METHODS, then=open_session,
                                   failure="login.failed")
    if user is None:
        raise refuse(ErrorCode.INVALID_CREDENTIALS, WRONG_PIN, "pin")
    if result is None:
        raise refuse(ErrorCode.METHOD_NOT_ALLOWED, "This user logs in with a password.", "pin")
    return result


async def typed_pin(runtime: Runtime, actor: Actor, pin: str, *, may_use: Callable[[User], bool],
                    then: Callable[[User, Device], Awaitable[T]], failure: str,
                    failure_data: Callable[[User | None], dict] = lambda user: {}) -> tuple[User | None, T | None]:
    """A PIN typed on the device of the request (``actor.client.device_token``), checked and
    counted as one transaction that reads top to bottom:

    1. lock the device's row, so that guesses on one register queue and each sees the count
       the one before it left;
    2. refuse, counting nothing, unless the device takes PINs now: approved, of a type that
       supports PIN login, PIN login on, the device's count not locked; then hold the
       organisation's budget (so guesses spread over many registers queue too, and no more
       are looked up than it allows) and refuse if it is locked;
    3. look the PIN up, locking its user's row (see the module's docstring);
    4. write the verdict: a right PIN of a user ``may_use`` accepts clears the device's count,
       and ``then(user, device)`` runs in the same transaction; anything else counts against
       the device and the organisation, audited as ``failure`` (with ``failure_data(user)``).

    A login and a manager's override both come through here, so a guess costs the same
    whatever it is typed for. Returns whom the PIN named (None: nobody) and what ``then``
    answered (None: refused, and counted).
    """
    now = utcnow()
    async with audit.unit_of_work():
        device = await devices.lock_by_token(actor.client.device_token)
        _refuse_pin_login(runtime, device)
        devices.pin_count(device).refuse_if_locked(now)
        organisation = device.organisation
        budget = await throttle.hold(f"{ORGANISATION_BUDGET}:{organisation.id}", now)
        throttle.Count.of(budget).refuse_if_locked(now)
        user = await _pin_owner(runtime, organisation, pin)
        if user is not None and may_use(user):
            await devices.pin_succeeded(device, now)
            return user, await then(user, device)
        await wrong_pin(actor, device, budget, now, failure, **failure_data(user))
    return user, None


def _refuse_pin_login(runtime: Runtime, device: Device | None) -> None:
    if device is None or device.state != DeviceState.APPROVED:
        raise refuse(ErrorCode.DEVICE_NOT_APPROVED, "This device is not approved for PIN login.")
    spec = runtime.device_types.get(device.device_type)
    if spec is None or not spec.supports_pin_login:
        raise refuse(ErrorCode.DEVICE_NOT_APPROVED, "This kind of device does not support PIN login.")
    if not device.organisation.pin_login_enabled:
        raise refuse(ErrorCode.PIN_LOGIN_DISABLED, "PIN login is switched off for this organisation.")


async def _pin_owner(runtime: Runtime, organisation: Organisation, pin: str) -> User | None:
    """The live user whose PIN this is, under the current secret key or an earlier one, their row
    locked until commit. A PIN nobody can have (not ASCII digits, absurdly long) is nobody's,
    without asking the database."""
    if not (pin.isascii() and pin.isdigit() and len(pin) <= 32):
        return None
    keys = runtime.settings.pin_keys
    hmacs = pins.pin_hmacs(keys, organisation.id, pin)
    user = await _locked_user(organisation_id=organisation.id, **pins.any_of(hmacs))
    if user is not None and user.pin_key_id != pins.key_id(keys[0]):
        # Under an earlier key (or stored before keys were noted): store it under the current one.
        user.pin_hmac, user.pin_key_id = hmacs[0], pins.key_id(keys[0])
        await user.save(update_fields=["pin_hmac", "pin_key_id"])
    return user


async def _locked_user(**match) -> User | None:
    """The live user matching ``match``, their row locked until commit."""
    return await User.filter(deleted_at=None, **match).select_for_update(no_key=True).first()


async def wrong_pin(actor: Actor, device: Device | None, budget, now: datetime, event: str,
                    counted: tuple[tuple[str, throttle.Count], ...] = (), **data) -> None:
    """Count a wrong PIN against the held ``device`` and its organisation's held ``budget``, and
    audit it as ``event`` with each lock it set, in these counts or in those the caller has just
    ``counted`` (name, count). Without a device (a PIN change at the back office), only those."""
    counts = list(counted)
    if device is not None:
        counts.append((DEVICE_COUNT, await devices.pin_failed(device, now)))
        counts.append((ORGANISATION_BUDGET, await throttle.add_failure_in_window(budget, throttle.PIN_ORGANISATION,
                                                                                 now)))
    organisation_id = device.organisation_id if device is not None else actor.organisation_id
    device_id = device.id if device is not None else None
    await audit.record(event, organisation_id=organisation_id, actor=actor, method="PIN", device_id=device_id,
                       **data)
    for name, count in counts:
        if count.locked_until is not None:
            await throttle.audit_lock(name, count, organisation_id, actor, now, method="PIN", device_id=device_id)


async def _failed(actor: Actor, organisation_id: int | None, method: str, keys, **data) -> None:
    await audit.record("login.failed", organisation_id=organisation_id, actor=actor, method=method, **data)
    await throttle.audit_locks(keys, organisation_id, actor, method=method)


async def _open_session(user: User, organisation: Organisation, client: Client, method: AuthMethod,
                        device: Device | None) -> LoginResult:
    now = utcnow()
    token = new_token()
    session = await Session.create(
        organisation_id=organisation.id,
        user=user,
        device=device,
        method=method,
        token_hash=hash_token(token),
        ip_address=client.ip_address,
        user_agent=(client.user_agent or "")[:400],
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=organisation.session_max_hours),
    )
    await audit.record("login.succeeded", organisation_id=organisation.id,
                       actor=Actor(client=client, user=user), device_id=device.id if device else None,
                       method=method.value, session_id=session.id)
    await live.emit(live.SESSION_STARTED, organisation.id, device_id=device.id if device else None,
                    session_id=session.id)
    return LoginResult(token=token, session=session, user=user, device=device)


async def authenticate(token: str | None) -> Session | None:
    """The live session for ``token``, or None. Ends sessions found idle, too old, of a deleted
    user, or opened by PIN on a device that is no longer approved; locks a PIN session found idle
    for the organisation's lock minutes. A locked session is returned as such (``locked_at``):
    what it may still do is the caller's to say."""
    if not token:
        return None
    session = await (Session.filter(token_hash=hash_token(token), ended_at=None)
                     .select_related("user", "organisation", "device").first())
    if session is None:
        return None
    now = utcnow()
    organisation = session.organisation
    if await _ended_if_over(session, now):
        return None
    if not await lock_screen.lock_if_idle(session, organisation, now):
        return await authenticate(token)  # changed meanwhile: as it is now
    # A locked session's use is not written: the register's requests to a locked session must
    # not keep it from ending idle.
    if session.locked_at is None and now - session.last_seen_at >= sessions.touch_interval(session, organisation):
        session.last_seen_at = now
        await Session.filter(id=session.id).update(last_seen_at=now)
    return session


async def _ended_if_over(session: Session, now: datetime) -> bool:
    """End ``session`` (its user, organisation and device loaded) if it may not go on: its user
    deleted, its PIN device deleted or no longer approved, or its time up. Whether it ended."""
    if session.user.deleted_at is not None:
        reason = EndReason.USER_DELETED
    elif session.method == AuthMethod.PIN and session.device is None:
        reason = EndReason.DEVICE_DELETED
    elif session.method == AuthMethod.PIN and session.device.state != DeviceState.APPROVED:
        reason = EndReason.DEVICE_REVOKED
    else:
        reason = sessions.time_is_up(session, session.organisation, now)
    if reason is None:
        return False
    async with audit.unit_of_work():
        if await sessions.end(session, reason):  # parallel requests find it idle together: audited once
            await audit.record("session.ended", organisation_id=session.organisation_id, reason=reason.value,
                               session_id=session.id)
    return True


async def still_live(session_id: int) -> bool:
    """Whether a session still stands and is not locked, as a live subscription asks now and then.
    A session whose time is up ends here, as ``authenticate`` would end it. Unlike ``authenticate``
    this is not a use of the session: a screen left open on a live list does not keep its session
    from ending idle, nor from locking."""
    session = await (Session.filter(id=session_id, ended_at=None)
                     .select_related("user", "organisation", "device").first())
    if session is None or session.locked_at is not None:
        return False
    now = utcnow()
    if await _ended_if_over(session, now):
        return False
    # A PIN session left unused for the organisation's lock minutes locks, as a request would find it.
    return await lock_screen.lock_if_idle(session, session.organisation, now) and session.locked_at is None


async def logout(actor: Actor) -> Session:
    """End the request's session; a locked one too (the lock screen's "log out")."""
    session = actor.locked_session or actor.session
    if session is None:
        actor.require_user()  # not logged in
    async with audit.unit_of_work():
        if await sessions.end(session, EndReason.LOGOUT):
            await audit.record("session.ended", organisation_id=session.organisation_id,
                               actor=Actor(client=actor.client, user=session.user, device=actor.device),
                               reason=EndReason.LOGOUT.value, session_id=session.id)
    return session
