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
