"""One process's subscriptions: every event of their organisation, in order, and never more
queued than a slow subscriber's bound."""

from __future__ import annotations

from gateway.events.hub import Hub
from gateway.services import live
from gateway.services.clock import utcnow


def _event(organisation_id: int, number: int) -> live.LiveEvent:
    return live.LiveEvent(live.RENAMED, organisation_id, utcnow(), device_id=number)


async def test_each_subscriber_hears_its_organisation_in_order():
    hub = Hub()
    with hub.subscribe(1) as mine, hub.subscribe(2) as theirs:
        for number in range(3):
            hub.deliver(_event(1, number))
        assert [(await mine.next(0)).device_id for _ in range(3)] == [0, 1, 2]
        assert await theirs.next(0) is None
        assert hub.count == 2
    assert hub.count == 0


async def test_a_subscriber_that_falls_behind_gets_one_resync_instead_of_a_growing_queue():
    hub = Hub(capacity=10)
    with hub.subscribe(1) as slow:
        for number in range(25):
            hub.deliver(_event(1, number))
        queued = []
        while (event := await slow.next(0)) is not None:
            queued.append(event)
    assert len(queued) <= 10
    assert queued[0].type == live.RESYNC  # what came before it is gone; read again
    assert [event.device_id for event in queued[1:]] == list(range(21, 25))


async def test_resync_reaches_every_subscriber():
    hub = Hub()
    with hub.subscribe(1) as a, hub.subscribe(2) as b:
        hub.deliver(_event(1, 0))
        hub.resync()
        assert (await a.next(0)).type == live.RESYNC and await a.next(0) is None  # the old queue is moot
        assert (await b.next(0)).type == live.RESYNC
