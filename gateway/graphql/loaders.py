"""Per-request DataLoaders: every relation a list can reach goes through one.

Each loader is made on first use: most requests touch one or two of them,
and a trivial query none.
"""

from __future__ import annotations

from functools import cached_property, partial

from strawberry.dataloader import DataLoader

from gateway import models
from gateway.services import batch


class Loaders:
    def __init__(self) -> None:
        self._pending: dict[str, dict] = {}  # rows primed before their loader was made

    def _primed(self, name: str, loader: DataLoader) -> DataLoader:
        pending = self._pending.pop(name, None)
        if pending:
            loader.prime_many(pending)
        return loader

    @cached_property
    def organisation(self) -> DataLoader:
        return self._primed("organisation", DataLoader(partial(batch.by_ids, models.Organisation)))

    @cached_property
    def user(self) -> DataLoader:
        return self._primed("user", DataLoader(partial(batch.by_ids, models.User)))

    @cached_property
    def configuration(self) -> DataLoader:
        return self._primed("configuration", DataLoader(partial(batch.by_ids, models.Configuration)))

    @cached_property
    def code(self) -> DataLoader:
        return self._primed("code", DataLoader(partial(batch.by_ids, models.ConnectionCode)))

    @cached_property
    def device(self) -> DataLoader:
        return self._primed("device", DataLoader(partial(batch.by_ids, models.Device)))

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

    _PRIMED = {
        models.Organisation: "organisation", models.User: "user", models.Configuration: "configuration",
        models.ConnectionCode: "code", models.Device: "device",
    }

    def prime(self, rows) -> None:
        """Rows a list already fetched need no second trip when something points at them.
        Held until the loader is first used: most answers never need it (a login's token)."""
        for row in rows:
            name = self._PRIMED.get(type(row))
            if name is None:
                continue
            if name in self.__dict__:  # the loader exists
                self.__dict__[name].prime(row.id, row)
            else:
                self._pending.setdefault(name, {}).setdefault(row.id, row)  # as prime(): the first stays
