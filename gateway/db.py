"""Database wiring: Tortoise config, migrations, and the per-request SQL counter."""

from __future__ import annotations

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
    return ctx


async def close_database(ctx: TortoiseContext) -> None:
    await release_lanes()  # the pool waits for every borrowed connection before it closes
    await ctx.close_connections()


# -- lanes: pooled PostgreSQL connections kept between hot statements ---------

# asyncpg's pool costs ~60 µs of CPU to acquire and release a connection (measured:
# bench/README.md), more than a short statement: each release runs as a task of its own
# (asyncio.shield) and resets the holder. The hot statements (services/hot.py) run on
# connections borrowed from that same pool and kept idle here between uses, so that a
# PIN login pays for its statement only. At most half the pool is kept: the ORM always
# has the rest. A connection that saw an error or a cancellation, or is somehow in a
# transaction, goes back through the pool, which cleans it up or closes it.
_lanes: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # Tortoise client -> idle connections


async def take_lane(client):
    """A connection of ``client``'s pool, for one or more statements; give it back with ``give_back_lane``."""
    idle = _lanes.get(client)
    if idle:
        return idle.pop()
    return await client.acquire_connection().__aenter__()


async def give_back_lane(client, connection, clean: bool) -> None:
    """Keep ``connection`` for the next hot statement if ``clean`` (its block raised nothing) and there is room."""
    if clean and not connection.is_closed() and not connection.is_in_transaction():
        idle = _lanes.setdefault(client, [])
        if len(idle) < max(1, client.pool_maxsize // 2):
            idle.append(connection)
            return
    await _release(client, connection)


async def release_lanes() -> None:
    """Give every kept connection back to its pool."""
    for client, idle in list(_lanes.items()):
        while idle:
            await _release(client, idle.pop())
    _lanes.clear()


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
