"""How services refuse things. The GraphQL layer maps these one to one."""

from __future__ import annotations

import dataclasses
from enum import Enum


class ErrorCode(str, Enum):
    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    NOT_FOUND = "NOT_FOUND"
    TAKEN = "TAKEN"
    IN_USE = "IN_USE"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"
    ALREADY_USED = "ALREADY_USED"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    PIN_LOGIN_DISABLED = "PIN_LOGIN_DISABLED"
    DEVICE_NOT_APPROVED = "DEVICE_NOT_APPROVED"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    THROTTLED = "THROTTLED"


@dataclasses.dataclass(frozen=True)
class Problem:
    code: ErrorCode
    message: str
    field: tuple[str, ...] | None = None
    retry_after_seconds: int | None = None


class UserErrors(Exception):
    """Bad input or a refused action: nothing was changed."""

    def __init__(self, *problems: Problem):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = list(problems)


def refuse(code: ErrorCode, message: str, *field: str, retry_after_seconds: int | None = None) -> UserErrors:
    return UserErrors(Problem(code, message, tuple(field) or None, retry_after_seconds))


class Collector:
    """Gathers every problem with an input so the client sees them all at once."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, code: ErrorCode, message: str, *field: str) -> None:
        self.problems.append(Problem(code, message, tuple(field) or None))

    def raise_if_any(self) -> None:
        if self.problems:
            raise UserErrors(*self.problems)


class NotAuthenticated(Exception):
    """The request carries no valid session."""


class Forbidden(Exception):
    """The viewer is known but may not do this."""


class SessionLocked(Exception):
    """The request's session is locked at its register: until a PIN typed there unlocks it, it
    may only log out (and read the lock screen)."""
