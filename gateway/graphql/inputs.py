"""Every mutation's input is checked for text no database can store, before its service runs.

A NUL character (PostgreSQL refuses it) or a lone surrogate such as "\\ud800" (it
cannot be encoded at all) is not a value any column can hold, whatever the field,
so the rule lives here once, at the edge, rather than in every service. How long
a value may be depends on its column: the services check that beside the column.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.utils.str_converters import to_camel_case

from gateway.graphql.errors import user_errors
from gateway.services.errors import ErrorCode, Problem, UserErrors

UNSTORABLE = "Remove the NUL character or the unpaired surrogate: this text cannot be stored."


def storable(value: str) -> bool:
    """Whether ``value`` holds neither NUL nor an unpaired surrogate."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def unstorable_fields(value: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Paths (GraphQL names) of the strings in an input object, or lists of them, that cannot be stored."""
    if isinstance(value, str):
        return [] if storable(value) else [path]
    if isinstance(value, list):
        return [found for item in value for found in unstorable_fields(item, path)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [found for field in dataclasses.fields(value)
                for found in unstorable_fields(getattr(value, field.name), (*path, to_camel_case(field.name)))]
    return []


def refusal(input: Any) -> UserErrors | None:
    """INVALID for each unstorable string of a mutation's input (paths below "input"), or None."""
    bad = unstorable_fields(input)
    return UserErrors(*(Problem(ErrorCode.INVALID, UNSTORABLE, path) for path in bad)) if bad else None


class CheckedText(FieldExtension):
    """Answers a mutation whose input holds unstorable text with its payload's userErrors,
    without running it: nothing is looked up and nothing is written."""

    def apply(self, field) -> None:
        self.field = field

    async def resolve_async(self, next_, source, info, **kwargs):
        refused = refusal(kwargs.get("input"))
        if refused is None:
            return await next_(source, info, **kwargs)
        payload = self.field.type
        empty = {field.name: None for field in dataclasses.fields(payload) if field.name != "user_errors"}
        return payload(**empty, user_errors=user_errors(refused))


def mutation(**options):
    """``strawberry.mutation`` whose input is checked for unstorable text first."""
    return strawberry.mutation(extensions=[CheckedText()], **options)
