"""Users changing their own PIN: they prove the current one and get a generated one, shown once.

Never a PIN they type: PINs are unique in an organisation, so a typed PIN that is
taken would tell its typist a colleague's PIN (users.py budgets that for ADMIN and
MANAGER; here nobody needs to type one at all).

A wrong current PIN is a guess at a PIN, and is counted like one, exactly, however
many arrive at once:

- always against the user's own count (``OWN_COUNT``, five free failures, then
  locks that double from 30 s up to an hour), so a stolen session cannot guess
  the PIN it would then replace, whichever way it sends its requests;
- on a register (the one a PIN session was opened on, whatever headers it sends;
  otherwise the request's ``X-Device-Token``), also against the register's
  count and the organisation's budget, as a wrong PIN typed on its PIN pad is: one
  register has one budget, whatever screen the PIN is typed on. Without a device
  the organisation's budget is left alone: it bounds guesses at anyone's PIN made
  over many registers, a PIN change tests only the caller's own, and counting it
  there would let one stolen session stop PIN login for everyone from anywhere.

The change is one transaction that takes its rows in the order every transaction
does (auth.py): the device, the organisation's budget, the user, then the user's
own count (taken after the user's row, like the other counts of a user), then the
user's sessions. Each count is refused while locked before the PIN is looked at.

A right PIN saves the new one and ends the user's other sessions
(``CREDENTIALS_CHANGED``), as any credential change does; the session the change was
made from lives on: its holder has just proved the PIN, and is the one person known
to be right.
"""

from __future__ import annotations

import hmac
from datetime import datetime

from tortoise.exceptions import IntegrityError

from gateway.models import AuthMethod, Device, User
from gateway.services import audit, auth, devices, pins, sessions, throttle, users
from gateway.services.actor import Actor
from gateway.services.clock import utcnow
from gateway.services.errors import ErrorCode, UserErrors, refuse
from gateway.services.runtime import Runtime

OWN_COUNT = "pin:user"  # + ":" and the user's id: their wrong current PINs
OWN_POLICY = throttle.Policy(free=5, reset_on_success=True)  # as a register's count


async def change(actor: Actor, runtime: Runtime, current_pin: str | None) -> tuple[User, str]:
    """The user with their new PIN, and that PIN (shown once)."""
    me = actor.require_user()
    if not current_pin:
        raise refuse(ErrorCode.REQUIRED, "Type your current PIN.", "currentPin")
    if me.pin_hmac is None:
        raise refuse(ErrorCode.METHOD_NOT_ALLOWED, "You have no PIN to change.")
    organisation = actor.session.organisation
    now = utcnow()
    try:
        async with audit.unit_of_work():
            device = await _held_device(actor, now)
            budget = None
            if device is not None:
                budget = await throttle.hold(f"{auth.ORGANISATION_BUDGET}:{organisation.id}", now)
                throttle.Count.of(budget).refuse_if_locked(now)
            user = await User.filter(id=me.id, deleted_at=None).select_for_update().first()
            if user is None or user.pin_hmac is None:  # deleted, or their PIN removed, meanwhile
                raise refuse(ErrorCode.METHOD_NOT_ALLOWED, "You have no PIN to change.")
            own = await throttle.hold(f"{OWN_COUNT}:{user.id}", now)
            throttle.Count.of(own).refuse_if_locked(now)
            # Under the current key or an earlier one (a PIN not typed since the key changed).
            right = any(hmac.compare_digest(typed, user.pin_hmac)
                        for typed in pins.pin_hmacs(runtime.settings.pin_keys, organisation.id, current_pin))
            if right:
                new_pin = await _replace(actor, runtime, user, device, own, now)
            else:
                counted = ((OWN_COUNT, await throttle.add_failure(own, OWN_POLICY, now)),)
                await auth.wrong_pin(actor, device, budget, now, "pin.change_failed", counted)
    except IntegrityError:
        # The drawn PIN was free when drawn, and taken by a concurrent save before this one.
        raise refuse(ErrorCode.TAKEN, "Another user was given the same new PIN just now: try again.") from None
    if not right:
        raise refuse(ErrorCode.INVALID_CREDENTIALS, auth.WRONG_PIN, "currentPin")
    return user, new_pin


async def _held_device(actor: Actor, now: datetime) -> Device | None:
    """The register the PIN is counted on, its row locked, refused while its PIN count is locked;
    None without one. A PIN session's is the register it was opened on, whatever headers the
    request sends: leaving X-Device-Token out must not take its guesses off that register's count.
    Otherwise it is the request's device (none, or another organisation's: the context drops those)."""
    if actor.session.method == AuthMethod.PIN:
        device_id = actor.session.device_id
    else:
        device_id = actor.device.id if actor.device is not None else None
    if device_id is None:
        return None
    device = await Device.filter(id=device_id).select_for_update(no_key=True).first()
    if device is not None:
        devices.pin_count(device).refuse_if_locked(now)
    return device


async def _replace(actor: Actor, runtime: Runtime, user: User, device: Device | None, own, now: datetime) -> str:
    """The current PIN was right: forgive the wrong ones, save a new PIN, end the other sessions."""
    if device is not None:
        await devices.pin_succeeded(device, now)
    await throttle.succeeded(throttle.Key(own.key, OWN_POLICY))
    try:
        pin, user.pin_hmac = await users.draw_unique_pin(runtime, actor.session.organisation)
    except UserErrors as exc:  # its field is userCreate's and userUpdate's
        raise refuse(ErrorCode.TAKEN, exc.problems[0].message) from None
    user.pin_key_id = pins.key_id(runtime.settings.secret_key)
    await user.save(update_fields=["pin_hmac", "pin_key_id"])
    ended = await sessions.end_for_user(user.id, sessions.EndReason.CREDENTIALS_CHANGED, keep=actor.session)
    await audit.record("pin.changed", organisation_id=user.organisation_id, actor=actor, user_id=user.id,
                       sessions_ended=ended)
    return pin

