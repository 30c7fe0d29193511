"""Across gateway processes through PostgreSQL LISTEN/NOTIFY: this test's app is one process,
a `pairgate serve` subprocess the other, on one database."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys

import aiohttp
import asyncpg

from gateway.app import RUNTIME
from gateway.events.postgres import PAYLOAD_MAX, listener_dsn
from gateway.services import live
from gateway.services.clock import utcnow
from tests.conftest import SECRET
from tests.graphql.live_client import connect
from tests.graphql.test_subscriptions import CODE_EVENTS
from tests.support import PAIR, code, configuration, make_client, new_org


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _serve_elsewhere(database_url: str, port: int) -> subprocess.Popen:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PAIRGATE_")}
    environment.update(PAIRGATE_DATABASE_URL=database_url, PAIRGATE_SECRET_KEY=SECRET)
    server = subprocess.Popen([sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)],
                              env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as answer:
                    if answer.status == 200:
                        return server
            except aiohttp.ClientError:
                await asyncio.sleep(0.1)
    server.terminate()
    raise AssertionError(f"the second gateway did not start: {server.stderr.read().decode()[-2000:]}")


async def _pair_there(port: int, value: str, name: str) -> dict:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"http://127.0.0.1:{port}/graphql",
                             json={"query": PAIR, "variables": {"input": {"code": value, "name": name}}}) as answer:
            return (await answer.json())["data"]["devicePair"]


async def test_a_pairing_on_one_process_reaches_a_subscriber_on_another_and_resyncs_after_a_lost_listener(
        aiohttp_client, postgres_settings):
    api = await make_client(aiohttp_client, postgres_settings)
    bus = api.client.app[RUNTIME].bus
    org = await new_org(api)
    issued = await code(api, org, await configuration(api, org))
    port = _free_port()
    elsewhere = await _serve_elsewhere(postgres_settings.database_url, port)
    try:
        async with connect(api.client, org.token) as here:
            screen = await here.subscribe(CODE_EVENTS, {"id": issued["id"]})
            await here.silent(screen, 0.2)
            paired = await _pair_there(port, issued["code"], "Terrace till")
            event = await here.event(screen)
            assert event["type"] == "PAIRED" and event["device"] == {"id": paired["device"]["id"], "name": "Terrace till"}

            # An administrator ends this process's listening connection: events meanwhile are lost.
            lost_pid = bus.listener_pid
            connection = await asyncpg.connect(listener_dsn(postgres_settings.database_url))
            try:
                assert await connection.fetchval("SELECT pg_terminate_backend($1)", lost_pid)
            finally:
                await connection.close()
            assert (await here.event(screen))["type"] == "RESYNC"
            assert bus.listening.is_set() and bus.listener_pid != lost_pid
            again = await _pair_there(port, issued["code"], "Bar till")  # delivery resumes
            assert (await here.event(screen))["device"] == {"id": again["device"]["id"], "name": "Bar till"}
    finally:
        elsewhere.terminate()
        elsewhere.wait(20)


async def test_an_event_is_one_small_notification_of_ids(aiohttp_client, postgres_settings):
    api = await make_client(aiohttp_client, postgres_settings)
    bus = api.client.app[RUNTIME].bus
    heard = []
    with bus.hub.subscribe(7) as subscriber:
        event = live.LiveEvent(live.PAIRED, 7, utcnow(), device_id=2**62, session_id=2**62, code_id=2**62)
        await bus.publish(event)
        heard.append(await subscriber.next(timeout=5))
    assert heard == [event]
    assert len(str(event.as_dict())) < PAYLOAD_MAX / 20


def test_the_listener_takes_the_pool_settings_out_of_the_url():
    assert listener_dsn("postgres://u:p@db:5432/pos?minsize=1&maxsize=60&sslmode=require") == (
        "postgresql://u:p@db:5432/pos?sslmode=require")
    assert listener_dsn("postgres://u@/pos?host=/var/run/postgresql") == "postgresql://u@/pos?host=%2Fvar%2Frun%2Fpostgresql"
