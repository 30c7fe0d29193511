"""Batched reads for DataLoaders: one statement per relation per request, whatever the list length.

Callers pass keys taken from rows already scoped to the viewer's organisation.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from tortoise.models import Model

from gateway.models import Device, Session
from gateway.services.devices import LISTED
from gateway.services.pagination import Page

_PARENTS_PER_STATEMENT = 100
_LISTED_SQL = " AND state IN (" + ", ".join(f"'{s.value}'" for s in LISTED) + ")"
_ACTIVE_SQL = {None: "", True: " AND ended_at IS NULL", False: " AND ended_at IS NOT NULL"}


async def by_ids(model: type[Model], ids: Iterable[int]) -> list[Model | None]:
    ids = list(ids)
    rows = {row.id: row for row in await model.filter(id__in=set(ids))}
    return [rows.get(i) for i in ids]


async def _first_per_parent(model: type[Model], field: str, parents: set[int], first: int, where: str,
                            after_id: int | None, newest_first: bool) -> dict[int, Page]:
    """A page of each parent's rows (``first`` of them after ``after_id``, by id), in one statement.

    Each parent's rows come from an ``ORDER BY id LIMIT n`` walk of an index
    that stops after n entries, so a parent with a million children costs what
    one with five does. On PostgreSQL that is a LATERAL join over an array
    parameter (planned in microseconds); SQLite has no LATERAL, so there it is a
    UNION ALL of per-parent subqueries, 100 parents per statement (far below
    its limit of 500 compound terms; SQLite plans them cheaply). Every value
    interpolated is an int or a constant of this module. One row more than the
    page is read, to know whether another page follows.
    """
    found: dict[int, list] = defaultdict(list)
    if parents:
        meta = model._meta
        columns = ", ".join(f'"{column}"' for column in meta.db_fields)
        order = "DESC" if newest_first else "ASC"
        if after_id is not None:
            where += f' AND "id" {"<" if newest_first else ">"} {int(after_id)}'
        inner = (f'SELECT {columns} FROM "{meta.db_table}" WHERE "{field}" = {{parent}}{where} '
                 f'ORDER BY "id" {order} LIMIT {int(first) + 1}')
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
    pages = {}
    for parent in parents:
        rows = sorted(found.get(parent, []), key=lambda row: row.id, reverse=newest_first)
        pages[parent] = Page(items=rows[:first], has_next=len(rows) > first, has_previous=after_id is not None)
    return pages


async def _pages(model: type[Model], field: str, keys: list[tuple], where, newest_first: bool) -> list[Page]:
    """One page per key ``(parent, *filters, first, after_id)``: keys that differ only in
    their parent share a statement. ``where(*filters)`` is the SQL those filters add."""
    grouped: dict[tuple, set[int]] = defaultdict(set)
    for parent, *rest in keys:
        grouped[tuple(rest)].add(parent)
    found = {}
    for rest, parents in grouped.items():
        *filters, first, after_id = rest
        found[rest] = await _first_per_parent(model, field, parents, first, where(*filters), after_id, newest_first)
    return [found[tuple(rest)][parent] for parent, *rest in keys]


async def devices_by_code(keys: list[tuple[int, int, int | None]]) -> list[Page]:
    """Approved and revoked devices per (code id, first, after id), oldest first."""
    return await _pages(Device, "paired_with_id", keys, lambda: _LISTED_SQL, newest_first=False)


async def devices_by_configuration(keys: list[tuple[int, int, int | None]]) -> list[Page]:
    """Approved and revoked devices per (configuration id, first, after id), oldest first."""
    return await _pages(Device, "configuration_id", keys, lambda: _LISTED_SQL, newest_first=False)


async def sessions_by(field: str, keys: list[tuple[int, bool | None, int, int | None]]) -> list[Page]:
    """Sessions per (device or user id, active filter, first, after id), newest first."""
    assert field in ("device_id", "user_id")
    return await _pages(Session, field, keys, _ACTIVE_SQL.__getitem__, newest_first=True)
