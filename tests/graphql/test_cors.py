"""Cross-origin browser requests: only the origins of PAIRGATE_CORS_ORIGINS may call /graphql."""

from __future__ import annotations

import dataclasses

from gateway.settings import Settings
from gateway.testing import make_client

ALLOWED = "https://admin.example.test"
PREFLIGHT = {"Access-Control-Request-Method": "POST",
             "Access-Control-Request-Headers": "content-type, authorization, x-device-token"}


async def test_a_listed_origin_may_call_and_read(aiohttp_client, settings):
    api = await make_client(aiohttp_client, dataclasses.replace(settings, cors_origins=(ALLOWED,)))
    preflight = await api.client.options("/graphql", headers={"Origin": ALLOWED, **PREFLIGHT})
    assert preflight.status == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == ALLOWED
    response = await api.client.post("/graphql", json={"query": "{ __typename }"}, headers={"Origin": ALLOWED})
    assert response.status == 200
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED


async def test_another_origin_is_refused(aiohttp_client, settings):
    api = await make_client(aiohttp_client, dataclasses.replace(settings, cors_origins=(ALLOWED,)))
    preflight = await api.client.options("/graphql", headers={"Origin": "https://evil.example.test", **PREFLIGHT})
    assert preflight.status == 403
    response = await api.client.post("/graphql", json={"query": "{ __typename }"},
                                      headers={"Origin": "https://evil.example.test"})
    assert "Access-Control-Allow-Origin" not in response.headers


async def test_no_origin_is_allowed_by_default(api):
    preflight = await api.client.options("/graphql", headers={"Origin": ALLOWED, **PREFLIGHT})
    assert preflight.status == 403


def test_the_origins_come_from_the_environment():
    env = {"PAIRGATE_CORS_ORIGINS": "https://a.example.test/, https://b.example.test"}
    settings = Settings.from_env(env, database_url="sqlite://:memory:", secret_key=b"x" * 32)
    assert settings.cors_origins == ("https://a.example.test", "https://b.example.test")


async def test_websocket_upgrades_still_reach_the_subscription_view(aiohttp_client, settings):
    api = await make_client(aiohttp_client, dataclasses.replace(settings, cors_origins=(ALLOWED,)))
    async with api.client.ws_connect("/graphql", protocols=("graphql-transport-ws",)) as socket:
        await socket.send_json({"type": "connection_init"})
        assert (await socket.receive_json(timeout=5))["type"] == "connection_ack"
