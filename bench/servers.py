"""The servers the benchmark compares, each started as its own process.

    python bench/servers.py bare PORT        a bare aiohttp handler answering JSON (the ceiling)
    python bench/servers.py stock PORT       the gateway's schema behind Strawberry's stock aiohttp view
    python bench/servers.py gateway PORT     the gateway as `pairgate serve` runs it
    python bench/servers.py gateway-unchecked PORT
                                             the same with its authorization middleware a pass-through
                                             (plain `gateway` while the gateway has none)
"""

from __future__ import annotations

import importlib.util
import sys

from aiohttp import web


def bare_app() -> web.Application:
    body = b'{"data":{"__typename":"Query"}}'

    async def handler(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_post("/graphql", handler)
    app.router.add_get("/healthz", lambda request: _ok())
    return app


async def _ok() -> web.Response:
    return web.json_response({"status": "ok"})


def stock_app() -> web.Application:
    """Same schema, context and database; Strawberry's view with parser and validation caches."""
    from gateway import db
    from gateway.app import DATABASE, RUNTIME, healthz
    from gateway.graphql.websocket import PairgateView
    from gateway.graphql.schema import build_schema
    from gateway.outage import DatabaseWatch
    from gateway.plugins import get_plugin_manager
    from gateway.services.runtime import Runtime
    from gateway.settings import Settings

    settings = Settings.from_env()
    runtime = Runtime.build(settings, get_plugin_manager())
    app = web.Application()

    async def database(app):
        ctx = await db.open_database(settings)
        yield
        await db.close_database(ctx)

    app.cleanup_ctx.append(database)
    app.router.add_route("*", "/graphql", PairgateView(runtime, schema=build_schema(runtime)))
    app.router.add_get("/healthz", healthz)
    app[RUNTIME] = runtime
    app[DATABASE] = DatabaseWatch(db.connection_name(settings))
    return app


def authorization_present() -> bool:
    """Whether this gateway has the authorization middleware (gateway.graphql.access)."""
    return importlib.util.find_spec("gateway.graphql.access") is not None


def pass_authorization_through() -> None:
    """Every field resolved as if authorization allowed it: what authorization costs is then the
    difference from `gateway`. Done before the app is made, which is when it reads the middleware."""
    if authorization_present():
        from gateway.graphql import access

        access.authorize = lambda next_, source, info, **args: next_(source, info, **args)


def main() -> None:
    kind, port = sys.argv[1], int(sys.argv[2])
    if kind == "gateway-unchecked":
        pass_authorization_through()
        kind = "gateway"
    if kind == "gateway":
        from gateway.cli import main as cli

        cli(["serve", "--port", str(port)])
        return
    app = {"bare": bare_app, "stock": stock_app}[kind]()
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


if __name__ == "__main__":
    main()
