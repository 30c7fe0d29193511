"""Warm the request's loaders for what a list's selection will ask for next.

A list resolver that awaits its nested relations here lets the nested
resolvers answer from the loaders at once (``types._related``) instead of
each returning an awaitable that graphql-core must schedule as a task: for a
page of 100 devices with their sessions and users that was most of the time.
It only ever loads what the selection names, in the batches the loaders would
have made anyway, so the SQL count stays the same; anything it does not
foresee (other arguments under an alias, say) is simply loaded later.
"""

from __future__ import annotations

from strawberry.types import Info
from strawberry.types.nodes import SelectedField

from gateway.graphql.pagination import nested_key
from gateway.services.errors import UserErrors


def _flatten(selections) -> list[SelectedField]:
    fields = []
    for selection in selections:
        if isinstance(selection, SelectedField):
            fields.append(selection)
        else:  # fragment spread or inline fragment
            fields.extend(_flatten(selection.selections))
    return fields


def _children(fields: list[SelectedField], name: str) -> list[SelectedField]:
    return [child for field in fields for child in _flatten(field.selections) if child.name == name]


def _items(connections: list[SelectedField]) -> list[SelectedField]:
    """The fields selected on the items of these connection fields."""
    return _children(connections, "nodes") + _children(_children(connections, "edges"), "node")


def _nodes(info: Info) -> list[SelectedField]:
    """The fields selected on the items of the connection this resolver returns."""
    return _items(_flatten(info.selected_fields))


def _sessions_keys(field: SelectedField, owners) -> list | None:
    """The keys the ``sessions`` resolvers of these owners will ask their loader for
    (pagination.nested), or None when the arguments are not ones they will accept."""
    first, after = field.arguments.get("first"), field.arguments.get("after")
    if not isinstance(first, (int, type(None))) or not isinstance(after, (str, type(None))):
        return None  # not a value the resolver will see as it is here; it loads for itself
    try:
        return [nested_key(owner, (field.arguments.get("active"),), first, after) for owner in owners]
    except UserErrors:
        return None  # the resolver will refuse it; nothing to warm


async def _users_of(info: Info, sessions_field: SelectedField, pages) -> None:
    if _children(_items([sessions_field]), "user"):
        await info.context.loaders.user.load_many(sorted({s.user_id for page in pages for s in page.items}))


async def devices(info: Info, rows) -> None:
    loaders, nodes = info.context.loaders, _nodes(info)
    if _children(nodes, "configuration"):
        await loaders.configuration.load_many(sorted({r.configuration_id for r in rows if r.configuration_id}))
    for field in _children(nodes, "sessions"):
        keys = _sessions_keys(field, [r.id for r in rows])
        if keys:
            await _users_of(info, field, await loaders.sessions_by_device.load_many(keys))


async def sessions(info: Info, rows) -> None:
    loaders, nodes = info.context.loaders, _nodes(info)
    if _children(nodes, "user"):
        await loaders.user.load_many(sorted({r.user_id for r in rows}))
    if _children(nodes, "device"):
        await loaders.device.load_many(sorted({r.device_id for r in rows if r.device_id}))


async def users(info: Info, rows) -> None:
    for field in _children(_nodes(info), "sessions"):
        keys = _sessions_keys(field, [r.id for r in rows])
        if keys:
            await info.context.loaders.sessions_by_user.load_many(keys)
