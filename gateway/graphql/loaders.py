"""Per-request DataLoaders: every relation a list can reach goes through one."""

from __future__ import annotations

from functools import partial

from strawberry.dataloader import DataLoader

from gateway import models
from gateway.services import batch


class Loaders:
    def __init__(self) -> None:
        self.organisation = DataLoader(partial(batch.by_ids, models.Organisation))
        self.user = DataLoader(partial(batch.by_ids, models.User))
        self.configuration = DataLoader(partial(batch.by_ids, models.Configuration))
        self.code = DataLoader(partial(batch.by_ids, models.ConnectionCode))
        self.device = DataLoader(partial(batch.by_ids, models.Device))
        self.devices_by_code = DataLoader(batch.devices_by_code)
        self.devices_by_configuration = DataLoader(batch.devices_by_configuration)
        self.sessions_by_device = DataLoader(partial(batch.sessions_by, "device_id"))
        self.sessions_by_user = DataLoader(partial(batch.sessions_by, "user_id"))

    def prime(self, rows) -> None:
        """Rows a list already fetched need no second trip when something points at them."""
        by_model = {
            models.Organisation: self.organisation, models.User: self.user, models.Configuration: self.configuration,
            models.ConnectionCode: self.code, models.Device: self.device,
        }
        for row in rows:
            loader = by_model.get(type(row))
            if loader is not None:
                loader.prime(row.id, row)
