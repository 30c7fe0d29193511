"""What a client with a socket must not get: events after its credential ends, more eyes than it
has, work or memory for nothing. Each found by an attacker's review of the live updates."""

from __future__ import annotations

import asyncio

from aiohttp import WSMsgType

from gateway.models import Organisation
from tests.graphql.live_client import connect
from tests.support import (
    LOGIN_PIN, Clock, add_pin_user, approved_register, enable_pins, login, make_client, new_org, pin_login, pin_ready,
)

DEVICE_EVENTS = "subscription { deviceEvents { type device { name } session { user { username } } } }"
THIS_DEVICE = "subscription { thisDeviceEvents { type device { name status } } }"
RENAME = 'mutation($id: ID!, $n: String!) { deviceRename(input: {id: $id, name: $n}) { userErrors { code } } }'
REVOKE = "mutation($id: ID!) { deviceRevoke(input: {id: $id}) { userErrors { code } } }"


async def _device_id(api, org) -> str:
    return (await api.data("{ devices { nodes { id } } }", token=org.token))["devices"]["nodes"][0]["id"]


def _code(message: dict) -> str:
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    return errors[0]["extensions"]["code"]


async def test_a_socket_reads_no_header_credentials(api):
    org, register = await pin_ready(api)
    token = await login(api, "admin")
    async with api.client.ws_connect("/graphql", protocols=("graphql-ws",),
                                     headers={"Authorization": f"Bearer {token}"}) as socket:
        await socket.send_json({"type": "connection_init"})  # no payload at all
        assert (await socket.receive_json(timeout=5))["type"] == "connection_ack"
        await socket.send_json({"id": "1", "type": "start", "payload": {"query": DEVICE_EVENTS}})
        while (message := await socket.receive_json(timeout=5))["type"] == "ka":
            pass
        assert message["type"] in ("error", "data") and "UNAUTHENTICATED" in str(message), message


async def test_mutations_go_over_http_so_a_login_never_lends_a_socket_its_eyes(api):
    org, register = await pin_ready(api)
    async with connect(api.client, device_token=register) as till:
        attempt = await till.subscribe(LOGIN_PIN, {"pin": "24680"})
        message = await till.next(attempt)
        assert message["type"] == "error" and _code(message) == "BAD_USER_INPUT"
        assert "HTTP" in message["payload"][0]["message"]


async def test_a_revoked_registers_open_socket_cannot_subscribe_again(api):
    org, register = await pin_ready(api)
    device_id = await _device_id(api, org)
    async with connect(api.client, device_token=register) as till:
        mine = await till.subscribe(THIS_DEVICE)
        await till.silent(mine, 0.2)
        await api.data(REVOKE, {"id": device_id}, token=org.token)
        await till.until(mine, "REVOKED")
        assert _code(await till.next(mine)) == "UNAUTHENTICATED"
        again = await till.subscribe(THIS_DEVICE)
        assert _code(await till.next(again)) == "UNAUTHENTICATED"


async def test_an_idle_pin_session_locks_and_its_subscription_ends(api, monkeypatch):
    from gateway.graphql import subscriptions
    monkeypatch.setattr(subscriptions, "RECHECK_SECONDS", 0.2)
    org = await new_org(api)
    await enable_pins(api, org)
    await Organisation.filter(id=org.id).update(session_lock_minutes=2)
    await add_pin_user(api, org, "mia", "13579", role="MANAGER")
    register = await approved_register(api, org)
    clock = Clock(monkeypatch)
    mia = await pin_login(api, "13579", register)
    async with connect(api.client, mia["token"], register) as till:
        watching = await till.subscribe(DEVICE_EVENTS)
        await till.silent(watching, 0.3)
        clock.advance(5 * 60)  # past the lock minutes, within the idle minutes
        assert _code(await till.next(watching)) == "UNAUTHENTICATED"
    locked = await api.post("{ viewer { user { username } } }", token=mia["token"])
    assert locked["errors"][0]["extensions"]["code"] == "SESSION_LOCKED"


async def test_opening_and_closing_in_a_loop_leaves_one_offline_check_and_few_writes(api, monkeypatch):
    from gateway.graphql import device_events
    from gateway.services import devices
    forced = []
    seen = devices.seen

    async def counted(*args, **kwargs):
        forced.append(kwargs.get("now_at_least", False))
        return await seen(*args, **kwargs)

    monkeypatch.setattr(devices, "seen", counted)
    org, register = await pin_ready(api)
    async with connect(api.client, device_token=register) as till:
        for _ in range(100):
            operation = await till.subscribe(THIS_DEVICE)
            await asyncio.sleep(0.003)
            await till.socket.send_json({"id": operation, "type": "complete"})
        await asyncio.sleep(0.3)
        assert len(device_events._closing) <= 1
    assert forced.count(True) <= 5  # once a second at most


async def test_each_operation_on_a_socket_reads_afresh(api):
    org, register = await pin_ready(api)
    await pin_login(api, "24680", register)
    query = "{ sessions { nodes { device { name } } } }"
    async with connect(api.client, org.token) as socket:
        await socket.event(await socket.subscribe(query))
        await api.data(RENAME, {"id": await _device_id(api, org), "n": "New name"}, token=org.token)
        assert (await socket.event(await socket.subscribe(query))) == (await api.data(query, token=org.token))["sessions"]


async def test_graphql_ws_takes_one_connection_init(api):
    async with api.client.ws_connect("/graphql", protocols=("graphql-ws",)) as socket:
        await socket.send_json({"type": "connection_init", "payload": {}})
        assert (await socket.receive_json(timeout=5))["type"] == "connection_ack"
        await socket.send_json({"type": "connection_init", "payload": {}})
        while (message := await socket.receive(timeout=5)).type == WSMsgType.TEXT:
            pass
        assert message.type == WSMsgType.CLOSE


async def test_a_graphql_ws_socket_that_never_initialises_is_closed(aiohttp_client, settings, monkeypatch):
    from gateway.graphql import websocket
    monkeypatch.setattr(websocket, "INIT_SECONDS", 0.2)
    api = await make_client(aiohttp_client, settings)
    async with api.client.ws_connect("/graphql", protocols=("graphql-ws",)) as socket:
        closing = await socket.receive(timeout=5)
        assert closing.type == WSMsgType.CLOSE and closing.data == 4408
