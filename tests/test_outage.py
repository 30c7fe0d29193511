"""Database outages: which errors mean one, and one end to end. There a PostgreSQL cluster
of the test's own is stopped under a running app, and started again: the app answers 503
meanwhile, logs the outage once, and then serves again without a restart."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import socket
import subprocess
from pathlib import Path

import asyncpg
import pytest
from tortoise.exceptions import DBConnectionError, OperationalError

from gateway import db
from gateway.outage import RETRY_AFTER_SECONDS, is_unreachable
from gateway.settings import Settings
from gateway.plugin_types import hookimpl
from gateway.testing import plugin_manager
from tests.support import LOGIN_PASSWORD, PASSWORD, USER_CREATE, Api, make_client, new_org, pin_login, pin_ready

SECRET = "test-secret-key-" + "x" * 32
UNAVAILABLE = {"data": None, "errors": [{"message": "The database is unavailable: try again shortly.",
                                         "extensions": {"code": "SERVICE_UNAVAILABLE"}}]}
VIEWER = "{ viewer { user { username } } }"


@pytest.mark.parametrize("error", [
    ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)"),
    OSError(113, "Connect call failed: no route to host"),
    TimeoutError(),
    DBConnectionError("Can't establish connection to database pairgate"),
    asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
    asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
    asyncpg.CannotConnectNowError("the database system is starting up"),
    asyncpg.InterfaceError("cannot perform operation: connection is closed"),
])
def test_errors_that_mean_the_database_is_unreachable(error):
    assert is_unreachable(error)


@pytest.mark.parametrize("error", [
    None, KeyError("user"), RuntimeError("a bug"), OperationalError("syntax error at or near"),
    asyncpg.UniqueViolationError("duplicate key value"),
    asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
])
def test_other_errors_are_bugs_or_bad_requests(error):
    assert not is_unreachable(error)


async def test_a_driver_state_error_is_an_outage_only_while_the_database_does_not_answer(api):
    """Python 3.12+ asyncpg reports a connection lost mid-statement this way; it is also what a
    misuse of the driver looks like, so the watch asks the database first (it answers here)."""
    from gateway.app import DATABASE

    error = asyncpg.InternalClientError("cannot switch to state 12; another operation (2) is in progress")
    assert is_unreachable(error)
    assert not await api.client.app[DATABASE].explains(error)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_a_plugins_own_io_error_is_not_an_outage(aiohttp_client, settings, caplog):
    """A PIN policy that reads a file that is not there: the database answers, so the error is
    the plugin's, reported as any unexpected error, and no outage is logged."""

    class Blocklist:
        @hookimpl
        def validate_pin(self, pin, organisation):
            raise FileNotFoundError("/etc/pairgate/blocklist.txt")

    api = await make_client(aiohttp_client, settings, plugin_manager(Blocklist()))
    org = await new_org(api)
    body = await api.post(USER_CREATE, {"input": {"username": "kim", "role": "STAFF", "loginMethod": "PIN_ONLY",
                                                  "pin": "24680"}}, token=org.token)
    assert body["_status"] == 200 and body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert not [record for record in caplog.records if "unreachable" in record.getMessage()]
    assert (await api.post("{ organisation { name } }", token=org.token))["_status"] == 200


class Cluster:
    """A throwaway PostgreSQL cluster (Debian's pg_createcluster tools), reached over TCP."""

    def __init__(self) -> None:
        self.version = max(Path("/usr/lib/postgresql").iterdir(), key=lambda path: int(path.name)).name
        self.port = _free_port()
        self.name = f"pairgate_outage_{os.getpid()}_{self.port}"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def create(self) -> None:
        self._run("pg_createcluster", self.version, self.name, "-p", str(self.port), "--", "--auth=trust")

    def start(self) -> None:
        self._run("pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, "start")

    def stop(self) -> None:
        self._run("pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, "stop")

    def drop(self) -> None:
        self._run("pg_dropcluster", "--stop", self.version, self.name)


@pytest.fixture(scope="module")
def cluster():
    if not shutil.which("pg_createcluster") or os.geteuid() != 0:
        if os.environ.get("CI"):
            pytest.fail("CI must run the outage test: it needs pg_createcluster, as root")
        pytest.skip("needs PostgreSQL's pg_createcluster, as root")
    cluster = Cluster()
    cluster.create()
    try:
        cluster.start()
        asyncio.run(db.migrate(Settings.from_env({}, database_url=cluster.url, secret_key=SECRET)))
        yield cluster
    finally:
        cluster.drop()


async def _pool_left_idle(api: Api, token: str, count: int) -> None:
    """Open ``count`` pooled connections (requests at once) and leave them idle, to die with the
    server: requests after it comes back must not fail on them."""
    await asyncio.gather(*(api.data(VIEWER, token=token) for _ in range(count)))


async def test_an_outage_answers_503_is_logged_once_and_ends_by_itself(aiohttp_client, cluster, caplog):
    caplog.set_level(logging.INFO, logger="pairgate")
    settings = Settings.from_env({}, database_url=cluster.url, secret_key=SECRET)
    api = await make_client(aiohttp_client, settings)
    org, register = await pin_ready(api)
    assert (await pin_login(api, "24680", register))["userErrors"] == []
    await _pool_left_idle(api, org.token, 4)

    cluster.stop()
    login = {"u": "admin", "p": PASSWORD}
    for request in (api.client.post("/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {org.token}"}),
                    api.client.post("/graphql", json={"query": LOGIN_PASSWORD, "variables": login}),
                    api.client.get("/graphql", params={"query": VIEWER}, headers={"Authorization": f"Bearer {org.token}"})):
        response = await request
        assert response.status == 503 and response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
        assert await response.json() == UNAVAILABLE
    health = await api.client.get("/healthz")
    assert health.status == 503 and health.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert (await api.post(VIEWER, token=org.token))["_status"] == 503

    ours = [record for record in caplog.records  # the outage's own lines: not each request's, nor the live events listener's
            if record.name.startswith("pairgate") and record.name not in ("pairgate.request", "pairgate.events")]
    assert [record.levelname for record in ours] == ["ERROR"] and "unreachable" in ours[0].getMessage()
    assert ours[0].exc_info is None  # one line, no traceback

    cluster.start()
    assert await api.data(VIEWER, token=org.token) == {"viewer": {"user": {"username": "admin"}}}
    assert (await pin_login(api, "24680", register))["userErrors"] == []
    assert (await api.data(LOGIN_PASSWORD, login))["loginWithPassword"]["token"]
    assert (await api.client.get("/healthz")).status == 200
    ours = [record for record in caplog.records  # the outage's own lines: not each request's, nor the live events listener's
            if record.name.startswith("pairgate") and record.name not in ("pairgate.request", "pairgate.events")]
    assert [record.levelname for record in ours] == ["ERROR", "INFO"], [record.getMessage() for record in ours]
    assert "answers again" in ours[1].getMessage() and "5 requests were refused" in ours[1].getMessage()
