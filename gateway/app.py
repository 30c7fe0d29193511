"""The aiohttp application: GraphQL (and GraphiQL) on /graphql, health on /healthz, metrics on
/metrics, the screens (web.py)."""

from __future__ import annotations

import aiohttp_cors
import pluggy
from aiohttp import web

from gateway import db, events, logs, metrics, web as screens
from gateway.graphql.http import GraphQLHandler
from gateway.graphql.schema import build_schema
from gateway.graphql.websocket import PairgateView
from gateway.outage import RETRY_AFTER_SECONDS, DatabaseWatch
from gateway.plugins import get_plugin_manager
from gateway.services.runtime import Runtime
from gateway.settings import Settings

RUNTIME = web.AppKey("runtime", Runtime)
DATABASE = web.AppKey("database", DatabaseWatch)


async def healthz(request: web.Request) -> web.Response:
    if not await request.app[DATABASE].probe():  # the watch logs the outage, once
        return web.json_response({"status": "unavailable"}, status=503,
                                 headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    return web.json_response({"status": "ok"})


def create_app(settings: Settings, plugin_manager: pluggy.PluginManager | None = None) -> web.Application:
    plugins = plugin_manager or get_plugin_manager(modules=settings.plugins, disabled=settings.disable_plugins)
    bus = events.bus_for(settings)
    runtime = Runtime.build(settings, plugins, bus)
    schema = build_schema(runtime)
    app = web.Application()
    app[RUNTIME] = runtime
    app[DATABASE] = watch = DatabaseWatch(db.connection_name(settings))

    async def database(app: web.Application):
        ctx = await db.open_database(settings)
        await bus.start()
        yield
        await bus.stop()
        await db.close_database(ctx)

    app.cleanup_ctx.append(database)
    # Strawberry's own GraphiQL page loads from a CDN: browsers get the bundled one (web.py).
    view = PairgateView(runtime, schema=schema, graphql_ide=None)
    graphql = app.router.add_resource("/graphql")
    graphiql = screens.graphiql if settings.introspection else None  # GraphiQL needs introspection
    handle = GraphQLHandler(schema, runtime, view, watch, graphiql).handle
    # One route per method rather than "*": the CORS library answers OPTIONS itself and
    # cannot share a resource with a route for every method. The handler still answers
    # the other methods (405, JSON).
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        graphql.add_route(method, handle)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics.handler(settings.metrics_token, db.connection_name(settings)))
    screens.add_routes(app)
    logs.install(app, db.connection_name(settings))  # a log line and metrics for every request
    _allow_origins(app, [route for route in graphql if route.method in ("GET", "POST")], settings.cors_origins)
    return app


def _allow_origins(app: web.Application, routes: list[web.AbstractRoute], origins: tuple[str, ...]) -> None:
    """Browsers on a page of another origin may call /graphql only from the listed origins.

    With none listed, a cross-origin preflight is refused (403) and no response carries
    CORS headers, so a browser lets no other site's page send JSON here or read answers.
    Tokens travel in headers, never cookies, so credentials are not allowed.
    """
    options = aiohttp_cors.ResourceOptions(
        allow_credentials=False, allow_headers=("Content-Type", "Authorization", "X-Device-Token", "X-App-Version"),
        allow_methods=("GET", "POST"), max_age=600,
    )
    cors = aiohttp_cors.setup(app, defaults={origin: options for origin in origins})
    for route in routes:
        cors.add(route)
