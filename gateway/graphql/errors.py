"""The one mapper from service errors to answers: user errors in payloads, top-level
errors for authentication and authorization, masking for the rest."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from gateway.services import errors as service_errors
from gateway.services.errors import Forbidden, NotAuthenticated, SessionLocked, UserErrors

log = logging.getLogger("pairgate.graphql")

ErrorCode = strawberry.enum(
    service_errors.ErrorCode,
    description="Why a mutation refused its input. Stable: clients branch on it.",
)


@strawberry.type(description="A problem with the input of a mutation; nothing was changed.")
class UserError:
    field: list[str] | None = strawberry.field(
        description="Path to the input field at fault, e.g. [\"input\", \"expiresAt\"]; null when no single field is."
    )
    message: str = strawberry.field(description="What went wrong, in words a person can act on.")
    code: ErrorCode = strawberry.field(description="Machine-readable reason.")
    retry_after_seconds: int | None = strawberry.field(
        description="For THROTTLED: seconds until another attempt is accepted."
    )


INPUT = strawberry.argument(description="The mutation's arguments.")
ERRORS = "Empty on success."


def user_errors(exc: UserErrors) -> list[UserError]:
    return [
        UserError(
            field=["input", *problem.field] if problem.field else None,
            message=problem.message,
            code=problem.code,
            retry_after_seconds=problem.retry_after_seconds,
        )
        for problem in exc.problems
    ]


async def respond(payload, field: str, change, convert):
    """``payload(field=convert(await change), user_errors=[])``, or the errors and no object."""
    try:
        value = await change
    except UserErrors as exc:
        return payload(**{field: None}, user_errors=user_errors(exc))
    return payload(**{field: convert(value)}, user_errors=[])


_KNOWN = {
    NotAuthenticated: ("UNAUTHENTICATED", "Log in first: send Authorization: Bearer <session token>."),
    Forbidden: ("FORBIDDEN", "Your role does not allow this."),
    SessionLocked: ("SESSION_LOCKED", "This session is locked: type a PIN on its register to unlock it, or log out."),
}


def _translate(error: GraphQLError) -> GraphQLError | None:
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return error  # raised on purpose (validation, limits): already safe to show
    for kind, (code, message) in _KNOWN.items():
        if isinstance(original, kind):
            return GraphQLError(message, nodes=error.nodes, path=error.path, extensions={"code": code})
    if isinstance(original, UserErrors):
        # Input errors outside a payload (query arguments such as ``first``).
        return GraphQLError(str(original), nodes=error.nodes, path=error.path,
                            extensions={"code": "BAD_USER_INPUT"})
    return None


def safe_error(error: GraphQLError) -> GraphQLError:
    """What the client may see: auth failures become UNAUTHENTICATED / FORBIDDEN / SESSION_LOCKED,
    anything unexpected is logged with its traceback here and reaches the client
    as a bare message."""
    translated = _translate(error)
    if translated is not None:
        return translated
    log.error("unexpected error in %s", error.path, exc_info=error.original_error)
    return GraphQLError(
        "Unexpected error.", nodes=error.nodes, path=error.path,
        extensions={"code": "INTERNAL_SERVER_ERROR"},
    )


class ErrorPolicy(MaskErrors):
    """``safe_error`` for operations run through ``Schema.execute`` (the HTTP path calls it directly)."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda error: True)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        return safe_error(error)
