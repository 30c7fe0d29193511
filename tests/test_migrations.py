"""The committed migrations describe the models exactly (like `makemigrations --check`)."""

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


async def _upgrade_keeps_pin_locks(settings, execute, fetch) -> None:
    """0004 moved a device's PIN count from the throttle table onto the device row: a lock in force survives."""
    async with TortoiseContext():
        await tortoise_migrate(config=db.tortoise_config(settings), target="models.0003_device_page_index")
    await execute("INSERT INTO organisation (id, name, pin_login_enabled, session_idle_minutes, session_max_hours, "
                  "created_at) VALUES (1, 'Org', TRUE, 15, 12, '2026-11-21 10:00:00+00:00')")
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


async def test_upgrade_keeps_pin_locks_sqlite(tmp_path):
    path = tmp_path / "u.sqlite3"
    settings = Settings.from_env({}, database_url=f"sqlite://{path}", secret_key="s" * 40)

    async def execute(sql):
        with sqlite3.connect(path) as conn:
            conn.execute(sql)

    async def fetch(sql):
        with sqlite3.connect(path) as conn:
            return [tuple(row) for row in conn.execute(sql)]

    await _upgrade_keeps_pin_locks(settings, execute, fetch)


async def test_upgrade_keeps_pin_locks_postgres():
    if not PG_URL:
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

        await _upgrade_keeps_pin_locks(Settings.from_env({}, database_url=url, secret_key="s" * 40),
                                       conn.execute, fetch)
    finally:
        await conn.close()
