"""The GraphQL endpoint: a lean aiohttp handler around graphql-core.

Strawberry builds the schema and its resolvers; this handler runs them. It
parses and validates each distinct document once (validation.py), does no
per-request work that could be done at start-up, and skips the per-request
extension machinery of Strawberry's view, which cost more than
the whole execution of a small query. Browsers asking for HTML get GraphiQL
(the bundled page, gateway/web.py), and WebSocket upgrades go to Strawberry's
view, so both keep working. While the database is unreachable, it answers 503
with Retry-After (outage.py).
"""

from __future__ import annotations

import json

from aiohttp import web
from graphql import OperationType, execute, get_operation_ast
from strawberry.aiohttp.views import GraphQLView
from strawberry.execution import optimized_is_awaitable

from gateway import db, logs
from gateway.graphql import access
from gateway.graphql.context import Context
from gateway.graphql.errors import safe_error
from gateway.graphql.schema import Schema
from gateway.outage import RETRY_AFTER_SECONDS, DatabaseWatch, is_unreachable
from gateway.services.runtime import Runtime

JSON = "application/json"
UNAVAILABLE = "The database is unavailable: try again shortly."


def _dumps(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _error_response(message: str, status: int) -> web.Response:
    return web.Response(text=_dumps({"data": None, "errors": [{"message": message}]}), status=status,
                        content_type=JSON)


def _unavailable_response() -> web.Response:
    body = {"data": None, "errors": [{"message": UNAVAILABLE, "extensions": {"code": "SERVICE_UNAVAILABLE"}}]}
    return web.Response(text=_dumps(body), status=503, content_type=JSON,
                        headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


class GraphQLHandler:
    def __init__(self, schema: Schema, runtime: Runtime, strawberry_view: GraphQLView | None,
                 database: DatabaseWatch, graphiql=None) -> None:
        self.schema = schema._schema
        self.executor_class = schema.execution_context_class
        self.runtime = runtime
        self.database = database
        self.view = strawberry_view  # WebSocket subscriptions
        self.graphiql = graphiql  # the page's handler; None when introspection is off
        self.query_stats = runtime.settings.query_stats
        if self.query_stats:
            db.enable_query_stats()
        self.validator = schema.validator
        self.hide_suggestions = self.validator.hide_suggestions
        self.middleware = (access.authorize,)  # read now, so a benchmark can measure the gateway without it

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if request.method == "GET":
            if self.view is not None and (
                request.headers.get("Upgrade", "").lower() == "websocket" or "text/html" in request.headers.get("Accept", "")
            ):
                if self.graphiql is not None and request.headers.get("Upgrade", "").lower() != "websocket":
                    return await self.graphiql(request)
                return await self.view(request)
            payload = dict(request.query)
            if "variables" in payload:
                try:
                    payload["variables"] = json.loads(payload["variables"])
                except ValueError:
                    return _error_response("variables must be JSON.", 400)
        elif request.method == "POST":
            # Only JSON: a form or text/plain body is what a cross-site page can send
            # without asking the browser first, and it is not what GraphiQL or clients send.
            if request.content_type != JSON:
                return _error_response("Send the body as application/json.", 415)
            try:
                payload = json.loads(await request.read())
            except ValueError:
                return _error_response("The body must be JSON.", 400)
            if isinstance(payload, list):
                return _error_response("Batching is not enabled: send one operation per request.", 400)
            if not isinstance(payload, dict):
                return _error_response("The body must be a JSON object.", 400)
        else:
            return _error_response("Use GET or POST.", 405)
        return await self.run(request, payload)

    async def run(self, request: web.Request, payload: dict) -> web.Response:
        query = payload.get("query")
        if not isinstance(query, str) or not query.strip():
            return _error_response("No GraphQL query found in the request.", 400)
        variables = payload.get("variables") or None
        operation_name = payload.get("operationName") or None
        if variables is not None and not isinstance(variables, dict):
            return _error_response("variables must be an object.", 400)
        document, errors = self.validator.prepare(query)
        if errors:
            logs.answered(request, None, graphql_errors=True)
            return self._respond({"data": None, "errors": [error.formatted for error in errors]}, None)
        operation = get_operation_ast(document, operation_name)
        logs.operation(request, operation)
        if request.method == "GET":
            if operation is not None and operation.operation != OperationType.QUERY:
                return _error_response("Only queries over GET; send mutations with POST.", 405)
        if self.database.down and not await self.database.probe():
            return _unavailable_response()  # before any resolver runs: nothing is half-written
        cell = db.counting() if self.query_stats else None
        context = Context(request, self.runtime)
        if context.client.device_token is not None:
            # Every request of a device records that it was seen, whatever it asks (a query that
            # needs the device reuses this lookup). Before any resolver: a failure writes nothing.
            try:
                await context.device()
            except Exception as error:
                if is_unreachable(error) and await self.database.explains(error):
                    self.database.failed(error)
                    return _unavailable_response()
                raise
        result = execute(
            self.schema, document, context_value=context, variable_values=variables,
            operation_name=operation_name, executor_class=self.executor_class, is_awaitable=optimized_is_awaitable,
            operation_extensions=None, hide_suggestions=self.hide_suggestions, middleware=self.middleware,
        )
        if optimized_is_awaitable(result):
            result = await result
        body: dict = {"data": result.data}
        if result.errors:
            lost = [error for error in result.errors
                    if is_unreachable(error.original_error) and await self.database.explains(error.original_error)]
            # Mapped (and, when unexpected, logged) even when the database failed beside them.
            errors = [safe_error(error) for error in result.errors if error not in lost]
            if lost:  # the database failed, not the request: the client tries again
                self.database.failed(lost[0].original_error)
                return _unavailable_response()
            body["errors"] = [error.formatted for error in errors]
        logs.answered(request, context.reader, graphql_errors=bool(result.errors))
        return self._respond(body, cell)

    def _respond(self, body: dict, cell) -> web.Response:
        if self.query_stats:
            body["extensions"] = {"sql": {"queries": cell[0] if cell else 0}}
        try:
            encoded = _dumps(body).encode()
        except UnicodeEncodeError:
            # An error message quoting what the client sent (a variable's value, an operation's
            # name) may hold a lone surrogate, which JSON carries escaped but UTF-8 cannot encode.
            encoded = json.dumps(body, separators=(",", ":")).encode()
        return web.Response(body=encoded, content_type=JSON, charset="utf-8")
