"""What an operator does from the command line, with no session: reset a lost password.

Usernames are unique today (a unique index), but the command still asks which organisation
when more than one live user has the name, rather than choose one: a reset given to the wrong
person hands them an account.
"""

from __future__ import annotations

from gateway.models import LoginMethod, Organisation, User
from gateway.services import audit, auth, passwords, sessions, throttle
from gateway.services.errors import ErrorCode, refuse


async def find_user(username: str, organisation: str | None = None) -> User:
    """The live user ``username``, of ``organisation`` (its id or its name) when given."""
    users = User.filter(username=username.strip(), deleted_at=None)
    if organisation is not None:
        users = users.filter(organisation_id__in=await _organisation_ids(organisation))
    found = await users.select_related("organisation").order_by("id")
    if not found:
        where = f" in the organisation {organisation!r}" if organisation is not None else ""
        raise refuse(ErrorCode.NOT_FOUND, f"No user named {username!r}{where}.", "username")
    if len(found) > 1:
        names = ", ".join(f"{user.organisation.name!r} (id {user.organisation_id})" for user in found)
        raise refuse(ErrorCode.INVALID, f"{len(found)} users are named {username!r}, in {names}: say which "
                     "with --organisation (its id or its name).", "organisation")
    return found[0]


async def _organisation_ids(organisation: str) -> list[int]:
    matches = Organisation.filter(name=organisation.strip())
    ids = await matches.values_list("id", flat=True)
    if organisation.strip().isdigit():
        ids.append(int(organisation.strip()))
    return ids


async def reset_password(username: str, password: str, organisation: str | None = None) -> tuple[User, int]:
    """Give a user a new password; their live sessions end (CREDENTIALS_CHANGED), their password
    throttle is forgiven, and the audit log records ``user.password_reset``. Returns the user and
    how many sessions ended."""
    problems = passwords.problems(password)
    if problems:
        raise refuse(ErrorCode.INVALID, problems[0], "password")
    user = await find_user(username, organisation)
    if user.login_method == LoginMethod.PIN_ONLY:
        raise refuse(ErrorCode.METHOD_NOT_ALLOWED, f"{user.username!r} logs in with a PIN only: change their login "
                     "method, or give them a new PIN, from the back office.", "username")
    password_hash = await passwords.hash_password(password)
    async with audit.unit_of_work():
        # Locked as a login locks it: a login in flight either commits first, and its session
        # ends here, or comes after and meets the new password.
        locked = await User.filter(id=user.id, deleted_at=None).select_for_update().first()
        if locked is None:
            raise refuse(ErrorCode.NOT_FOUND, f"No user named {username!r}.", "username")
        locked.password_hash = password_hash
        await locked.save(update_fields=["password_hash"])
        ended = await sessions.end_for_user(locked.id, sessions.EndReason.CREDENTIALS_CHANGED)
        await audit.record("user.password_reset", organisation_id=locked.organisation_id, user_id=locked.id,
                           sessions_ended=ended, by="command line")
    # Locked out by guesses is what sends an admin here: the new password works at once.
    await throttle.succeeded(throttle.Key(f"password:user:{locked.username.lower()[:auth.USERNAME_LENGTH]}",
                                          throttle.PASSWORD_USER))
    return locked, ended
