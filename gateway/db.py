"""Database wiring: Tortoise config, migrations, and the per-request SQL counter."""

from __future__ import annotations

import contextvars
import logging

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
    return {
        "connections": {name: url},
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
    await ctx.close_connections()


# -- SQL statement counting (each request's log line; PAIRGATE_QUERY_STATS=1) --

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


def counting() -> list[int]:
    """The request's counter, which its log line started (logs.py); a new one without it."""
    return _counter.get() or start_counting()


def start_counting() -> list[int]:
    # A mutable cell: tasks spawned while resolving copy the context but share the cell.
    cell = [0]
    _counter.set(cell)
    return cell
