"""Per-request DataLoaders: every relation a list can reach goes through one.

Each loader is made on first use: most requests touch one or two of them,
and a trivial query none.
"""

from __future__ import annotations

from functools import cached_property, partial

from strawberry.dataloader import DataLoader

from gateway import models
from gateway.services import batch


class _ById:
    """A loader of one model by id, made on first use and handed the rows primed before it existed."""

    def __init__(self, model: type) -> None:
        self.model = model

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, loaders: Loaders | None, owner: type | None = None):
        if loaders is None:
            return self
        loader = DataLoader(partial(batch.by_ids, self.model))
        pending = loaders._pending.pop(self.model, None)
        if pending:
            loader.prime_many(pending)
        loaders.__dict__[self.name] = loader  # next time the instance's own attribute answers
        return loader


class Loaders:
    def __init__(self) -> None:
        self._pending: dict[type, dict] = {}  # rows primed before their loader was made, by model

    organisation = _ById(models.Organisation)
    user = _ById(models.User)
    configuration = _ById(models.Configuration)
    code = _ById(models.ConnectionCode)
    device = _ById(models.Device)
    session = _ById(models.Session)

    @cached_property
    def devices_by_code(self) -> DataLoader:
        return DataLoader(batch.devices_by_code)

    @cached_property
    def devices_by_configuration(self) -> DataLoader:
        return DataLoader(batch.devices_by_configuration)

    @cached_property
    def sessions_by_device(self) -> DataLoader:
        return DataLoader(partial(batch.sessions_by, "device_id"))

    @cached_property
    def sessions_by_user(self) -> DataLoader:
        return DataLoader(partial(batch.sessions_by, "user_id"))

    def prime(self, rows) -> None:
        """Rows a list already fetched need no second trip when something points at them.
        Held until the loader is first used: most answers never need it (a login's token)."""
        for row in rows:
            model = type(row)
            name = self._BY_ID.get(model)
            if name is None:
                continue
            if name in self.__dict__:  # the loader exists
                self.__dict__[name].prime(row.id, row)
            else:
                self._pending.setdefault(model, {}).setdefault(row.id, row)  # as prime(): the first stays


# model -> the attribute of its by-id loader
Loaders._BY_ID = {d.model: name for name, d in vars(Loaders).items() if isinstance(d, _ById)}


def related(loader: DataLoader, key, convert):
    """``convert(value)`` at once when this request's loader already holds the value for ``key``,
    else an awaitable of it; None for no key or no value.

    graphql-core schedules a task for every awaitable in a list; values that a
    parent list prefetched (gateway.graphql.prefetch) need none.
    """
    if key is None:
        return None
    future = loader.cache_map.get(key)
    if future is not None and future.done() and not future.cancelled() and future.exception() is None:
        value = future.result()
        return None if value is None else convert(value)
    return _later(loader.load(key), convert)


async def _later(pending, convert):
    value = await pending
    return None if value is None else convert(value)
