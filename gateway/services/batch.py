"""Batched reads for DataLoaders: one statement per relation per request, whatever the list length.

Callers pass keys taken from rows already scoped to the viewer's organisation.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from tortoise.models import Model

from gateway.models import Device, Session
from gateway.services.devices import LISTED

_PARENTS_PER_STATEMENT = 100
_LISTED_SQL = " AND state IN (" + ", ".join(f"'{s.value}'" for s in LISTED) + ")"
_ACTIVE_SQL = {None: "", True: " AND ended_at IS NULL", False: " AND ended_at IS NOT NULL"}


async def by_ids(model: type[Model], ids: Iterable[int]) -> list[Model | None]:
    ids = list(ids)
    rows = {row.id: row for row in await model.filter(id__in=set(ids))}
    return [rows.get(i) for i in ids]


async def _first_per_parent(model: type[Model], field: str, parents: set[int], first: int, where: str,
                            newest_first: bool) -> dict[int, list]:
    """The first ``first`` rows of each parent, by id, in one statement.

    Each parent's rows come from an ``ORDER BY id LIMIT n`` walk of an index
    that stops after n entries, so a parent with a million children costs what
    one with five does. On PostgreSQL that is a LATERAL join over an array
    parameter (planned in microseconds); SQLite has no LATERAL, so there it is a
    UNION ALL of per-parent subqueries, 100 parents per statement (far below
    its limit of 500 compound terms; SQLite plans them cheaply). Every value
    interpolated is an int or a constant of this module.
    """
    found: dict[int, list] = defaultdict(list)
    if first <= 0 or not parents:
        return found
    meta = model._meta
    columns = ", ".join(f'"{column}"' for column in meta.db_fields)
    order = "DESC" if newest_first else "ASC"
    inner = f'SELECT {columns} FROM "{meta.db_table}" WHERE "{field}" = {{parent}}{where} ORDER BY "id" {order} LIMIT {int(first)}'
    client = meta.db
    if client.capabilities.dialect == "postgres":
        statements = [(f"SELECT part.* FROM unnest($1::bigint[]) AS parent(id) CROSS JOIN LATERAL "
                       f"({inner.format(parent='parent.id')}) AS part", [sorted(parents)])]
    else:
        ordered = sorted(parents)
        statements = [(" UNION ALL ".join(f"SELECT * FROM ({inner.format(parent=int(parent))}) AS part{n}"
                                          for n, parent in enumerate(ordered[start:start + _PARENTS_PER_STATEMENT])), [])
                      for start in range(0, len(ordered), _PARENTS_PER_STATEMENT)]
    for sql, values in statements:
        for row in await client.execute_query_dict(sql, values):
            instance = model._init_from_db(**row)
            found[getattr(instance, field)].append(instance)
    for rows in found.values():
        rows.sort(key=lambda row: row.id, reverse=newest_first)
    return found


async def _devices_by(field: str, keys: list[tuple[int, int]]) -> list[list[Device]]:
    """Approved and revoked devices per (parent id, how many), oldest first."""
    grouped: dict[int, set[int]] = defaultdict(set)
    for parent, first in keys:
        grouped[first].add(parent)
    found = {first: await _first_per_parent(Device, field, parents, first, _LISTED_SQL, newest_first=False)
             for first, parents in grouped.items()}
    return [found[first].get(parent, []) for parent, first in keys]


async def devices_by_code(keys: list[tuple[int, int]]) -> list[list[Device]]:
    return await _devices_by("paired_with_id", keys)


async def devices_by_configuration(keys: list[tuple[int, int]]) -> list[list[Device]]:
    return await _devices_by("configuration_id", keys)


async def sessions_by(field: str, keys: list[tuple[int, bool | None, int]]) -> list[list[Session]]:
    """Newest first, per (owner id, active filter, how many) key."""
    assert field in ("device_id", "user_id")
    grouped: dict[tuple[bool | None, int], set[int]] = defaultdict(set)
    for owner, active, first in keys:
        grouped[(active, first)].add(owner)
    found = {
        (active, first): await _first_per_parent(Session, field, owners, first, _ACTIVE_SQL[active], newest_first=True)
        for (active, first), owners in grouped.items()
    }
    return [found[(active, first)].get(owner, []) for owner, active, first in keys]
