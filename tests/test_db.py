"""Database wiring."""

import asyncio

import pytest

from gateway import db
from gateway.settings import Settings


def test_postgres_pool_releases_without_a_reset_round_trip():
    """asyncpg's default reset sends one more statement per pool release (see db.keep_session)."""
    settings = Settings.from_env({}, database_url="postgres://u@127.0.0.1:5432/x?maxsize=7", secret_key="s" * 40)
    [connection] = db.tortoise_config(settings)["connections"].values()
    assert connection["credentials"]["reset"] is db.keep_session
    assert int(connection["credentials"]["maxsize"]) == 7  # the URL's own options survive


def test_sqlite_keeps_its_url(tmp_path):
    settings = Settings.from_env({}, database_url=f"sqlite://{tmp_path / 'x.sqlite3'}", secret_key="s" * 40)
    [connection] = db.tortoise_config(settings)["connections"].values()
    assert connection.startswith("sqlite://") and "journal_mode=WAL" in connection


def test_postgres_on_the_same_host_is_reached_over_its_unix_socket():
    """The URL form the bench (and a same-host deployment) uses: the host is the socket's directory."""
    settings = Settings.from_env({}, database_url="postgres://u@/x?host=/var/run/postgresql&maxsize=3",
                                 secret_key="s" * 40)
    [connection] = db.tortoise_config(settings)["connections"].values()
    assert connection["credentials"]["host"] == "/var/run/postgresql" and connection["credentials"]["database"] == "x"


# -- lanes: the hot statements' kept connections (PostgreSQL only) ------------

async def _open_small_pool(postgres_settings, **settings):
    """A pool of 4, so the lanes' cap (half the pool) is reached by 3 blocks at once."""
    url = postgres_settings.database_url.replace("maxsize=60", "maxsize=4")
    return await db.open_database(Settings.from_env({}, database_url=url, secret_key=postgres_settings.secret_key,
                                                    **settings))


@pytest.fixture
async def small_pool(postgres_settings):
    """The open database's Tortoise client (PostgreSQL, a pool of 4)."""
    from gateway.models import Device

    ctx = await _open_small_pool(postgres_settings)
    try:
        yield Device._meta.db
    finally:
        await db.close_database(ctx)


async def test_hot_statements_keep_one_connection_between_uses(small_pool, monkeypatch):
    from gateway.services import hot

    client, taken = small_pool, []
    acquire = client.acquire_connection
    monkeypatch.setattr(client, "acquire_connection", lambda: taken.append(1) or acquire())
    for _ in range(3):
        assert await hot.device_by_token("no such token") is None
    async with hot.one_connection():
        await hot.device_by_token("no such token")
        await hot.live_session("no such token")
    assert len(taken) == 1  # through asyncpg's pool once, then kept
    assert len(db._lanes[client].idle) == 1
    pool = client._pool
    assert pool.get_idle_size() == pool.get_size() - 1
    await db.release_lanes()
    assert pool.get_idle_size() == pool.get_size() and not db._lanes


async def test_a_connection_that_saw_an_error_goes_back_to_the_pool(small_pool):
    from gateway.services import hot

    client = small_pool
    with pytest.raises(RuntimeError):
        async with hot.one_connection():
            await hot.device_by_token("no such token")
            raise RuntimeError("the block failed after its statement")
    assert not db._lanes[client].idle and db._lanes[client].borrowed == 0
    with pytest.raises(Exception):
        await hot._fetch(client, "SELECT 1/0", [])
    assert not db._lanes[client].idle and db._lanes[client].borrowed == 0
    pool = client._pool
    assert pool.get_idle_size() == pool.get_size()  # every connection back in asyncpg's pool


async def _blocks_at_once(client, n: int, monkeypatch):
    """Start n login-like blocks that hold their lane until released; (tasks, started, go, acquisitions)."""
    from gateway.services import hot

    started, go, taken = [], asyncio.Event(), []
    acquire = client.acquire_connection
    monkeypatch.setattr(client, "acquire_connection", lambda: taken.append(1) or acquire())

    async def login_like():
        async with hot.one_connection():
            await hot.device_by_token("no such token")
            started.append(1)
            await go.wait()

    tasks = [asyncio.create_task(login_like()) for _ in range(n)]
    for _ in range(500):
        if len(started) + len(db._lanes[client].waiting) == n:
            break
        await asyncio.sleep(0.01)
    return tasks, started, go, taken


async def test_lanes_borrow_at_most_half_the_pool_and_the_rest_wait_their_turn(small_pool, monkeypatch):
    from gateway.models import Organisation

    client = small_pool
    tasks, started, go, taken = await _blocks_at_once(client, 3, monkeypatch)
    assert len(started) == 2 and len(db._lanes[client].waiting) == 1  # the third waits, it borrows nothing
    assert len(taken) == 2
    assert await Organisation.all().count() >= 0  # the ORM still gets a connection meanwhile
    go.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 5)
    assert len(started) == 3 and len(taken) == 3  # the ORM's, and no third lane: it ran on one given back
    assert len(db._lanes[client].idle) == 2
    pool = client._pool
    assert pool.get_idle_size() == pool.get_size() - 2


async def test_hot_connections_caps_the_lanes_below_half_the_pool(postgres_settings, monkeypatch):
    from gateway.models import Device

    ctx = await _open_small_pool(postgres_settings, hot_connections=1)
    try:
        client = Device._meta.db
        tasks, started, go, taken = await _blocks_at_once(client, 2, monkeypatch)
        assert len(started) == 1 and len(db._lanes[client].waiting) == 1
        go.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 5)
        assert len(started) == 2 and len(taken) == 1
    finally:
        await db.close_database(ctx)


async def test_a_waiter_cancelled_as_its_lane_arrives_passes_the_lane_on(small_pool, monkeypatch):
    client = small_pool
    lanes = db._lanes[client]
    tasks, started, go, taken = await _blocks_at_once(client, 4, monkeypatch)
    assert len(started) == 2 and len(lanes.waiting) == 2
    # One more lane, handed to the first waiter, which is cancelled before it can run:
    # the lane must reach the second waiter, not be lost.
    extra = await client.acquire_connection().__aenter__()
    lanes.borrowed += 1
    lanes.hand_on(extra)
    tasks[2].cancel()
    for _ in range(500):
        if len(started) == 3:
            break
        await asyncio.sleep(0.01)
    assert len(started) == 3 and not lanes.waiting  # the second waiter runs on the extra lane
    go.set()
    results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 5)
    assert isinstance(results[2], asyncio.CancelledError)
    assert lanes.borrowed == len(lanes.idle) == 3  # every borrowed connection is back, none lost


async def test_closing_the_database_fails_the_waiters(small_pool, monkeypatch):
    client = small_pool
    tasks, started, go, taken = await _blocks_at_once(client, 3, monkeypatch)
    await db.release_lanes()
    go.set()
    results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 5)
    assert isinstance(results[2], ConnectionError) and results[:2] == [None, None]


async def test_closing_the_database_gives_the_lanes_back(postgres_settings):
    """asyncpg's pool waits for every borrowed connection before it closes (10 s, then Tortoise kills it)."""
    from gateway.models import Device
    from gateway.services import hot

    ctx = await _open_small_pool(postgres_settings)
    await hot.device_by_token("no such token")
    client = Device._meta.db  # held: the lanes are keyed weakly by client
    assert db._lanes[client].idle
    pool = client._pool
    await db.close_database(ctx)
    assert client not in db._lanes and pool.get_idle_size() == 0
