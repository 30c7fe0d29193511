"""Many processes (PostgreSQL): events travel through ``LISTEN/NOTIFY``.

Publishing is one ``pg_notify`` on the gateway's own pool, after the change
committed. Each process keeps one dedicated connection that listens, and hands
what it hears, its own events included, to its hub: one path, one order.

That connection can drop (a restart, a failover, an administrator ending it).
It is reopened with growing pauses, and once it listens again every subscription
gets RESYNC: whatever was published meanwhile was heard by nobody here.

The SQL here is the only way to reach LISTEN/NOTIFY: the ORM has no words for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
from tortoise import connections

from gateway.events.hub import Hub
from gateway.services import live
from gateway.services.live import LiveEvent

log = logging.getLogger("pairgate.events")

CHANNEL = "pairgate_events"
LISTENER_NAME = "pairgate-listener"  # application_name, so an operator can tell the connection apart
PAYLOAD_MAX = 7900  # PostgreSQL refuses a payload of 8,000 bytes or more
PROBE_SECONDS = 30  # how often a quiet listening connection is asked whether it is still there
BACKOFF = (0.2, 0.5, 1, 2, 5, 10, 30)  # seconds between attempts to listen again


def listener_dsn(database_url: str) -> str:
    """The database URL as asyncpg takes it: Tortoise's pool settings (``maxsize``…) are not
    connection settings, and PostgreSQL would refuse them as unknown parameters."""
    parts = urlsplit(database_url)
    kept = [(key, value) for key, value in parse_qsl(parts.query)
            if key in ("host", "port", "user", "password", "dbname", "sslmode", "sslrootcert", "sslcert", "sslkey")]
    return urlunsplit(("postgresql", parts.netloc, parts.path, urlencode(kept), ""))


class PostgresBus:
    def __init__(self, database_url: str, connection_name: str = "postgres") -> None:
        self.hub = Hub()
        self.dsn = listener_dsn(database_url)
        self.connection_name = connection_name
        self.listening = asyncio.Event()  # set while the listening connection is up
        self.listener_pid: int | None = None  # its server process, as pg_stat_activity names it
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen_forever(), name="pairgate-listener")
        # Wait for the first LISTEN (briefly): an event published right after start-up is heard.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.listening.wait(), 5)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def publish(self, event: LiveEvent) -> None:
        payload = json.dumps(event.as_dict(), separators=(",", ":"))
        if len(payload.encode()) > PAYLOAD_MAX:  # ids only: cannot happen, but never lose it silently
            payload = json.dumps(LiveEvent(live.RESYNC, event.organisation_id, event.at).as_dict())
        await connections.get(self.connection_name).execute_query("SELECT pg_notify($1, $2)", [CHANNEL, payload])

    def _heard(self, connection, pid, channel, payload: str) -> None:
        try:
            event = LiveEvent.from_dict(json.loads(payload))
        except Exception:  # not JSON, not an event, nested past recursion: never the listener's end
            log.warning("ignored a notification on %s that is not an event", CHANNEL)
            return
        self.hub.deliver(event)

    async def _listen_forever(self) -> None:
        attempt = 0
        first = True
        while True:
            try:
                connection = await asyncpg.connect(self.dsn, server_settings={"application_name": LISTENER_NAME})
            except Exception as error:  # the server down, refusing, unreachable: all the same here
                pause = BACKOFF[min(attempt, len(BACKOFF) - 1)]
                if attempt == 0:
                    log.warning("cannot listen for live events (%s); trying again", error)
                attempt += 1
                await asyncio.sleep(pause)
                continue
            try:
                lost = asyncio.Event()
                connection.add_termination_listener(lambda _connection: lost.set())
                await connection.add_listener(CHANNEL, self._heard)
                self.listener_pid = connection.get_server_pid()
                self.listening.set()
                if not first:
                    log.info("listening for live events again; subscribers read again")
                    self.hub.resync()
                first, attempt = False, 0
                await self._until_lost(connection, lost)
                log.warning("the live events connection was lost; listening again")
            except Exception as error:  # whatever broke it, listening must go on
                log.warning("the live events connection failed (%r)", error)
            finally:
                self.listening.clear()
                with contextlib.suppress(Exception):
                    await asyncio.shield(connection.close(timeout=1))
            await asyncio.sleep(BACKOFF[0])

    async def _until_lost(self, connection, lost: asyncio.Event) -> None:
        """Return when the connection is gone: closed from the other end, or silent to a probe."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lost.wait(), PROBE_SECONDS)
            if lost.is_set() or connection.is_closed():
                return
            await asyncio.wait_for(connection.fetchval("SELECT 1"), 10)
