"""Turning a service call into a payload: its object, or its user errors."""

from __future__ import annotations

import strawberry

from gateway.graphql.errors import UserError, user_errors
from gateway.services.errors import UserErrors

INPUT = strawberry.argument(description="The mutation's arguments.")
ERRORS = "Empty on success."


async def respond(payload, field: str, change, convert):
    """``payload(field=convert(await change), user_errors=[])``, or the errors and no object."""
    try:
        value = await change
    except UserErrors as exc:
        return payload(**{field: None}, user_errors=user_errors(exc))
    return payload(**{field: convert(value)}, user_errors=[])


__all__ = ["INPUT", "ERRORS", "UserError", "respond"]
