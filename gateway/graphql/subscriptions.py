"""What every subscription does between two events.

A subscription follows its organisation's live events (gateway/events/), keeps
those it wants, and hands each to GraphQL, which reads what the client selected
through fresh loaders and the ordinary reading rules (access.py): an event
carries ids, and what it names is read as it is now, with the subscriber's eyes.

It ends:
- when its session does: an event says so (the session ended or locked), or a
  check every ``RECHECK_SECONDS`` finds it over (idle, too old), since a screen
  left open on a live list is not a use that keeps a session going;
- when its device is revoked or deleted (``thisDeviceEvents``);
- on a final event of its own (a code that is used, revoked or expired).
Ended by its credentials, it answers ``UNAUTHENTICATED``; the client logs in again.
"""

from __future__ import annotations

import asyncio
import dataclasses
import weakref
from typing import AsyncIterator, Awaitable, Callable

from strawberry.types import Info

from gateway.graphql.loaders import Loaders
from gateway.services import auth, live
from gateway.services.clock import utcnow
from gateway.services.errors import NotAuthenticated
from gateway.services.live import LiveEvent

RECHECK_SECONDS = 60.0  # how often a quiet subscription asks whether its session still stands

SESSION_OVER = (live.SESSION_ENDED, live.SESSION_LOCKED)


@dataclasses.dataclass
class Follow:
    """What one subscription follows, and what ends it."""

    organisation_id: int
    wanted: Callable[[LiveEvent], bool]
    session_id: int | None = None  # its session: it ends with it
    final: Callable[[LiveEvent], bool] = lambda event: False  # delivered, then the subscription completes
    quiet: Callable[[], Awaitable[None]] | None = None  # every RECHECK_SECONDS (may raise to end it)
    expiry: LiveEvent | None = None  # delivered at its time (``at``), ending the subscription


async def follow(info: Info, what: Follow) -> AsyncIterator[LiveEvent]:
    hub = info.context.runtime.bus.hub
    connection_session = await info.context.session_id()

    def heard(event: LiveEvent) -> bool:
        return what.wanted(event) or (event.type in SESSION_OVER and event.session_id is not None
                                      and event.session_id in (what.session_id, connection_session))

    with hub.subscribe(what.organisation_id, heard) as subscriber:
        next_check = _clock() + RECHECK_SECONDS
        while True:
            wait = next_check - _clock()
            if what.expiry is not None:
                wait = min(wait, (what.expiry.at - utcnow()).total_seconds())
            event = await subscriber.next(timeout=max(wait, 0))
            if event is None:  # quiet until now
                if what.expiry is not None and utcnow() >= what.expiry.at:
                    yield use_event_loaders(info, what.expiry)
                    return
                if _clock() >= next_check:
                    await _check(info, what, connection_session)
                    next_check = _clock() + RECHECK_SECONDS
                continue
            if event.type in SESSION_OVER and event.session_id is not None:
                if event.session_id == connection_session:
                    # The connection's own session is over: what follows is read as whoever it is now.
                    info.context.forget_actor()
                    await info.context.actor()
                if event.session_id == what.session_id:
                    raise NotAuthenticated()
            if event.type == live.RESYNC or what.wanted(event):
                yield use_event_loaders(info, event)
                if what.final(event):
                    return


# The loaders of each event being delivered, shared by every subscription of this process that
# hears it: a row is the same whoever reads it (what each may read of it is access.py's to say, per
# reader), so a thousand device lists hearing one event read its device once, not a thousand times.
# An entry goes once nothing holds its event any more (each connection keeps only the loaders of
# the last event it read, until its next operation or event).
_loaders_of: weakref.WeakKeyDictionary[LiveEvent, Loaders] = weakref.WeakKeyDictionary()


def use_event_loaders(info: Info, event: LiveEvent) -> LiveEvent:
    """Each event is read as things are now: nothing cached from the one before."""
    loaders = _loaders_of.get(event)
    if loaders is None:
        loaders = _loaders_of[event] = Loaders()
    info.context.loaders = loaders
    return event


async def _check(info: Info, what: Follow, connection_session: int | None) -> None:
    """Every RECHECK_SECONDS: is the session still standing (an event may have been dropped to
    RESYNC, and a time-out or an idle lock comes with no event)?"""
    if connection_session is not None and not await auth.still_live(connection_session):
        info.context.forget_actor()
        await info.context.actor()  # the connection reads as whoever it is now
        if what.session_id == connection_session:
            raise NotAuthenticated()
    if what.quiet is not None:
        await what.quiet()


def _clock() -> float:
    return asyncio.get_running_loop().time()
