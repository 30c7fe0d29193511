"""The subscriptions one process holds, and how an event reaches them.

Each subscription has a queue of bounded length: a subscriber that does not keep
up (a slow network, a stalled client) loses what was queued and gets one RESYNC
instead, so memory never grows with a slow consumer, and the client knows to
read again rather than silently missing events.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from typing import Callable, Iterator

from gateway import metrics
from gateway.services import live
from gateway.services.clock import utcnow
from gateway.services.live import LiveEvent

QUEUE_LENGTH = 100  # events waiting for one subscription before it is dropped to RESYNC


class Subscriber:
    """One subscription's view of its organisation's events."""

    def __init__(self, organisation_id: int, capacity: int, wants: Callable[[LiveEvent], bool]) -> None:
        self.organisation_id = organisation_id
        self.capacity = capacity
        self.wants = wants
        self._queue: collections.deque[LiveEvent] = collections.deque()
        self._ready = asyncio.Event()

    def offer(self, event: LiveEvent) -> None:
        if len(self._queue) >= self.capacity:
            self._queue.clear()
            event = LiveEvent(live.RESYNC, self.organisation_id, utcnow())
        self._queue.append(event)
        self._ready.set()

    def resync(self) -> None:
        self._queue.clear()
        self.offer(LiveEvent(live.RESYNC, self.organisation_id, utcnow()))

    async def next(self, timeout: float | None = None) -> LiveEvent | None:
        """The next event, or None when ``timeout`` seconds pass without one."""
        if not self._queue:
            self._ready.clear()
            try:
                await asyncio.wait_for(self._ready.wait(), timeout)
            except TimeoutError:
                return None
        return self._queue.popleft()


class Hub:
    def __init__(self, capacity: int = QUEUE_LENGTH) -> None:
        self.capacity = capacity
        self._by_organisation: dict[int, set[Subscriber]] = collections.defaultdict(set)

    @property
    def count(self) -> int:
        """Live subscriptions in this process."""
        return sum(len(subscribers) for subscribers in self._by_organisation.values())

    @contextlib.contextmanager
    def subscribe(self, organisation_id: int, wants: Callable[[LiveEvent], bool] = lambda event: True
                  ) -> Iterator[Subscriber]:
        """A subscription to the organisation's events that ``wants``: only those take room in its
        queue, so a register's queue never fills with the rest of the restaurant's."""
        subscriber = Subscriber(organisation_id, self.capacity, wants)
        self._by_organisation[organisation_id].add(subscriber)
        metrics.subscription_started()  # /metrics: pairgate_live_subscriptions
        try:
            yield subscriber
        finally:
            metrics.subscription_ended()
            subscribers = self._by_organisation[organisation_id]
            subscribers.discard(subscriber)
            if not subscribers:
                del self._by_organisation[organisation_id]

    def deliver(self, event: LiveEvent) -> None:
        for subscriber in self._by_organisation.get(event.organisation_id, ()):
            if subscriber.wants(event):
                subscriber.offer(event)

    def resync(self) -> None:
        """Events may have been lost on their way here: every subscription reads again."""
        for subscribers in self._by_organisation.values():
            for subscriber in subscribers:
                subscriber.resync()
