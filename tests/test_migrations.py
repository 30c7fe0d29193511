"""The committed migrations describe the models exactly (like `makemigrations --check`)."""

import os
import sqlite3

import asyncpg
import pytest
from tortoise.context import TortoiseContext
from tortoise.migrations.api.migrate import migrate as tortoise_migrate
from tortoise.migrations.autodetector import MigrationAutodetector

from gateway import db
from gateway.settings import Settings
from tests.conftest import PG_URL


async def test_models_have_no_unmigrated_changes(tmp_path):
    settings = Settings.from_env({}, database_url=f"sqlite://{tmp_path / 'm.sqlite3'}", secret_key="s" * 40)
    config = db.tortoise_config(settings)
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
    assert [w.name for w in writers] == [], "run: tortoise makemigrations (see README)"


@pytest.fixture(params=["sqlite", "postgres"])
async def fresh(request, tmp_path):
    """An empty database of each kind: (settings, execute, fetch, dialect)."""
    if request.param == "sqlite":
        path = tmp_path / "u.sqlite3"

        async def execute(sql):
            with sqlite3.connect(path) as conn:
                conn.execute("PRAGMA foreign_keys = ON")  # as the gateway connects
                conn.execute(sql)

        async def fetch(sql):
            with sqlite3.connect(path) as conn:
                return [tuple(row) for row in conn.execute(sql)]

        yield Settings.from_env({}, database_url=f"sqlite://{path}", secret_key="s" * 40), execute, fetch, "sqlite"
        return
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must set PAIRGATE_TEST_POSTGRES_URL")
        pytest.skip("PAIRGATE_TEST_POSTGRES_URL is not set")
    admin = await asyncpg.connect(PG_URL)
    try:
        await admin.execute("DROP DATABASE IF EXISTS pairgate_upgrade_test")
        await admin.execute("CREATE DATABASE pairgate_upgrade_test")
    finally:
        await admin.close()
    url = PG_URL.rsplit("/", 1)[0] + "/pairgate_upgrade_test"
    conn = await asyncpg.connect(url)
    try:
        async def fetch(sql):
            return [tuple(row) for row in await conn.fetch(sql)]

        yield Settings.from_env({}, database_url=url, secret_key="s" * 40), conn.execute, fetch, "postgres"
    finally:
        await conn.close()


async def _at(settings, migration: str) -> None:
    async with TortoiseContext():
        await tortoise_migrate(config=db.tortoise_config(settings), target=f"models.{migration}")


async def _an_organisation(execute) -> None:
    await execute("INSERT INTO organisation (id, name, pin_login_enabled, session_idle_minutes, session_max_hours, "
                  "created_at) VALUES (1, 'Org', TRUE, 15, 12, '2026-11-21 10:00:00+00:00')")


async def test_upgrade_keeps_pin_locks(fresh):
    """0004 moved a device's PIN count from the throttle table onto the device row: a lock in force survives."""
    settings, execute, fetch, _ = fresh
    await _at(settings, "0003_device_page_index")
    await _an_organisation(execute)
    for id, token_hash in ((1, "a" * 64), (2, "b" * 64)):
        await execute("INSERT INTO device (id, organisation_id, name, device_type, state, token_hash, "
                      "approval_suppressed, created_at) VALUES "
                      f"({id}, 1, 'Till', 'POS', 'APPROVED', '{token_hash}', FALSE, '2026-11-21 10:00:00+00:00')")
    await execute("INSERT INTO throttle (key, failures, window_start, locked_until) VALUES "
                  f"('pin:device:{'a' * 64}', 6, '2026-11-21 10:00:00+00:00', '2099-01-01 00:00:00+00:00'), "
                  "('password:user:sam', 2, '2026-11-21 10:00:00+00:00', NULL)")
    await db.migrate(settings)
    assert await fetch("SELECT id, pin_failures, pin_locked_until IS NOT NULL FROM device ORDER BY id") == [
        (1, 6, True), (2, 0, False)]
    assert await fetch("SELECT key FROM throttle") == [("password:user:sam",)]




async def test_upgrade_keeps_audit_history(fresh):
    """0005 dropped the audit log's constraints on actor and device: events keep naming a deleted device."""
    settings, execute, fetch, dialect = fresh
    await _at(settings, "0004_device_pin_throttle")
    await _an_organisation(execute)
    for id in (1, 2):
        await execute("INSERT INTO device (id, organisation_id, name, device_type, state, token_hash, "
                      "approval_suppressed, created_at, pin_failures) VALUES "
                      f"({id}, 1, 'Till', 'POS', 'APPROVED', '{id * 64}', FALSE, '2026-11-21 10:00:00+00:00', 0)")
    for id, device in ((1, 1), (2, 2), (3, 1)):
        await execute("INSERT INTO audit_log (id, organisation_id, type, device_id, data, created_at) VALUES "
                      f"({id}, 1, 'device.paired', {device}, '{{}}', '2026-11-21 10:00:00+00:00')")
    if dialect == "postgres":
        await execute("SELECT setval('audit_log_id_seq', 3)")
    await execute("DELETE FROM audit_log WHERE id = 3")
    await db.migrate(settings)
    await execute("DELETE FROM device WHERE id = 1")
    await execute("INSERT INTO audit_log (organisation_id, type, data, created_at) VALUES "
                  "(1, 'device.deleted', '{}', '2026-11-21 11:00:00+00:00')")
    assert await fetch("SELECT id, device_id FROM audit_log ORDER BY id") == [(1, 1), (2, 2), (4, None)]
    if dialect == "sqlite":  # the table was rebuilt: its index came back, and only the organisation is a parent
        assert ("idx_audit_log_organis_416aed",) in await fetch(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_log'")
        assert [row[2] for row in await fetch("PRAGMA foreign_key_list('audit_log')")] == ["organisation"]
    await execute("DELETE FROM organisation WHERE id = 1")  # the organisation's events still go with it
    assert await fetch("SELECT id FROM audit_log") == []


async def test_upgrade_says_when_codes_last_paired(fresh):
    """0007 gave codes last_paired_at: a code that paired devices before says when its newest one came."""
    settings, execute, fetch, _ = fresh
    await _at(settings, "0006_throttle_events")
    await _an_organisation(execute)
    await execute("INSERT INTO configuration (id, organisation_id, name, description, created_at, updated_at) "
                  "VALUES (1, 1, 'Bar', '', '2026-11-21 10:00:00+00:00', '2026-11-21 10:00:00+00:00')")
    for id in (1, 2):
        await execute("INSERT INTO connection_code (id, organisation_id, value, lookup_value, description, device_type, "
                      "configuration_id, expires_at, single_use, use_count, created_at) VALUES "
                      f"({id}, 1, '{id:012d}', '{id:012d}', 'Code', 'POS', 1, '2027-01-01 00:00:00+00:00', FALSE, 0, "
                      "'2026-11-21 10:00:00+00:00')")
    for id, created in ((1, "2026-11-21 11:00:00+00:00"), (2, "2026-11-21 12:00:00+00:00")):
        await execute("INSERT INTO device (id, organisation_id, name, device_type, state, token_hash, "
                      "approval_suppressed, created_at, pin_failures, paired_with_id) VALUES "
                      f"({id}, 1, 'Till', 'POS', 'APPROVED', '{id * 64}', FALSE, '{created}', 0, 1)")
    await db.migrate(settings)
    rows = await fetch("SELECT id, last_paired_at IS NOT NULL FROM connection_code ORDER BY id")
    assert rows == [(1, True), (2, False)]
    [(paired,)] = await fetch("SELECT last_paired_at FROM connection_code WHERE id = 1")
    assert str(paired).startswith("2026-11-21 12:00:00")
