"""Post every audit event as signed JSON to ``PAIRGATE_WEBHOOK_URL``.

The body is signed with ``PAIRGATE_WEBHOOK_SECRET``: the receiver computes
``"sha256=" + HMAC-SHA256(secret, raw body)`` and compares it, in constant
time, with the ``X-Pairgate-Signature`` header. ``X-Pairgate-Delivery`` carries
the event id, so a receiver can ignore a retried delivery it already has.

The hook only enqueues: one background task per event loop posts events in
order, retrying network errors, 408, 429 and 5xx with exponential backoff. The
queue is bounded; when the receiver is down long enough to fill it, new events
are dropped (and counted, and logged) rather than growing memory without end.
Events still queued when the process stops are lost: the audit log in the
database stays the record of truth.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os

import aiohttp

from gateway import hookimpl
from gateway.graphql import ids

log = logging.getLogger("pairgate.webhook")

SIGNATURE_HEADER = "X-Pairgate-Signature"
RETRY_STATUSES = {408, 429}


def sign(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def payload(event) -> dict:
    def gid(type_name, pk):
        return ids.encode(type_name, pk) if pk else None

    return {
        "id": gid("AuditEvent", event.id),
        "type": event.type,
        "organisationId": gid("Organisation", event.organisation_id),
        "actorId": gid("User", event.actor_user_id),
        "deviceId": gid("Device", event.device_id),
        "ipAddress": event.ip_address,
        "data": event.data,
        "createdAt": event.created_at.isoformat(),
    }


class Webhook:
    def __init__(self, url: str | None = None, secret: str | None = None, *, queue_size: int = 1000,
                 attempts: int = 5, backoff_seconds: float = 0.5, timeout_seconds: float = 10) -> None:
        self.url = url if url is not None else os.environ.get("PAIRGATE_WEBHOOK_URL", "")
        self.secret = (secret if secret is not None else os.environ.get("PAIRGATE_WEBHOOK_SECRET", "")).encode()
        self.queue_size, self.attempts = queue_size, attempts
        self.backoff_seconds, self.timeout_seconds = backoff_seconds, timeout_seconds
        self.delivered = self.failed = self.dropped = 0
        self._loop = self._queue = self._worker = None

    @hookimpl
    async def on_audit_event(self, event) -> None:
        if not self.url:
            return
        self._start()
        body = json.dumps(payload(event), sort_keys=True, separators=(",", ":")).encode()
        try:
            self._queue.put_nowait((event.id, event.type, body))
        except asyncio.QueueFull:
            self.dropped += 1
            log.warning("webhook queue full (%d): dropped %s event %s", self.queue_size, event.type, event.id)

    def _start(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._worker.done():
            self._loop, self._queue = loop, asyncio.Queue(self.queue_size)
            self._worker = loop.create_task(self._run(), name="pairgate-webhook")

    async def _run(self) -> None:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout_seconds)) as session:
            while True:
                event_id, event_type, body = await self._queue.get()
                try:
                    await self._deliver(session, event_id, event_type, body)
                finally:
                    self._queue.task_done()

    async def _deliver(self, session: aiohttp.ClientSession, event_id: int, event_type: str, body: bytes) -> None:
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(self.secret, body),
                   "X-Pairgate-Event": event_type, "X-Pairgate-Delivery": str(event_id)}
        for attempt in range(1, self.attempts + 1):
            try:
                async with session.post(self.url, data=body, headers=headers) as response:
                    if response.status < 300:
                        self.delivered += 1
                        return
                    if response.status < 500 and response.status not in RETRY_STATUSES:
                        break  # the receiver refuses it: retrying will not help
                    log.info("webhook got %s for event %s (attempt %d)", response.status, event_id, attempt)
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                log.info("webhook failed for event %s (attempt %d): %r", event_id, attempt, exc)
            if attempt < self.attempts:
                await asyncio.sleep(self.backoff_seconds * 2 ** (attempt - 1))
        self.failed += 1
        log.error("webhook gave up on %s event %s", event_type, event_id)

    async def drain(self) -> None:
        """Wait until every queued event was delivered or given up on."""
        if self._queue is not None:
            await self._queue.join()

    async def close(self) -> None:
        if self._worker is not None and not self._worker.done():
            self._worker.cancel()
            try:
                await self._worker
            except asyncio.CancelledError:
                pass


# The entry point: configured from the environment.
plugin = Webhook()
