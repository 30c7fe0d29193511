"""Prometheus metrics, served at /metrics (prometheus-client).

Every label takes its values from a small set the gateway knows (an operation's root field is
one of the schema's, never the client's operation name), so no request can grow the number of
series. With several worker processes (``pairgate serve --workers N``) each process writes its
values to files in ``PROMETHEUS_MULTIPROC_DIR``, which the serve command creates and removes,
and a scrape of any one worker adds them all up (prometheus-client's multiprocess mode).
"""

from __future__ import annotations

import hmac
import os
import time

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess,
)

REQUESTS = Counter("pairgate_requests", "HTTP requests, by operation (GraphQL root field) and outcome.",
                   ["type", "operation", "outcome"])
LATENCY = Histogram("pairgate_request_duration_seconds", "Time to answer a request, by operation.",
                    ["type", "operation"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
LOGINS = Counter("pairgate_logins", "Logins, by method (PASSWORD, PIN) and outcome (succeeded, failed).",
                 ["method", "outcome"])
THROTTLE_LOCKS = Counter("pairgate_throttle_locks", "Throttles that locked after failed attempts, by throttle.",
                         ["throttle"])
# Gauges of several processes add up (livesum): the connections, and the subscriptions, of every live worker.
POOL_IN_USE = Gauge("pairgate_db_pool_in_use", "Database connections in use (PostgreSQL pool).",
                    multiprocess_mode="livesum")
POOL_SIZE = Gauge("pairgate_db_pool_size", "Database connections open (PostgreSQL pool).",
                  multiprocess_mode="livesum")
LIVE_SUBSCRIPTIONS = Gauge("pairgate_live_subscriptions", "GraphQL subscriptions open now.",
                           multiprocess_mode="livesum")

# Audit events that are logins: (method, outcome). A PIN that unlocks a locked register is a login.
_LOGIN_EVENTS = {"login.succeeded": "succeeded", "login.failed": "failed", "session.unlocked": "succeeded"}


def subscription_started() -> None:
    LIVE_SUBSCRIPTIONS.inc()


def subscription_ended() -> None:
    LIVE_SUBSCRIPTIONS.dec()


# Each label set's children, looked up once: ``labels()`` costs more than the increment itself,
# and the label values are few (see the module's docstring).
_requests: dict[tuple[str, str, str], Counter] = {}
_latencies: dict[tuple[str, str], Histogram] = {}


def request_finished(operation_type: str, operation: str, outcome: str, seconds: float) -> None:
    key = (operation_type, operation, outcome)
    counter = _requests.get(key)
    if counter is None:
        counter = _requests[key] = REQUESTS.labels(*key)
    counter.inc()
    histogram = _latencies.get(key[:2])
    if histogram is None:
        histogram = _latencies[key[:2]] = LATENCY.labels(operation_type, operation)
    histogram.observe(seconds)


def audit_events(events) -> None:
    """Count the logins and throttle locks among committed audit events (services/audit.py):
    the audit log already records each one where the decision is made, and only once it is
    committed, so a login that rolled back is not counted."""
    for event in events:
        outcome = _LOGIN_EVENTS.get(event.type)
        if outcome is not None:
            method = event.data.get("method") or "PIN"  # an unlock is always a PIN's
            LOGINS.labels(method if method in ("PASSWORD", "PIN") else "other", outcome).inc()
        elif event.type == "throttle.locked":
            THROTTLE_LOCKS.labels(throttle_name(str(event.data.get("key", "")))).inc()


def throttle_name(key: str) -> str:
    """The throttle's kind ("pin:device", "password:user", …), never the name or id it counts."""
    return ":".join(key.split(":")[:2]) or "other"


_pool_read_at = 0.0


def pool_usage_now_and_then(connection_name: str) -> None:
    """``pool_usage`` at most once a second: after requests, so each worker's gauges stay fresh."""
    global _pool_read_at
    now = time.monotonic()
    if now - _pool_read_at >= 1.0:
        _pool_read_at = now
        pool_usage(connection_name)


def pool_usage(connection_name: str) -> None:
    """Read the PostgreSQL pool's size and idle count into the gauges (SQLite has no pool)."""
    from tortoise import connections

    try:
        client = connections.get(connection_name)
    except Exception:  # not open (yet, or any more)
        return
    # Tortoise 1.1 has no public accessor for its asyncpg pool; the pool's own methods are public.
    pool = getattr(client, "_pool", None)
    if pool is None or not hasattr(pool, "get_idle_size"):
        return
    size = pool.get_size()
    POOL_SIZE.set(size)
    POOL_IN_USE.set(size - pool.get_idle_size())


def multiprocess_mode() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def exposition() -> bytes:
    """The metrics in Prometheus's text format: every worker's, added up, in multiprocess mode."""
    if multiprocess_mode():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def handler(token: str | None, connection_name: str):
    """The /metrics endpoint; with ``token`` (PAIRGATE_METRICS_TOKEN) it wants ``Authorization: Bearer <token>``."""
    expected = f"Bearer {token}".encode() if token else None

    async def metrics(request: web.Request) -> web.Response:
        if expected is not None:
            sent = request.headers.get("Authorization", "").encode("utf-8", "surrogateescape")
            if not hmac.compare_digest(sent, expected):
                return web.Response(status=401, text="Send Authorization: Bearer <PAIRGATE_METRICS_TOKEN>.\n",
                                    headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
        pool_usage(connection_name)
        return web.Response(body=exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    return metrics
