"""The aiohttp application: GraphQL (and GraphiQL) on /graphql, health on /healthz, metrics on /metrics."""

from __future__ import annotations

import aiohttp_cors
import pluggy
from aiohttp import web
from strawberry.aiohttp.views import GraphQLView

from gateway import db, logs, metrics
from gateway.graphql.context import Context
from gateway.graphql.http import GraphQLHandler
from gateway.graphql.schema import build_schema
from gateway.outage import RETRY_AFTER_SECONDS, DatabaseWatch
from gateway.plugins import get_plugin_manager
from gateway.services.runtime import Runtime
from gateway.settings import Settings

RUNTIME = web.AppKey("runtime", Runtime)
DATABASE = web.AppKey("database", DatabaseWatch)


class PairgateView(GraphQLView):
    def __init__(self, runtime: Runtime, **kwargs) -> None:
        super().__init__(**kwargs)
        self.runtime = runtime

    async def get_context(self, request: web.Request, response: web.StreamResponse) -> Context:
        return Context(request, self.runtime, response)


async def healthz(request: web.Request) -> web.Response:
    if not await request.app[DATABASE].probe():  # the watch logs the outage, once
        return web.json_response({"status": "unavailable"}, status=503,
                                 headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    return web.json_response({"status": "ok"})


def create_app(settings: Settings, plugin_manager: pluggy.PluginManager | None = None) -> web.Application:
    plugins = plugin_manager or get_plugin_manager(modules=settings.plugins, disabled=settings.disable_plugins)
    runtime = Runtime.build(settings, plugins)
    schema = build_schema(runtime)
    app = web.Application()
    app[RUNTIME] = runtime
    app[DATABASE] = watch = DatabaseWatch(db.connection_name(settings))

    async def database(app: web.Application):
        ctx = await db.open_database(settings)
        yield
        await db.close_database(ctx)

    app.cleanup_ctx.append(database)
    view = PairgateView(runtime, schema=schema, graphql_ide="graphiql" if settings.introspection else None)
    graphql = app.router.add_resource("/graphql")
    handle = GraphQLHandler(schema, runtime, view, watch).handle
    # One route per method rather than "*": the CORS library answers OPTIONS itself and
    # cannot share a resource with a route for every method. The handler still answers
    # the other methods (405, JSON).
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        graphql.add_route(method, handle)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics.handler(settings.metrics_token, db.connection_name(settings)))
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
