"""Database outages: which errors mean one, and answering 503 while it lasts, logged once."""

from __future__ import annotations

import asyncio
import logging
import time

import asyncpg
from tortoise.connection import get_connection
from tortoise.exceptions import DBConnectionError

log = logging.getLogger("pairgate")

# What 503 answers tell clients to wait before trying again.
RETRY_AFTER_SECONDS = 5
# How long a probe waits for the database: a server that is down refuses at once,
# so this bounds only one that does not answer at all (a host gone from the network).
PROBE_SECONDS = 2

_UNREACHABLE = (
    # The socket failed: refused, reset, no route to the host, an unknown host name, no
    # socket file. ConnectionError and TimeoutError (a connect with no answer in time) are
    # kinds of OSError, and so is Tortoise's DBConnectionError, named here to say so. A
    # plugin's own I/O can fail with an OSError too: ``DatabaseWatch.explains`` asks the
    # database before it blames it.
    OSError,
    DBConnectionError,
    # SQLSTATE class 08, and ConnectionDoesNotExistError: the connection was lost in the
    # middle of a statement.
    asyncpg.PostgresConnectionError,
    # The server is stopping, crashed, or is still starting: it ends or refuses every session.
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.CannotConnectNowError,
)


# On Python 3.12 and later, asyncpg may report a connection lost in the middle of a statement as
# an InternalClientError ("cannot switch to state …; another operation is in progress"), which
# otherwise means the driver was misused: the database is blamed only if it does not answer now.
_MAYBE_UNREACHABLE = (asyncpg.InternalClientError,)


def is_unreachable(error: BaseException | None) -> bool:
    """True if ``error`` means the database cannot be reached, or the connection to it was lost.

    Such an error says nothing about the request, so the client should try again later;
    any other error is a bug, or a problem with this request, and is reported as one.
    asyncpg also raises InterfaceError for misuse (a connection used after it was given
    back, two statements at once on one connection): only the kinds that say the connection
    or its pool is closed count here.
    """
    if isinstance(error, _UNREACHABLE + _MAYBE_UNREACHABLE):
        return True
    return isinstance(error, asyncpg.InterfaceError) and ("is closed" in str(error) or "pool is closing" in str(error))


class DatabaseWatch:
    """Whether the database answers, as one app last saw it; each outage is logged once.

    A request that fails because the database is unreachable starts an outage (one error
    line). While it lasts, every GraphQL request first probes the database with ``SELECT 1``,
    within ``PROBE_SECONDS``: if that fails the request is refused with 503 at once, before
    any resolver runs, and nothing more is logged. The first
    probe that succeeds ends the outage (one info line) and its request runs as usual.
    GET /healthz probes on every call, so a load balancer's checks start and end outages
    too. A connection lost once while the server stays up (its backend was killed, a
    network blip) shows as an outage of one refused request.

    Probing on the requests themselves, rather than on a timer, needs no background task,
    costs nothing while the database is up, and notices its return as soon as anyone asks.
    The app holds the watch, not this module, so that two apps in one process (the tests)
    do not share an outage.
    """

    def __init__(self, connection_name: str) -> None:
        self.connection_name = connection_name
        self.down_since: float | None = None  # time.monotonic() when the outage began
        self.refused = 0  # requests answered 503 during this outage, health checks included

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def failed(self, error: BaseException) -> None:
        """A request is refused because of ``error``: the first refusal of an outage logs it."""
        self.refused += 1
        if self.down_since is None:
            self.down_since = time.monotonic()
            log.error("The database is unreachable (%s: %s): answering 503 until it answers again",
                      type(error).__name__, str(error) or "no answer in time")

    async def explains(self, error: BaseException) -> bool:
        """Whether ``error`` (``is_unreachable``) is the database's doing. The driver's own errors
        are; a bare OSError may be a plugin's (a missing file, a webhook timing out), and an
        InternalClientError a misuse, so those count only if the database does not answer now either."""
        if type(error).__module__.startswith(("asyncpg", "tortoise")) and not isinstance(error, _MAYBE_UNREACHABLE):
            return True
        return await self._answer() is not None

    async def probe(self) -> bool:
        """True if the database answers ``SELECT 1`` now; ends or starts the outage to match."""
        error = await self._answer()
        if error is not None:
            self.failed(error)
            return False
        if self.down_since is not None:
            log.info("The database answers again after %.1f s; %d requests were refused meanwhile",
                     time.monotonic() - self.down_since, self.refused)
            self.down_since, self.refused = None, 0
        return True

    async def _answer(self) -> Exception | None:
        """None if the database answers ``SELECT 1`` within ``PROBE_SECONDS``, else why not."""
        try:
            await asyncio.wait_for(get_connection(self.connection_name).execute_query("SELECT 1"), PROBE_SECONDS)
        except Exception as error:  # whatever the reason, the database cannot serve us
            return error
        return None
