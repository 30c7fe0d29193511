"""The pairgate command, run as a user would (subprocesses on a temporary SQLite file)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(tmp_path, *args, stdin="", **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PAIRGATE_")}
    environment.update(PAIRGATE_DATA_DIR=str(tmp_path / "var"), **env)
    return subprocess.run([sys.executable, "-m", "gateway.cli", *args], input=stdin, capture_output=True,
                          text=True, cwd=tmp_path, env=environment, timeout=120)


def test_migrate_create_organisation_and_demo(tmp_path):
    assert run(tmp_path, "migrate").returncode == 0
    secret = tmp_path / "var" / "secret_key"
    assert secret.stat().st_mode & 0o777 == 0o600

    created = run(tmp_path, "create-organisation", "--name", "Acme", "--admin-username", "boss",
                  PAIRGATE_ADMIN_PASSWORD="long enough password")
    assert created.returncode == 0, created.stderr
    ids = json.loads(created.stdout)
    assert set(ids) == {"organisationId", "adminUserId", "adminUsername"}

    from_stdin = run(tmp_path, "create-organisation", "--name", "Beta", "--admin-username", "b2",
                     stdin="another long password\n")
    assert from_stdin.returncode == 0, from_stdin.stderr
    taken = run(tmp_path, "create-organisation", "--name", "Gamma", "--admin-username", "boss",
                stdin="another long password\n")
    assert taken.returncode != 0 and "taken" in taken.stderr
    short = run(tmp_path, "create-organisation", "--name", "Delta", "--admin-username", "d", stdin="short\n")
    assert short.returncode != 0 and "at least 8" in short.stderr

    # The demo seeds only an empty database.
    demo = run(tmp_path, "demo")
    assert demo.returncode == 0 and "no demo seeded" in demo.stdout


def test_demo_prints_the_admin_login_once(tmp_path):
    run(tmp_path, "migrate")
    first = run(tmp_path, "demo")
    assert first.returncode == 0 and "password" in first.stdout and "connection code" in first.stdout
    second = run(tmp_path, "demo")
    assert "password" not in second.stdout


def test_export_schema_matches_the_checked_in_file(tmp_path):
    exported = run(tmp_path, "export-schema")
    assert exported.returncode == 0
    assert exported.stdout == (ROOT / "schema" / "schema.graphql").read_text()


def test_postgres_without_secret_key_is_a_clear_error(tmp_path):
    result = run(tmp_path, "migrate", PAIRGATE_DATABASE_URL="postgres://nobody@127.0.0.1:1/none")
    assert result.returncode != 0 and "PAIRGATE_SECRET_KEY is required" in result.stderr


def test_serve_with_two_workers_answers_on_one_port(tmp_path):
    import socket
    import time
    import urllib.request

    assert run(tmp_path, "migrate").returncode == 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PAIRGATE_")}
    environment["PAIRGATE_DATA_DIR"] = str(tmp_path / "var")
    server = subprocess.Popen([sys.executable, "-m", "gateway.cli", "serve", "--port", str(port), "--workers", "2"],
                              cwd=tmp_path, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        answers = []
        deadline = time.time() + 60
        while time.time() < deadline and len(answers) < 20:
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=b'{"query": "{ deviceTypes { key } }"}',
                                                 headers={"Content-Type": "application/json"})
                answers.append(json.loads(urllib.request.urlopen(request, timeout=5).read()))
            except OSError:
                time.sleep(0.2)
        assert len(answers) == 20 and all(a["data"]["deviceTypes"][0]["key"] == "POS" for a in answers)
        children = subprocess.run(["pgrep", "-a", "-P", str(server.pid)], capture_output=True, text=True).stdout
        assert children.count("spawn_main(") == 2  # two worker processes serve the port
    finally:
        server.terminate()
        server.wait(20)


def test_a_served_app_freezes_its_start_up_objects(monkeypatch):
    """What start-up built is left out of later garbage collections (cli.freeze_startup_objects)."""
    import asyncio
    import gc

    from aiohttp import web

    from gateway import cli

    served = []
    monkeypatch.setattr(web, "run_app", lambda app, **kwargs: served.append(app))
    cli._serve_one("127.0.0.1", 0, reuse_port=False, app=web.Application())
    assert cli.freeze_startup_objects in served[0].on_startup
    try:
        asyncio.run(cli.freeze_startup_objects(served[0]))
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


# -- reset-password and check ------------------------------------------------------


def _in_database(tmp_path, work, secret_key: str | None = None):
    """Run ``work()`` against the CLI's SQLite database, in this process."""
    import asyncio

    from gateway import db
    from gateway.settings import Settings

    var = tmp_path / "var"
    key = secret_key or (var / "secret_key").read_text().strip()
    settings = Settings.from_env({}, database_url=f"sqlite://{var / 'pairgate.sqlite3'}", secret_key=key)

    async def run():
        ctx = await db.open_database(settings)
        try:
            return await work()
        finally:
            await db.close_database(ctx)

    return asyncio.run(run())


def test_reset_password_from_stdin_ends_the_sessions_and_is_audited(tmp_path):
    from gateway.models import AuditLog, Session, User
    from gateway.services import auth, passwords
    from gateway.services.actor import Client

    run(tmp_path, "migrate")
    run(tmp_path, "create-organisation", "--name", "Acme", "--admin-username", "boss", stdin="the old password\n")

    async def log_in_twice():
        for _ in range(2):
            await auth.login_with_password(Client(ip_address="127.0.0.1"), "boss", "the old password")

    _in_database(tmp_path, log_in_twice)

    reset = run(tmp_path, "reset-password", "--username", "boss", stdin="a brand new password\n")
    assert reset.returncode == 0, reset.stderr
    assert "2 session(s) ended" in reset.stdout and "a brand new password" not in reset.stdout + reset.stderr

    async def state():
        user = await User.get(username="boss")
        return ([session.end_reason for session in await Session.filter(user_id=user.id)],
                await AuditLog.filter(type="user.password_reset").values_list("data", flat=True),
                await passwords.verify_password(user.password_hash, "a brand new password"),
                await passwords.verify_password(user.password_hash, "the old password"))

    ended, events, new_works, old_works = _in_database(tmp_path, state)
    assert ended == ["CREDENTIALS_CHANGED", "CREDENTIALS_CHANGED"]
    assert events == [{"user_id": 1, "sessions_ended": 2, "by": "command line"}]
    assert new_works and not old_works

    from_env = run(tmp_path, "reset-password", "--username", "boss", "--organisation", "Acme",
                   PAIRGATE_ADMIN_PASSWORD="yet another password")
    assert from_env.returncode == 0, from_env.stderr


def test_reset_password_refusals_are_clear(tmp_path):
    run(tmp_path, "migrate")
    run(tmp_path, "create-organisation", "--name", "Acme", "--admin-username", "boss", stdin="the old password\n")
    nobody = run(tmp_path, "reset-password", "--username", "nobody", stdin="a brand new password\n")
    assert nobody.returncode != 0 and "No user named 'nobody'" in nobody.stderr
    elsewhere = run(tmp_path, "reset-password", "--username", "boss", "--organisation", "Other",
                    stdin="a brand new password\n")
    assert elsewhere.returncode != 0 and "in the organisation 'Other'" in elsewhere.stderr
    short = run(tmp_path, "reset-password", "--username", "boss", stdin="short\n")
    assert short.returncode != 0 and "at least 8" in short.stderr and "Traceback" not in short.stderr


def test_check_passes_on_a_migrated_database_and_fails_on_a_missing_migration(tmp_path):
    import sqlite3

    run(tmp_path, "migrate")
    ok = run(tmp_path, "check")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "ok    migrations: all" in ok.stdout and "FAIL" not in ok.stdout

    with sqlite3.connect(tmp_path / "var" / "pairgate.sqlite3") as conn:
        conn.execute("DELETE FROM tortoise_migrations WHERE name = '0010_pin_key_rotation'")
    missing = run(tmp_path, "check")
    assert missing.returncode != 0
    assert "FAIL  migrations: 1 not applied (0010_pin_key_rotation)" in missing.stdout


def test_check_counts_the_pins_under_each_key(tmp_path):
    from gateway.models import LoginMethod, Organisation, User
    from gateway.services import pins

    k1, k2 = "k1-" + "1" * 40, "k2-" + "2" * 40
    run(tmp_path, "migrate", PAIRGATE_SECRET_KEY=k1)

    async def two_pins():
        organisation = await Organisation.create(name="Acme")
        for username, pin, key in (("old", "11111", k1), ("new", "22222", k2)):
            await User.create(organisation=organisation, username=username, display_name=username, role="STAFF",
                              login_method=LoginMethod.PIN_ONLY,
                              pin_hmac=pins.pin_hmac(key.encode(), organisation.id, pin),
                              pin_key_id=pins.key_id(key.encode()))

    _in_database(tmp_path, two_pins, secret_key=k1)
    rotated = run(tmp_path, "check", PAIRGATE_SECRET_KEY=k2, PAIRGATE_PREVIOUS_SECRET_KEYS=k1)
    assert rotated.returncode == 0, rotated.stdout
    assert "ok    PINs: 1 under the current key, 1 under an earlier key" in rotated.stdout
    dropped = run(tmp_path, "check", PAIRGATE_SECRET_KEY=k2)
    assert dropped.returncode != 0 and "1 under a key that is neither" in dropped.stdout
    assert k1 not in rotated.stdout + dropped.stdout + dropped.stderr  # the keys themselves are never printed
