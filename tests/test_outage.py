"""Database outages: which errors mean one."""

from __future__ import annotations

import asyncpg
import pytest
from tortoise.exceptions import DBConnectionError, OperationalError

from gateway.outage import is_unreachable


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
