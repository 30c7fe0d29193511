"""Database wiring: Tortoise config, migrations, and the per-request SQL counter."""

from __future__ import annotations

import asyncio
import collections
import contextvars
import logging
import weakref

from tortoise.backends.base.config_generator import expand_db_url
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate as tortoise_migrate

from gateway.settings import Settings

APP_LABEL = "models"


def connection_name(settings: Settings) -> str:
    # Named after the dialect: Tortoise caches INSERT statements per connection
    # name (EXECUTOR_CACHE), so one name for both databases in one process (the
    # test suite) would send SQLite's "?" placeholders to PostgreSQL.
    return "sqlite" if settings.is_sqlite else "postgres"


def tortoise_config(settings: Settings) -> dict:
    url = settings.database_url
    name = connection_name(settings)
    if settings.is_sqlite:
        path = url.split("://", 1)[1]
        if path not in ("", ":memory:"):
            from pathlib import Path

            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # WAL lets readers go on while one writer writes; busy_timeout waits for
        # a lock instead of failing when several processes share the file.
        sep = "&" if "?" in url else "?"
        url = f"{url}{sep}journal_mode=WAL&busy_timeout=5000&foreign_keys=ON"
    connection: str | dict = url
    if not settings.is_sqlite:
        connection = expand_db_url(url)
        connection["credentials"]["reset"] = keep_session
    return {
        "connections": {name: connection},
        "apps": {
            APP_LABEL: {
                "models": ["gateway.models"],
                "migrations": "gateway.migrations",
                "default_connection": name,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def keep_session(connection) -> None:
    """asyncpg's pool reset, minus the reset query.

    By default every release back to the pool sends ``SELECT
    pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`` — one more
    round trip per statement outside a transaction (~35 µs of CPU, measured).
    pairgate changes no session state (no SET, LISTEN, advisory locks or
    cursors), and asyncpg still rolls back an open transaction before calling
    this, so there is nothing to reset.
    """


async def migrate(settings: Settings) -> None:
    """Apply every committed migration (idempotent)."""
    async with TortoiseContext():
        await tortoise_migrate(config=tortoise_config(settings))


async def open_database(settings: Settings) -> TortoiseContext:
    """Initialise Tortoise for a running app; close with ``close_database``."""
    ctx = TortoiseContext()
    # The global fallback makes the context visible to aiohttp's handler tasks,
    # which do not inherit the start-up task's context variables.
    with ctx:
        await ctx.init(config=tortoise_config(settings), _enable_global_fallback=True)
    if not settings.is_sqlite:
        client = ctx.db(connection_name(settings))
        _lanes[client] = _Lanes(client, settings.hot_connections)
    return ctx


async def close_database(ctx: TortoiseContext) -> None:
    await release_lanes()  # the pool waits for every borrowed connection before it closes
    await ctx.close_connections()


# -- lanes: pooled PostgreSQL connections kept between hot statements ---------

# asyncpg's pool costs ~60 µs of CPU to acquire and release a connection (measured:
# bench/README.md), more than a short statement: each release runs as a task of its own
# (asyncio.shield) and resets the holder. The hot statements (services/hot.py) run on
# connections borrowed from that same pool and kept here between uses, so that a PIN
# login pays for its statement only. A connection that saw an error or a cancellation,
# or is somehow in a transaction, goes back through the pool, which cleans it up or
# closes it.
#
# A process borrows at most PAIRGATE_HOT_CONNECTIONS of them (never more than half the
# pool: the ORM always has the rest); a hot statement beyond that waits, in turn, for the
# next one given back, rather than borrowing more. PostgreSQL answers short statements
# with the least CPU when few run at once (more contend for its locks and caches: 16 PIN
# logins at once on this bench's 2 cores cost it ~60 % more CPU per login than 4 did,
# bench/README.md), and every gateway process brings its own.
class _Lanes:
    def __init__(self, client, most: int) -> None:
        self.cap = max(1, min(most, client.pool_maxsize // 2))
        self.borrowed = 0  # taken from the pool and not given back to it: idle or in use
        self.idle: list = []
        self.waiting: collections.deque[asyncio.Future] = collections.deque()

    def hand_on(self, connection) -> None:
        """Pass a clean connection, or with None the room to borrow one, to the first waiter still
        waiting (the room is counted as borrowed on its behalf); with none waiting, keep it idle."""
        while self.waiting:
            waiter = self.waiting.popleft()
            if not waiter.done():
                if connection is None:
                    self.borrowed += 1
                waiter.set_result(connection)
                return
        if connection is not None:
            self.idle.append(connection)


_lanes: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # Tortoise client -> _Lanes


async def take_lane(client):
    """A connection of ``client``'s pool, for one or more statements; give it back with ``give_back_lane``."""
    lanes = _lanes.get(client)
    if lanes is None:  # a database not opened by open_database (tests)
        lanes = _lanes[client] = _Lanes(client, Settings.hot_connections)
    if lanes.idle:
        return lanes.idle.pop()
    connection = None
    if lanes.borrowed < lanes.cap:
        lanes.borrowed += 1
    else:
        waiter = asyncio.get_running_loop().create_future()
        lanes.waiting.append(waiter)
        try:
            connection = await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():  # handed over as we were cancelled: pass it on
                if waiter.result() is None:
                    lanes.borrowed -= 1
                lanes.hand_on(waiter.result())
            raise
    if connection is None:  # room to borrow one
        try:
            connection = await client.acquire_connection().__aenter__()
        except BaseException:
            lanes.borrowed -= 1
            lanes.hand_on(None)
            raise
    return connection


async def give_back_lane(client, connection, clean: bool) -> None:
    """Hand ``connection`` to the next hot statement if ``clean`` (its block raised nothing), else to the pool."""
    lanes = _lanes.get(client)
    if lanes is None:  # the database is closing
        await _release(client, connection)
        return
    if clean and not connection.is_closed() and not connection.is_in_transaction():
        lanes.hand_on(connection)
        return
    lanes.borrowed -= 1
    try:
        await _release(client, connection)
    finally:
        lanes.hand_on(None)


async def release_lanes() -> None:
    """Give every idle connection back to its pool; those in use go back when their statement ends."""
    for client, lanes in list(_lanes.items()):
        del _lanes[client]
        for waiter in lanes.waiting:
            if not waiter.done():
                waiter.set_exception(ConnectionError("the database is closing"))
        while lanes.idle:
            await _release(client, lanes.idle.pop())


async def _release(client, connection) -> None:
    if client._pool is not None:  # the pool gone, its connections went with it
        await client._pool.release(connection)


# -- SQL statement counting (PAIRGATE_QUERY_STATS=1) -------------------------

_counter: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("pairgate_sql_counter", default=None)


class _CountStatements(logging.Filter):
    """Counts the statements Tortoise's db client logs, per request context."""

    def filter(self, record: logging.LogRecord) -> bool:
        counter = _counter.get()
        if counter is not None and not str(record.msg).startswith(("Created connection", "Closed connection")):
            counter[0] += 1
        return False  # counted, not printed


_filter = _CountStatements()


def enable_query_stats() -> None:
    logger = logging.getLogger("tortoise.db_client")
    if _filter not in logger.filters:
        logger.addFilter(_filter)
    logger.setLevel(logging.DEBUG)


def start_counting() -> list[int]:
    # A mutable cell: tasks spawned while resolving copy the context but share the cell.
    cell = [0]
    _counter.set(cell)
    return cell
