"""A graphql-transport-ws client for the live tests: one connection, several subscriptions."""

from __future__ import annotations

import asyncio
import contextlib
import itertools

WAIT = 5  # seconds an expected message may take; a missing one fails the test


class Live:
    def __init__(self, socket) -> None:
        self.socket = socket
        self.ids = itertools.count(1)
        self.inbox: dict[str, asyncio.Queue] = {}
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.socket:
            data = message.json()
            if "id" in data:
                self.inbox.setdefault(data["id"], asyncio.Queue()).put_nowait(data)

    async def subscribe(self, query: str, variables: dict | None = None) -> str:
        operation = str(next(self.ids))
        self.inbox.setdefault(operation, asyncio.Queue())
        await self.socket.send_json({"id": operation, "type": "subscribe",
                                     "payload": {"query": query, "variables": variables or {}}})
        return operation

    async def next(self, operation: str, timeout: float = WAIT) -> dict:
        """The operation's next message (next, error or complete)."""
        return await asyncio.wait_for(self.inbox[operation].get(), timeout)

    async def event(self, operation: str, timeout: float = WAIT) -> dict:
        """The data of the operation's next event (a ``next`` message without errors)."""
        message = await self.next(operation, timeout)
        assert message["type"] == "next" and "errors" not in message["payload"], message
        return next(iter(message["payload"]["data"].values()))

    async def until(self, operation: str, event_type: str) -> dict:
        """The first event of this type, skipping those before it."""
        while (event := await self.event(operation))["type"] != event_type:
            pass
        return event

    async def silent(self, operation: str, seconds: float = 0.5) -> bool:
        """Nothing arrives for the operation within ``seconds``."""
        with contextlib.suppress(TimeoutError):
            message = await asyncio.wait_for(self.inbox[operation].get(), seconds)
            raise AssertionError(f"expected nothing, got {message}")
        return True


@contextlib.asynccontextmanager
async def connect(client, token: str | None = None, device_token: str | None = None, **extra):
    """A connection acknowledged with these credentials."""
    payload = dict(extra)
    if token:
        payload["authorization"] = f"Bearer {token}"
    if device_token:
        payload["deviceToken"] = device_token
    async with client.ws_connect("/graphql", protocols=("graphql-transport-ws",)) as socket:
        await socket.send_json({"type": "connection_init", "payload": payload})
        ack = await socket.receive_json(timeout=WAIT)
        assert ack["type"] == "connection_ack", ack
        live = Live(socket)
        try:
            yield live
        finally:
            live.reader.cancel()
