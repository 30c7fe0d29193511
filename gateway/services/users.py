"""Users of an organisation: roles, login methods, passwords and PINs."""

from __future__ import annotations

import dataclasses
import re

from tortoise.exceptions import IntegrityError

from gateway.models import LoginMethod, Organisation, Role, User
from gateway.services import audit, passwords, pins, sessions, throttle
from gateway.services.actor import Actor
from gateway.services.clock import utcnow
from gateway.services.errors import Collector, ErrorCode, Forbidden, UserErrors, refuse
from gateway.services.pagination import Page, one, page
from gateway.services.runtime import Runtime

USERNAME = re.compile(r"^[A-Za-z0-9._@+-]{1,150}$")
DISPLAY_NAME_MAX = 200  # the column's length
NEEDS_PASSWORD = (LoginMethod.PASSWORD, LoginMethod.PASSWORD_AND_PIN)
NEEDS_PIN = (LoginMethod.PASSWORD_AND_PIN, LoginMethod.PIN_ONLY)
_PIN_ATTEMPTS = 20
# What a session was opened on: changing one ends the user's sessions. The role is among them:
# sessions opened with a manager's trust should not outlive it.
CREDENTIALS = ("password_hash", "pin_hmac", "login_method", "role")
PIN_COLLISIONS = "pin-collision:user:"  # + the actor's user id: their TAKEN answers to typed PINs
PIN_TAKEN = "Another user has this PIN: choose another."


def _members(actor: Actor):
    return User.filter(organisation_id=actor.organisation_id, deleted_at=None)


async def list_page(actor: Actor, first: int | None, after_id: int | None) -> Page[User]:
    actor.require_admin()
    return await page(_members(actor), first, after_id)


async def get(actor: Actor, user_id: int | None) -> User:
    """ADMIN and MANAGER see everyone in their organisation; others only themselves."""
    me = actor.require_user()
    if user_id == me.id:
        return me
    actor.require_admin()
    return await find(actor, user_id)


async def find(actor: Actor, user_id: int | None) -> User:
    """A member of the actor's organisation, whoever asks (what they may read of them is the caller's rule)."""
    return await one(_members(actor), user_id, "user")


def _guard_admins(actor: Actor, *roles: Role | None) -> None:
    """A MANAGER cannot create, change, promote to or delete an ADMIN."""
    if actor.require_admin().role == Role.MANAGER and Role.ADMIN in roles:
        raise Forbidden()


def _check_display_name(check: Collector, display_name: str | None) -> None:
    if display_name is not None and len(display_name.strip()) > DISPLAY_NAME_MAX:
        check.add(ErrorCode.INVALID, f"Use at most {DISPLAY_NAME_MAX} characters.", "displayName")


@dataclasses.dataclass
class UserChanges:
    username: str | None = None
    display_name: str | None = None
    role: Role | None = None
    login_method: LoginMethod | None = None
    password: str | None = None
    pin: str | None = None
    generate_pin: bool = False


async def create(actor: Actor, runtime: Runtime, data: UserChanges) -> tuple[User, str | None]:
    """The new user, and the generated PIN (shown once) when one was asked for."""
    _guard_admins(actor, data.role)
    check = Collector()
    username = (data.username or "").strip()
    if not username:
        check.add(ErrorCode.REQUIRED, "Choose a username.", "username")
    elif not USERNAME.match(username):
        check.add(ErrorCode.INVALID, "Use up to 150 letters, digits and . _ @ + -", "username")
    elif await User.filter(username=username).exists():
        check.add(ErrorCode.TAKEN, f"The username {username!r} is taken.", "username")
    _check_display_name(check, data.display_name)
    if data.role is None:
        check.add(ErrorCode.REQUIRED, "Choose a role.", "role")
        check.raise_if_any()  # a user cannot even be built without one
    user = User(organisation_id=actor.organisation_id, username=username,
                display_name=(data.display_name or "").strip() or username, role=data.role,
                login_method=data.login_method or LoginMethod.PASSWORD)
    secrets = await _secrets(actor, runtime, user, user.login_method, data, check)
    user.update_from_dict(secrets.columns)
    try:
        async with audit.unit_of_work():
            await user.save()
            await _refund_typed_pin(actor, secrets)
            await audit.record("user.created", organisation_id=actor.organisation_id, actor=actor, user_id=user.id)
    except IntegrityError:
        raise await _clash(actor, user, secrets, username) from None
    return user, secrets.generated_pin


async def update(actor: Actor, runtime: Runtime, user_id: int | None, data: UserChanges) -> tuple[User, str | None]:
    """The user as changed, and the generated PIN (shown once) when one was asked for.

    A change of credentials (password, PIN, login method or role, to another value) ends the
    user's live sessions with CREDENTIALS_CHANGED, in the same transaction. Actors who change
    their own keep the session they made the change from, as GitHub and Google do: the person
    making the change is the one who proved who they are, and ending that session would only
    log out the one holder known to be right. Their other sessions end.

    The user's row is read again and locked before the write, so a login that locks it too
    either commits first, and its session ends here, or waits and then meets the new credentials.
    """
    user = await get(actor, user_id)
    _guard_admins(actor, user.role, data.role)
    check = Collector()
    changes = {}
    if data.display_name is not None:
        if not data.display_name.strip():
            check.add(ErrorCode.REQUIRED, "A display name cannot be blank.", "displayName")
        _check_display_name(check, data.display_name)
        changes["display_name"] = data.display_name.strip()
    if data.role is not None:
        changes["role"] = data.role
    if data.login_method is not None:
        changes["login_method"] = data.login_method
    secrets = await _secrets(actor, runtime, user, changes.get("login_method", user.login_method), data, check)
    changes.update(secrets.columns)
    try:
        async with audit.unit_of_work():
            user = await _locked(actor, user.id)
            _guard_admins(actor, user.role, data.role)  # as it is now, not as first read
            # A column set to the value it has is no change. A new password always is one: every
            # hash has its own salt (and comparing would cost an Argon2 check, and tell the actor
            # whether they had guessed the old password).
            changed = {name: value for name, value in changes.items() if getattr(user, name) != value}
            if changed:
                await user.update_from_dict(changed).save(update_fields=list(changed))
            await _refund_typed_pin(actor, secrets)
            ended = 0
            if any(name in CREDENTIALS for name in changed):
                own = actor.session if user.id == actor.user.id else None
                ended = await sessions.end_for_user(user.id, sessions.EndReason.CREDENTIALS_CHANGED, keep=own)
            await audit.record("user.updated", organisation_id=actor.organisation_id, actor=actor, user_id=user.id,
                               changed=sorted(changed), sessions_ended=ended)
    except IntegrityError:
        raise await _clash(actor, user, secrets) from None
    except (UserErrors, Forbidden):
        # Refused on the row as it is now (deleted, or made an ADMIN, meanwhile): the typed PIN
        # was never answered, so its charge goes back, as the rolled-back refund would have.
        await _refund_typed_pin(actor, secrets)
        raise
    return user, secrets.generated_pin


async def _locked(actor: Actor, user_id: int) -> User:
    """The user's row, read again and locked until the transaction ends; NOT_FOUND once deleted."""
    return await one(_members(actor).select_for_update(), user_id, "user")


@dataclasses.dataclass
class _Secrets:
    """What ``_secrets`` validated."""

    columns: dict  # password_hash and pin_hmac, as they are to be written
    generated_pin: str | None = None  # shown once
    typed_pin_hmac: str | None = None  # charged to the actor's PIN collisions until it is saved


async def _secrets(actor: Actor, runtime: Runtime, user: User, method: LoginMethod, data: UserChanges,
                   check: Collector) -> _Secrets:
    """The password and the PIN to write, validated. ``method`` (the user's login method once
    changed) decides which must exist. Raises on any problem."""
    organisation = actor.session.organisation if actor.session else await user.organisation
    if data.password is not None:
        for message in passwords.problems(data.password):
            check.add(ErrorCode.INVALID, message, "password")
    if data.pin is not None and data.generate_pin:
        check.add(ErrorCode.INVALID, "Give a PIN or ask for one to be generated, not both.", "pin")
    elif data.pin is not None:
        for message in pins.problems(runtime, organisation, data.pin):
            check.add(ErrorCode.INVALID, message, "pin")
    if method in NEEDS_PASSWORD and data.password is None and user.password_hash is None:
        check.add(ErrorCode.REQUIRED, f"{method.value} needs a password.", "password")
    if method in NEEDS_PIN and data.pin is None and not data.generate_pin and user.pin_hmac is None:
        check.add(ErrorCode.REQUIRED, f"{method.value} needs a PIN: give one or set generatePin.", "pin")
    check.raise_if_any()
    secrets = _Secrets(columns={})
    if data.password is not None:
        secrets.columns["password_hash"] = await passwords.hash_password(data.password)
    if data.pin is not None:
        secrets.typed_pin_hmac = await _typed_pin(actor, runtime, organisation, user, data.pin)
        secrets.columns["pin_hmac"] = secrets.typed_pin_hmac
    elif data.generate_pin:
        secrets.generated_pin, secrets.columns["pin_hmac"] = await draw_unique_pin(runtime, organisation)
    if "pin_hmac" in secrets.columns:
        secrets.columns["pin_key_id"] = pins.key_id(runtime.settings.secret_key)
    return secrets


async def _typed_pin(actor: Actor, runtime: Runtime, organisation: Organisation, user: User, pin: str) -> str:
    """The HMAC of a typed PIN that no other user has; the attempt stays charged until it is saved.

    The PIN alone names its user, so TAKEN tells the actor a colleague's PIN, and with it a login
    as that colleague on any register. Each TAKEN therefore costs the actor one of five a day
    (throttle.PIN_COLLISION); after the fifth, typed PINs answer THROTTLED without being hashed
    or looked up, and generatePin still works. The attempt is charged before the lookup
    (``charge`` locks the actor's count, so parallel attempts cannot share one) and refunded
    when the PIN is saved. A collision keeps its charge, and its audit row is committed at once,
    like the charge: the TAKEN answer rolls neither back.
    """
    try:
        await throttle.charge(_collisions(actor))
    except UserErrors as throttled:
        raise refuse(ErrorCode.THROTTLED, "Too many PINs you typed today belonged to someone else: ask for a "
                     "generated PIN (generatePin), or try again later.", "pin",
                     retry_after_seconds=throttled.problems[0].retry_after_seconds) from None
    hmacs = pins.pin_hmacs(runtime.settings.pin_keys, organisation.id, pin)
    holder = await _holder(hmacs, user)
    if holder is not None:
        await _collision(actor, holder)
        raise refuse(ErrorCode.TAKEN, PIN_TAKEN, "pin")
    return hmacs[0]


async def draw_unique_pin(runtime: Runtime, organisation: Organisation) -> tuple[str, str]:
    """A random PIN no one has, and its HMAC. No budget: the actor never chose it, so a taken one tells them nothing."""
    keys = runtime.settings.pin_keys
    for _ in range(_PIN_ATTEMPTS):
        pin = pins.generate(runtime, organisation)
        hmacs = pins.pin_hmacs(keys, organisation.id, pin)
        if not await User.filter(**pins.any_of(hmacs)).exists():  # free under every key, not only the current
            return pin, hmacs[0]
    raise refuse(ErrorCode.TAKEN, "No free PIN found: the organisation has too many users for its PIN rules.", "pin")


def _collisions(actor: Actor) -> throttle.Key:
    return throttle.Key(f"{PIN_COLLISIONS}{actor.user.id}", throttle.PIN_COLLISION)


async def _holder(hmacs: str | list[str], user: User) -> int | None:
    """The ID of the other user whose PIN this is (its HMAC under any key, or one HMAC), if any."""
    hmacs = [hmacs] if isinstance(hmacs, str) else hmacs
    return await User.filter(**pins.any_of(hmacs)).exclude(id=user.id or 0).first().values_list("id", flat=True)


async def _collision(actor: Actor, holder_id: int | None) -> None:
    """Audit a typed PIN that another user has and, after the fifth, the lock it earned."""
    await audit.record("pin.collision", organisation_id=actor.organisation_id, actor=actor, target_user_id=holder_id)
    await throttle.audit_locks((_collisions(actor),), actor.organisation_id, actor)


async def _refund_typed_pin(actor: Actor, secrets: _Secrets) -> None:
    """Give a typed PIN's charge back, inside the transaction that saves it: a save the unique
    index refuses keeps the charge."""
    if secrets.typed_pin_hmac is not None:
        await throttle.succeeded(_collisions(actor))


async def _clash(actor: Actor, user: User, secrets: _Secrets, username: str | None = None) -> UserErrors:
    """A unique index refused the row: a concurrent writer took the username or the PIN first.

    A typed PIN that lost this race is a collision like one the lookup found: its charge stays
    (the refund rolled back with the save) and it is audited, naming the holder when it can.
    A typed PIN's charge stays after a username race too: rare, and it errs on the safe side.
    """
    if username and await User.filter(username=username).exists():
        return refuse(ErrorCode.TAKEN, f"The username {username!r} is taken.", "username")
    if secrets.typed_pin_hmac is not None:
        await _collision(actor, await _holder(secrets.typed_pin_hmac, user))
    return refuse(ErrorCode.TAKEN, PIN_TAKEN, "pin")


async def delete(actor: Actor, user_id: int | None) -> User:
    """Delete a user and end their sessions. The row is read again and locked first, so a login
    that locks it too either commits first, and its session ends here, or waits and finds no user."""
    user = await get(actor, user_id)
    _guard_admins(actor, user.role)
    if user.id == actor.user.id:
        raise refuse(ErrorCode.INVALID, "You cannot delete yourself.", "id")
    async with audit.unit_of_work():
        user = await _locked(actor, user.id)
        _guard_admins(actor, user.role)
        user.deleted_at = utcnow()
        # Free the username and drop every credential; the row stays for session history.
        user.username = f"{user.username}#deleted-{user.id}"[:150]
        user.pin_hmac = user.pin_key_id = user.password_hash = None
        await user.save(update_fields=["deleted_at", "username", "pin_hmac", "pin_key_id", "password_hash"])
        ended = await sessions.end_for_user(user.id, sessions.EndReason.USER_DELETED)
        await audit.record("user.deleted", organisation_id=actor.organisation_id, actor=actor, user_id=user.id,
                           sessions_ended=ended)
    return user


async def logout(actor: Actor, user_id: int | None) -> User:
    """End every live session of a user, wherever it is (``ENDED_BY_ADMIN``): ADMIN and MANAGER,
    and a MANAGER not an ADMIN's. The user's row is locked first, as a login locks it before it
    opens a session: a login either commits first, and its session ends here, or comes after."""
    _guard_admins(actor)
    user = await find(actor, user_id)
    _guard_admins(actor, user.role)
    async with audit.unit_of_work():
        user = await _locked(actor, user.id)
        _guard_admins(actor, user.role)  # as it is now, not as first read
        ended = await sessions.end_for_user(user.id, sessions.EndReason.ENDED_BY_ADMIN)
        await audit.record("user.logged_out", organisation_id=actor.organisation_id, actor=actor, user_id=user.id,
                           sessions_ended=ended)
    return user
