"""Batched reads for DataLoaders: one query per relation per request, whatever the list length.

Callers pass keys taken from rows already scoped to the viewer's organisation.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from tortoise.models import Model

from gateway.models import Device, Session
from gateway.services.devices import LISTED


async def by_ids(model: type[Model], ids: Iterable[int]) -> list[Model | None]:
    ids = list(ids)
    rows = {row.id: row for row in await model.filter(id__in=set(ids))}
    return [rows.get(i) for i in ids]


async def _grouped(field: str, keys: list[int], **filters) -> list[list]:
    groups: dict[int, list] = defaultdict(list)
    for row in await Device.filter(**{f"{field}__in": set(keys)}, **filters).order_by("id"):
        groups[getattr(row, field)].append(row)
    return [groups.get(key, []) for key in keys]


async def devices_by_code(code_ids: list[int]) -> list[list[Device]]:
    return await _grouped("paired_with_id", code_ids, state__in=LISTED)


async def devices_by_configuration(configuration_ids: list[int]) -> list[list[Device]]:
    return await _grouped("configuration_id", configuration_ids, state__in=LISTED)


async def sessions_by(field: str, keys: list[tuple[int, bool | None, int]]) -> list[list[Session]]:
    """Newest first, per (owner id, active filter, how many) key."""
    owners = {owner for owner, _, _ in keys}
    groups: dict[int, list[Session]] = defaultdict(list)
    for row in await Session.filter(**{f"{field}__in": owners}).order_by("-id"):
        groups[getattr(row, field)].append(row)
    result = []
    for owner, active, first in keys:
        rows = groups.get(owner, [])
        if active is not None:
            rows = [r for r in rows if (r.ended_at is None) == active]
        result.append(rows[:first])
    return result
