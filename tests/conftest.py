"""One suite, two databases: SQLite always, PostgreSQL when PAIRGATE_TEST_POSTGRES_URL is set.

With the URL set, an unreachable server is an error, never a skip: CI must
not pass on SQLite alone by accident.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import asyncpg
import pytest

from gateway import db
from gateway.settings import Settings
from tests.support import Api, make_client

PG_URL = os.environ.get("PAIRGATE_TEST_POSTGRES_URL")
SECRET = "test-secret-key-" + "x" * 32
TABLES = ("organisation, app_user, configuration, connection_code, device, session, override, audit_log, throttle,"
          " throttle_event")


def pytest_report_header(config):
    return f"pairgate databases: sqlite{' + postgres ' + PG_URL if PG_URL else ' (PAIRGATE_TEST_POSTGRES_URL unset)'}"


BACKENDS = ["sqlite", "postgres"] if PG_URL else ["sqlite"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """Migrate once; every test starts from a copy of the file."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    asyncio.run(db.migrate(Settings.from_env({}, database_url=f"sqlite://{path}", secret_key=SECRET)))
    return path


@pytest.fixture(scope="session")
def postgres_migrated() -> str:
    async def prepare():
        conn = await asyncpg.connect(PG_URL)
        try:
            await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        finally:
            await conn.close()
        await db.migrate(Settings.from_env({}, database_url=PG_URL, secret_key=SECRET))

    asyncio.run(prepare())
    return PG_URL


def _truncate(url: str) -> None:
    async def run():
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE")
        finally:
            await conn.close()

    asyncio.run(run())


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def database_url(backend, request, tmp_path) -> str:
    if backend == "sqlite":
        path = tmp_path / "pairgate.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite://{path}"
    url = request.getfixturevalue("postgres_migrated")
    _truncate(url)
    return url


@pytest.fixture
def settings(database_url) -> Settings:
    return Settings.from_env({}, database_url=database_url, secret_key=SECRET, query_stats=True,
                             public_url="https://pos.example.test")


@pytest.fixture
async def api(aiohttp_client, settings) -> Api:
    return await make_client(aiohttp_client, settings)


@pytest.fixture
def postgres_settings(request) -> Settings:
    """For tests that only PostgreSQL can prove (real concurrent transactions)."""
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must set PAIRGATE_TEST_POSTGRES_URL")
        pytest.skip("PAIRGATE_TEST_POSTGRES_URL is not set")
    url = request.getfixturevalue("postgres_migrated")
    _truncate(url)
    # A pool as wide as the test's concurrency, so requests really overlap in the database.
    return Settings.from_env({}, database_url=url + "?minsize=1&maxsize=60", secret_key=SECRET, query_stats=True)
