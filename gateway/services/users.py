"""Users of an organisation: roles, login methods, passwords and PINs."""

from __future__ import annotations

import dataclasses
import re

from tortoise.exceptions import IntegrityError

from gateway.models import LoginMethod, Role, Session, User
from gateway.services import audit, passwords, pins, sessions
from gateway.services.actor import Actor
from gateway.services.clock import utcnow
from gateway.services.errors import Collector, ErrorCode, Forbidden, refuse
from gateway.services.pagination import Page, one, page
from gateway.services.runtime import Runtime

USERNAME = re.compile(r"^[A-Za-z0-9._@+-]{1,150}$")
NEEDS_PASSWORD = (LoginMethod.PASSWORD, LoginMethod.PASSWORD_AND_PIN)
NEEDS_PIN = (LoginMethod.PASSWORD_AND_PIN, LoginMethod.PIN_ONLY)
_PIN_ATTEMPTS = 20


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
    return await one(_members(actor), user_id, "user")


def _guard_admins(actor: Actor, *roles: Role | None) -> None:
    """A MANAGER cannot create, change, promote to or delete an ADMIN."""
    if actor.require_admin().role == Role.MANAGER and Role.ADMIN in roles:
        raise Forbidden()


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
    if data.role is None:
        check.add(ErrorCode.REQUIRED, "Choose a role.", "role")
    user = User(organisation_id=actor.organisation_id, username=username,
                display_name=(data.display_name or "").strip() or username, role=data.role,
                login_method=data.login_method or LoginMethod.PASSWORD)
    generated = await _apply_secrets(actor, runtime, user, data, check)
    await _save(actor, user, "user.created", new_username=username)
    return user, generated


async def update(actor: Actor, runtime: Runtime, user_id: int | None, data: UserChanges) -> tuple[User, str | None]:
    user = await get(actor, user_id)
    _guard_admins(actor, user.role, data.role)
    check = Collector()
    if data.display_name is not None:
        if not data.display_name.strip():
            check.add(ErrorCode.REQUIRED, "A display name cannot be blank.", "displayName")
        user.display_name = data.display_name.strip()
    if data.role is not None:
        user.role = data.role
    if data.login_method is not None:
        user.login_method = data.login_method
    generated = await _apply_secrets(actor, runtime, user, data, check)
    await _save(actor, user, "user.updated")
    return user, generated


async def _save(actor: Actor, user: User, event_type: str, new_username: str | None = None) -> None:
    """Save and audit; when a unique index refuses the row, a concurrent writer took the username or the PIN first."""
    try:
        async with audit.unit_of_work():
            await user.save()
            await audit.record(event_type, organisation_id=actor.organisation_id, actor=actor, user_id=user.id)
    except IntegrityError:
        raise await _clash(new_username) from None


async def _apply_secrets(actor: Actor, runtime: Runtime, user: User, data: UserChanges, check: Collector):
    """Validate and set password and PIN; the method decides which must exist. Raises on any problem."""
    organisation = actor.session.organisation if actor.session else await user.organisation
    if data.password is not None:
        for message in passwords.problems(data.password):
            check.add(ErrorCode.INVALID, message, "password")
    if data.pin is not None and data.generate_pin:
        check.add(ErrorCode.INVALID, "Give a PIN or ask for one to be generated, not both.", "pin")
    elif data.pin is not None:
        for message in pins.problems(runtime, organisation, data.pin):
            check.add(ErrorCode.INVALID, message, "pin")
    method = user.login_method
    if method in NEEDS_PASSWORD and data.password is None and user.password_hash is None:
        check.add(ErrorCode.REQUIRED, f"{method.value} needs a password.", "password")
    if method in NEEDS_PIN and data.pin is None and not data.generate_pin and user.pin_hmac is None:
        check.add(ErrorCode.REQUIRED, f"{method.value} needs a PIN: give one or set generatePin.", "pin")
    check.raise_if_any()
    if data.password is not None:
        user.password_hash = await passwords.hash_password(data.password)
    secret = runtime.settings.secret_key
    if data.pin is not None:
        user.pin_hmac = pins.pin_hmac(secret, organisation.id, data.pin)
        if await User.filter(pin_hmac=user.pin_hmac).exclude(id=user.id or 0).exists():
            raise refuse(ErrorCode.TAKEN, "Another user has this PIN: choose another.", "pin")
        return None
    if data.generate_pin:
        for _ in range(_PIN_ATTEMPTS):
            pin = pins.generate(runtime, organisation)
            user.pin_hmac = pins.pin_hmac(secret, organisation.id, pin)
            if not await User.filter(pin_hmac=user.pin_hmac).exists():
                return pin
        raise refuse(ErrorCode.TAKEN, "No free PIN found: the organisation has too many users for its PIN rules.", "pin")
    return None


async def _clash(username: str | None):
    if username and await User.filter(username=username).exists():
        return refuse(ErrorCode.TAKEN, f"The username {username!r} is taken.", "username")
    return refuse(ErrorCode.TAKEN, "Another user has this PIN: choose another.", "pin")


async def delete(actor: Actor, user_id: int | None) -> User:
    user = await get(actor, user_id)
    _guard_admins(actor, user.role)
    if user.id == actor.user.id:
        raise refuse(ErrorCode.INVALID, "You cannot delete yourself.", "id")
    now = utcnow()
    async with audit.unit_of_work():
        user.deleted_at = now
        # Free the username and drop every credential; the row stays for session history.
        user.username = f"{user.username}#deleted-{user.id}"[:150]
        user.pin_hmac = user.password_hash = None
        await user.save(update_fields=["deleted_at", "username", "pin_hmac", "password_hash"])
        await Session.filter(user_id=user.id, ended_at=None).update(
            ended_at=now, end_reason=sessions.EndReason.USER_DELETED.value)
        await audit.record("user.deleted", organisation_id=actor.organisation_id, actor=actor, user_id=user.id)
    return user
