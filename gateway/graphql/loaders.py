"""Per-request DataLoaders: every relation a list can reach goes through one."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from gateway import models
from gateway.services import batch


def _by_id(model):
    async def load(keys):
        return await batch.by_ids(model, keys)

    return load


class Loaders:
    def __init__(self) -> None:
        self.organisation = DataLoader(_by_id(models.Organisation))
        self.user = DataLoader(_by_id(models.User))
        self.configuration = DataLoader(_by_id(models.Configuration))
        self.code = DataLoader(_by_id(models.ConnectionCode))
        self.device = DataLoader(_by_id(models.Device))
        self.devices_by_code = DataLoader(batch.devices_by_code)
        self.devices_by_configuration = DataLoader(batch.devices_by_configuration)
