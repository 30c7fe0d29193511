"""The WebSocket transport at /graphql (graphql-transport-ws, and graphql-ws for older clients).

Strawberry's view runs it; this says who the connection is and bounds what it may hold.
The connection authenticates once, in its ``connection_init`` payload
(``{"authorization": "Bearer …", "deviceToken": "…"}``): a token that is nobody's is
refused there (close code 4403), before any operation.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from aiohttp import web
from strawberry.aiohttp.views import GraphQLView
from strawberry.exceptions import ConnectionRejectionError

from gateway.graphql.context import Context
from gateway.services.runtime import Runtime

MAX_OPERATIONS = 20  # subscriptions (and operations in flight) per connection
INIT_SECONDS = 5  # a connection that has not sent connection_init by then is closed (4408)
HEARTBEAT_SECONDS = 25  # WebSocket pings: a peer that vanished is noticed, and proxies keep the socket


class PairgateView(GraphQLView):
    def __init__(self, runtime: Runtime, **kwargs) -> None:
        super().__init__(
            keep_alive=True, keep_alive_interval=HEARTBEAT_SECONDS,  # graphql-ws's "ka" messages
            connection_init_wait_timeout=timedelta(seconds=INIT_SECONDS),
            max_subscriptions_per_connection=MAX_OPERATIONS,
            # Tokens travel in the payload, never in cookies, so another site's page gains nothing
            # by opening a socket; still, browsers are held to the origins HTTP allows.
            allowed_origins=runtime.settings.cors_origins,
            **kwargs,
        )
        self.runtime = runtime

    async def get_context(self, request: web.Request, response: web.StreamResponse) -> Context:
        context = Context(request, self.runtime, response)
        if context.is_socket:
            # graphql-transport-ws closes a socket that never initialises; graphql-ws would keep it.
            asyncio.get_running_loop().call_later(INIT_SECONDS, _close_unless_initialised, context, response)
        return context

    async def create_websocket_response(self, request: web.Request, subprotocol: str | None) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(protocols=[subprotocol] if subprotocol else [], heartbeat=HEARTBEAT_SECONDS)
        await socket.prepare(request)
        return socket

    async def on_ws_connect(self, context: Context):
        """Refuse a connection whose tokens are nobody's, and a second connection_init (graphql-ws
        would take it, and start one more keep-alive each time)."""
        if context.initialised:
            raise ConnectionRejectionError()
        context.initialised = True
        actor = await context.actor()
        if context.has_bearer and actor.user is None and actor.locked_session is None:
            raise ConnectionRejectionError()
        device = await context.device()
        if context.client.device_token is not None and device is None:
            raise ConnectionRejectionError()
        return await super().on_ws_connect(context)


def _close_unless_initialised(context: Context, socket: web.WebSocketResponse) -> None:
    if not context.initialised and not socket.closed:
        asyncio.ensure_future(socket.close(code=4408, message=b"Connection initialisation timeout"))
