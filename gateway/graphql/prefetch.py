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

NESTED_FIRST_DEFAULT = 20


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


def _nodes(info: Info) -> list[SelectedField]:
    """The fields selected on the items of the connection this resolver returns."""
    connection = _flatten(info.selected_fields)
    return _children(connection, "nodes") + _children(_children(connection, "edges"), "node")


def _sessions_keys(field: SelectedField, owners) -> list | None:
    first = field.arguments.get("first", NESTED_FIRST_DEFAULT)
    if not isinstance(first, int) or not 0 <= first <= 100:
        return None  # the resolver will refuse it; nothing to warm
    return [(owner, field.arguments.get("active"), first) for owner in owners]


async def _users_of(info: Info, sessions_fields: list[SelectedField], lists) -> None:
    if _children(sessions_fields, "user"):
        await info.context.loaders.user.load_many(sorted({s.user_id for rows in lists for s in rows}))


async def devices(info: Info, rows) -> None:
    loaders, nodes = info.context.loaders, _nodes(info)
    if _children(nodes, "configuration"):
        await loaders.configuration.load_many(sorted({r.configuration_id for r in rows if r.configuration_id}))
    for field in _children(nodes, "sessions"):
        keys = _sessions_keys(field, [r.id for r in rows])
        if keys:
            await _users_of(info, [field], await loaders.sessions_by_device.load_many(keys))


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
