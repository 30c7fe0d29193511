"""The ``pairgate`` command."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
from datetime import timedelta

from gateway.plugin_types import PluginError
from gateway.settings import Settings, SettingsError


def _settings() -> Settings:
    return Settings.from_env()


def _runtime(settings: Settings):
    from gateway.plugins import get_plugin_manager
    from gateway.services.runtime import Runtime

    return Runtime.build(settings, get_plugin_manager(modules=settings.plugins, disabled=settings.disable_plugins))


async def _with_db(settings: Settings, work):
    from gateway import db

    ctx = await db.open_database(settings)
    try:
        return await work()
    finally:
        await db.close_database(ctx)


async def freeze_startup_objects(app) -> None:
    """Leave what start-up built (schema, plugins, models, the pool) out of every later garbage collection.

    Python's cycle collector otherwise walks those hundreds of thousands of objects again
    each time it reaches the oldest generation, which requests trigger by allocating: a
    noticeable share of every request's work, for objects that live as long as the process.
    Runs after the database is open (cleanup_ctx runs first).

    The collection thresholds stay Python's: collecting the youngest generation less often
    saved a little work per request but made the collector's pauses, and so the slowest
    requests, much longer.
    """
    import gc

    gc.collect()
    gc.freeze()


def _serve_one(host: str, port: int, reuse_port: bool, app=None, settings: Settings | None = None) -> None:
    from aiohttp import web

    from gateway import logs
    from gateway.app import create_app

    if app is None:  # a worker process: it builds its own app
        settings = _settings()
        app = create_app(settings)
    if settings is not None:
        logs.configure(settings)
    app.on_startup.append(freeze_startup_objects)
    # aiohttp's own access log is off: its line holds the query string, where a GET carries its
    # variables; the gateway writes its own line for every request (gateway/logs.py).
    web.run_app(app, host=host, port=port, reuse_port=reuse_port, print=None, access_log=None)


def cmd_serve(args) -> None:
    from gateway.app import create_app

    settings = _settings()
    app = create_app(settings)  # fails here, once, on a bad setting or plugin, before any worker starts
    print(f"pairgate: GraphiQL on http://{args.host}:{args.port}/graphql"
          + (f" ({args.workers} worker processes)" if args.workers > 1 else ""), flush=True)
    if args.workers <= 1:
        _serve_one(args.host, args.port, reuse_port=False, app=app, settings=settings)
    else:
        _serve_many(args)


def _serve_many(args) -> None:
    """N processes accept on one port (SO_REUSEPORT: the kernel spreads connections).

    Nothing that matters lives in a process: sessions, throttles and the audit
    log are rows, so any worker can answer any request. Metrics are the
    exception: each worker counts its own, in files of a folder made for this
    run (prometheus-client's multiprocess mode), and /metrics on any worker adds
    them all up. The folder goes when the workers do.
    """
    import multiprocessing
    import shutil
    import signal
    import tempfile

    from prometheus_client import multiprocess

    metrics_dir = tempfile.mkdtemp(prefix="pairgate-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir  # read by each worker as it imports prometheus-client
    spawn = multiprocessing.get_context("spawn")
    workers = [spawn.Process(target=_serve_one, args=(args.host, args.port, True), daemon=True)
               for _ in range(args.workers)]
    for worker in workers:
        worker.start()

    def stop(*_):
        for worker in workers:
            worker.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        for worker in workers:
            worker.join()
            multiprocess.mark_process_dead(worker.pid, metrics_dir)  # its live gauges stop counting
    except KeyboardInterrupt:
        stop()
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)


def cmd_migrate(args) -> None:
    from gateway import db

    asyncio.run(db.migrate(_settings()))
    print("pairgate: database is up to date")


def _read_password() -> str:
    password = os.environ.get("PAIRGATE_ADMIN_PASSWORD")
    if password is None:
        password = sys.stdin.readline().rstrip("\n")
    return password


def cmd_create_organisation(args) -> None:
    from gateway.graphql import ids
    from gateway.services import organisations
    from gateway.services.errors import UserErrors

    password = _read_password()

    async def work():
        return await organisations.create_organisation(args.name, args.admin_username, password)

    try:
        organisation, admin = asyncio.run(_with_db(_settings(), work))
    except UserErrors as exc:
        sys.exit("pairgate: " + "; ".join(f"{'.'.join(p.field or ())}: {p.message}" for p in exc.problems))
    print(json.dumps({
        "organisationId": ids.encode("Organisation", organisation.id),
        "adminUserId": ids.encode("User", admin.id),
        "adminUsername": admin.username,
    }))


def cmd_reset_password(args) -> None:
    from gateway.services import audit, operator
    from gateway.services.errors import UserErrors

    password = _read_password()
    settings = _settings()
    runtime = _runtime(settings)

    async def work():
        audit.bind_plugins(runtime.plugins)  # plugins hear of the reset, as of any audited change
        return await operator.reset_password(args.username, password, args.organisation)

    try:
        user, ended = asyncio.run(_with_db(settings, work))
    except UserErrors as exc:
        sys.exit("pairgate: " + "; ".join(problem.message for problem in exc.problems))
    print(f"pairgate: new password set for {user.username!r} (organisation {user.organisation_id}); "
          f"{ended} session(s) ended")


def cmd_check(args) -> None:
    from gateway import check

    results = asyncio.run(check.run())
    for result in results:
        print(result.line())
    if not all(result.ok for result in results):
        sys.exit("pairgate: check failed")


def cmd_demo(args) -> None:
    from gateway.models import Organisation
    from gateway.services import audit, codes, configurations, organisations
    from gateway.services.actor import Actor, Client
    from gateway.services.clock import utcnow

    settings = _settings()
    runtime = _runtime(settings)

    async def work():
        audit.bind_plugins(runtime.plugins)
        if await Organisation.exists():
            return None
        password = secrets.token_urlsafe(12)
        organisation, admin = await organisations.create_organisation("Demo Bistro", "admin", password)
        admin.organisation = organisation
        actor = Actor(client=Client(ip_address="127.0.0.1"), user=admin)
        configuration = await configurations.create(actor, "Front counter", "Demo POS profile")
        code = await codes.create(actor, runtime, codes.NewCode(
            description="Demo register", device_type="POS", configuration_id=configuration.id,
            expires_at=utcnow() + timedelta(days=30), single_use=False,
        ))
        return password, codes.display(code.value)

    created = asyncio.run(_with_db(settings, work))
    if created is None:
        print("pairgate: the database has an organisation already; no demo seeded")
        return
    password, code = created
    print("pairgate: seeded the demo organisation “Demo Bistro”. Shown once, write it down:")
    print(f"  admin login:      username admin, password {password}")
    print(f"  connection code:  {code}  (POS, “Front counter”, 30 days)")


def cmd_export_schema(args) -> None:
    from gateway.graphql.schema import build_schema

    # The schema depends on the installed plugins, never on the secret key.
    settings = Settings.from_env(secret_key=os.environ.get("PAIRGATE_SECRET_KEY") or "export-schema-needs-no-secret-key")
    print(build_schema(_runtime(settings)).as_str())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="pairgate", description="GraphQL gateway for shared POS devices.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve GraphQL (and GraphiQL) over HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--workers", type=int, default=1, help="worker processes sharing the port (default 1)")
    serve.set_defaults(func=cmd_serve)
    commands.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
    create = commands.add_parser(
        "create-organisation",
        help="create an organisation and its admin (password from PAIRGATE_ADMIN_PASSWORD or stdin)",
    )
    create.add_argument("--name", required=True)
    create.add_argument("--admin-username", required=True)
    create.set_defaults(func=cmd_create_organisation)
    reset = commands.add_parser(
        "reset-password",
        help="give a user a new password and end their sessions (password from PAIRGATE_ADMIN_PASSWORD or stdin)",
    )
    reset.add_argument("--username", required=True)
    reset.add_argument("--organisation", help="the user's organisation (id or name), when the username is in several")
    reset.set_defaults(func=cmd_reset_password)
    commands.add_parser(
        "check", help="check settings, database, migrations and secret keys (non-zero exit when something is wrong)",
    ).set_defaults(func=cmd_check)
    commands.add_parser("demo", help="seed a demo organisation into an empty database").set_defaults(func=cmd_demo)
    commands.add_parser("export-schema", help="print the GraphQL schema (SDL)").set_defaults(func=cmd_export_schema)
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except (SettingsError, PluginError) as exc:
        # A configuration problem: say what it is, without a traceback.
        sys.exit(f"pairgate: {exc}")


if __name__ == "__main__":
    main()
