"""Organisations (tenants) and their first admin."""

from __future__ import annotations


from gateway.models import LoginMethod, Organisation, Role, User
from gateway.services import audit, passwords
from gateway.services.errors import Collector, ErrorCode, refuse


async def create_organisation(name: str, admin_username: str, admin_password: str) -> tuple[Organisation, User]:
    """Create a tenant with one ADMIN who logs in by password."""
    check = Collector()
    name = name.strip()
    admin_username = admin_username.strip()
    if not name:
        check.add(ErrorCode.REQUIRED, "Give the organisation a name.", "name")
    if not admin_username:
        check.add(ErrorCode.REQUIRED, "Give the admin a username.", "adminUsername")
    elif await User.filter(username=admin_username).exists():
        check.add(ErrorCode.TAKEN, f"The username {admin_username!r} is taken.", "adminUsername")
    for message in passwords.problems(admin_password):
        check.add(ErrorCode.INVALID, message, "password")
    check.raise_if_any()
    password_hash = await passwords.hash_password(admin_password)
    async with audit.unit_of_work():
        organisation = await Organisation.create(name=name)
        admin = await User.create(
            organisation=organisation,
            username=admin_username,
            display_name=admin_username,
            role=Role.ADMIN,
            login_method=LoginMethod.PASSWORD,
            password_hash=password_hash,
        )
    return organisation, admin


async def find(actor, organisation_id: int | None) -> Organisation:
    """The actor's own organisation by its id; any other id is NOT_FOUND."""
    if organisation_id != actor.organisation_id:
        raise refuse(ErrorCode.NOT_FOUND, "No such organisation.", "id")
    return await Organisation.get(id=organisation_id)


NAME_MAX = 200  # the column's length
IDLE_MINUTES = (1, 24 * 60)
MAX_HOURS = (1, 7 * 24)
LOCK_MINUTES = (0, 24 * 60)


async def update(actor, name: str | None, pin_login_enabled: bool | None,
                 session_idle_minutes: int | None, session_max_hours: int | None,
                 session_lock_minutes: int | None = None) -> Organisation:
    """Organisation settings (ADMIN, MANAGER).

    ``session_lock_minutes`` (0: off) must stay below ``session_idle_minutes``: a session reaching
    its idle timeout ends, so a lock due no sooner would never happen, and a setting that does
    nothing would mislead whoever reads it. Either change that would break this is refused."""
    actor.require_admin()
    organisation = await Organisation.get(id=actor.organisation_id)
    check = Collector()
    if name is not None:
        if not name.strip():
            check.add(ErrorCode.REQUIRED, "The organisation needs a name.", "name")
        elif len(name.strip()) > NAME_MAX:
            check.add(ErrorCode.INVALID, f"Use at most {NAME_MAX} characters.", "name")
        organisation.name = name.strip()
    for value, (low, high), field, label in (
        (session_idle_minutes, IDLE_MINUTES, "sessionIdleMinutes", "minutes"),
        (session_max_hours, MAX_HOURS, "sessionMaxHours", "hours"),
        (session_lock_minutes, LOCK_MINUTES, "sessionLockMinutes", "minutes"),
    ):
        if value is not None and not low <= value <= high:
            check.add(ErrorCode.INVALID, f"Choose between {low} and {high} {label}.", field)
    idle = organisation.session_idle_minutes if session_idle_minutes is None else session_idle_minutes
    lock = organisation.session_lock_minutes if session_lock_minutes is None else session_lock_minutes
    out_of_range = {problem.field for problem in check.problems}
    if lock and lock >= idle and not {("sessionIdleMinutes",), ("sessionLockMinutes",)} & out_of_range:
        field = "sessionLockMinutes" if session_lock_minutes is not None else "sessionIdleMinutes"
        check.add(ErrorCode.INVALID, f"Sessions would lock after {lock} minutes but end after {idle}: lock them "
                  "sooner than they end idle, or set sessionLockMinutes to 0.", field)
    check.raise_if_any()
    if pin_login_enabled is not None:
        organisation.pin_login_enabled = pin_login_enabled
    if session_idle_minutes is not None:
        organisation.session_idle_minutes = session_idle_minutes
    if session_max_hours is not None:
        organisation.session_max_hours = session_max_hours
    if session_lock_minutes is not None:
        organisation.session_lock_minutes = session_lock_minutes
    async with audit.unit_of_work():
        await organisation.save()
        await audit.record("organisation.updated", organisation_id=organisation.id, actor=actor,
                           pin_login_enabled=organisation.pin_login_enabled,
                           session_lock_minutes=organisation.session_lock_minutes)
    return organisation
