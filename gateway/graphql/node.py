"""The ``Node`` interface and ``node(id)``: each domain module registers how its type is found.

A global ID names its type, so ``node`` routes on it: one registry, filled by
``register`` beside each type, rather than a chain of ``if``s that every new
type must remember to join.
"""

from __future__ import annotations

from typing import Annotated, Awaitable, Callable

import strawberry
from strawberry.types import Info

from gateway.graphql import ids
from gateway.services.actor import Actor
from gateway.services.errors import UserErrors


@strawberry.interface(description="An object with a globally unique, opaque ID, fetchable with `node(id:)`.")
class Node:
    id: strawberry.ID = strawberry.field(description="Opaque global ID.")


Find = Callable[[Actor, int], Awaitable[object]]
_FINDERS: dict[str, tuple[Find, Callable]] = {}


def register(node_type: type, find: Find) -> None:
    """``node(id)`` answers IDs of ``node_type`` with ``node_type.of(await find(actor, pk))``.

    ``find`` looks in the caller's organisation only and raises NOT_FOUND for
    anything else; what the caller may read of the object is access.py's to say.
    """
    _FINDERS[node_type.__name__] = (find, node_type.of)


async def resolve(info: Info, global_id: str) -> Node | None:
    decoded = ids.decode_any(global_id)
    found = _FINDERS.get(decoded[0]) if decoded else None
    actor = await info.context.actor()
    actor.require_user()
    if found is None:
        return None
    find, wrap = found
    try:
        return wrap(await find(actor, decoded[1]))
    except UserErrors:
        return None  # NOT_FOUND: foreign and unknown IDs look the same


@strawberry.type
class Query:
    @strawberry.field(description="Any object by its global ID; null when it does not exist or is not yours.")
    async def node(self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="A global ID.")]) -> Node | None:
        return await resolve(info, id)
