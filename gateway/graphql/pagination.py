"""Relay connections (``first`` ≤ 100, ``after``, ``edges``, ``nodes``, ``pageInfo``)."""

from __future__ import annotations

from typing import Annotated, Callable, Generic, TypeVar

import strawberry

from gateway.graphql import ids
from gateway.graphql.loaders import related
from gateway.services.pagination import Page, page_size

T = TypeVar("T")

First = Annotated[int | None, strawberry.argument(description="How many items to return, 0 to 100 (default 20).")]
After = Annotated[
    str | None, strawberry.argument(description="Return items after this cursor (pageInfo.endCursor of the previous page).")
]


@strawberry.type(description="Where a page sits in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items precede this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item of the page.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last item; pass it as `after` for the next page.")


@strawberry.type(description="An item of a page with its cursor.")
class Edge(Generic[T]):
    node: T = strawberry.field(description="The item.")
    cursor: str = strawberry.field(description="Opaque position of the item, for `after`.")


@strawberry.type(description="One page of a list, in creation order.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items with their cursors.")
    nodes: list[T] = strawberry.field(description="The items, without cursors.")
    page_info: PageInfo = strawberry.field(description="Pagination state.")


def nested(info, loader, parent_id: int, filters: tuple, first: int | None, after: str | None, convert):
    """A connection under an object (``Device.sessions``): its page comes from ``loader``, keyed
    ``(parent_id, *filters, first, after id)``, batched over every parent of the answer."""
    return related(loader, nested_key(parent_id, filters, first, after),
                   lambda page: connection(page, convert, info.context.loaders))


def nested_key(parent_id: int, filters: tuple, first: int | None, after: str | None) -> tuple:
    """The loader key of a nested connection's page; refused (UserErrors) for a bad ``first`` or ``after``."""
    return (parent_id, *filters, page_size(first), ids.after_id(after))


def connection(result: Page, convert: Callable, loaders=None) -> Connection:
    if loaders is not None:
        loaders.prime(result.items)
    nodes = [convert(item) for item in result.items]
    cursors = [ids.cursor(item.id) for item in result.items]
    return Connection(
        edges=[Edge(node=node, cursor=c) for node, c in zip(nodes, cursors)],
        nodes=nodes,
        page_info=PageInfo(
            has_next_page=result.has_next,
            has_previous_page=result.has_previous,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        ),
    )
