"""One process (SQLite): an event goes straight to this process's subscriptions."""

from __future__ import annotations

from gateway.events.hub import Hub
from gateway.services.live import LiveEvent


class InProcessBus:
    def __init__(self) -> None:
        self.hub = Hub()

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def publish(self, event: LiveEvent) -> None:
        self.hub.deliver(event)
