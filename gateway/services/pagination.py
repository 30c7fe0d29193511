"""Keyset pagination over primary keys: a page costs the same at any depth."""

from __future__ import annotations

import dataclasses
from typing import Generic, TypeVar

from tortoise.queryset import QuerySet

from gateway.services.errors import ErrorCode, refuse

T = TypeVar("T")
MAX_PAGE = 100
DEFAULT_PAGE = 20


@dataclasses.dataclass
class Page(Generic[T]):
    items: list[T]
    has_next: bool
    has_previous: bool


def page_size(first: int | None) -> int:
    """How many items a page holds: ``first``, 20 when it is not given, refused beyond 0 to 100."""
    size = DEFAULT_PAGE if first is None else first
    if not 0 <= size <= MAX_PAGE:
        raise refuse(ErrorCode.INVALID, f"first must be between 0 and {MAX_PAGE}.", "first")
    return size


async def page(queryset: QuerySet, first: int | None, after_id: int | None, newest_first: bool = False) -> Page:
    """Up to ``first`` rows after the row ``after_id``, oldest first, or newest first for the
    lists a back office reads from the top (sessions, the audit log)."""
    size = page_size(first)
    if after_id is not None:
        queryset = queryset.filter(id__lt=after_id) if newest_first else queryset.filter(id__gt=after_id)
    rows = await queryset.order_by("-id" if newest_first else "id").limit(size + 1)
    return Page(items=rows[:size], has_next=len(rows) > size, has_previous=after_id is not None)


async def one(queryset: QuerySet, pk: int | None, what: str):
    """The row of ``queryset`` (already scoped to the viewer) with this id, or NOT_FOUND.

    An unknown id and another organisation's look exactly the same.
    """
    found = await queryset.get_or_none(id=pk) if pk else None
    if found is None:
        raise refuse(ErrorCode.NOT_FOUND, f"No such {what}.", "id")
    return found
