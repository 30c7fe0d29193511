"""Live updates over WebSocket, end to end through the real app with a real client."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from gateway.models import Device, Role
from gateway.services import devices, live
from gateway.services.clock import utcnow
from gateway.services.tokens import hash_token
from tests.graphql.live_client import connect
from tests.support import (
    Clock, add_user, code, configuration, login, make_client, new_org, pair, pin_login, pin_ready,
)

CODE_EVENTS = """subscription($id: ID!) { connectionCodeEvents(id: $id) {
  type at connectionCode { id status useCount } device { id name } } }"""
DEVICE_EVENTS = """subscription($id: ID) { deviceEvents(id: $id) {
  type deviceId device { id name status } session { id user { username } endReason locked } } }"""
THIS_DEVICE = "subscription { thisDeviceEvents { type deviceId device { id name status } } }"


async def test_the_qr_screen_hears_the_pairing_naming_the_new_device(api):
    org = await new_org(api)
    issued = await code(api, org, await configuration(api, org), singleUse=True)
    async with connect(api.client, org.token) as live:
        screen = await live.subscribe(CODE_EVENTS, {"id": issued["id"]})
        await live.silent(screen, 0.2)
        paired = await pair(api, issued["code"], "Bar iPad")
        event = await live.event(screen)
        assert event["type"] == "PAIRED"
        assert event["device"] == {"id": paired["device"]["id"], "name": "Bar iPad"}
        assert event["connectionCode"]["useCount"] == 1
        used = await live.event(screen)
        assert used["type"] == "USED" and used["connectionCode"]["status"] == "USED"
        assert (await live.next(screen))["type"] == "complete"  # the code pairs nothing more


async def test_an_admin_hears_sessions_start_lock_and_end_on_a_register(api):
    org, register = await pin_ready(api)
    async with connect(api.client, org.token) as live:
        devices = await live.subscribe(DEVICE_EVENTS)
        await live.silent(devices, 0.2)
        login_ = await pin_login(api, "24680", register)
        started = await live.event(devices)
        assert started["type"] == "SESSION_STARTED" and started["session"]["user"]["username"] == "sam"
        await api.data("mutation { sessionLock(input: {}) { session { locked } userErrors { code } } }",
                       token=login_["token"], device_token=register)
        locked = await live.event(devices)
        assert locked["type"] == "SESSION_LOCKED" and locked["session"]["locked"] is True
        await api.data("mutation { logout { userErrors { code } } }", token=login_["token"], device_token=register)
        ended = await live.event(devices)
        assert ended["type"] == "SESSION_ENDED" and ended["session"]["endReason"] == "LOGOUT"
        assert ended["deviceId"] == started["deviceId"] == ended["device"]["id"]


async def test_a_register_hears_its_revocation_and_its_subscription_ends(api):
    org, register = await pin_ready(api)
    async with connect(api.client, device_token=register) as live:
        mine = await live.subscribe(THIS_DEVICE)
        await live.silent(mine, 0.2)
        device_id = (await api.data("{ devices { nodes { id } } }", token=org.token))["devices"]["nodes"][0]["id"]
        await api.data("mutation($id: ID!) { deviceRevoke(input: {id: $id}) { userErrors { code } } }",
                       {"id": device_id}, token=org.token)
        revoked = await live.until(mine, "REVOKED")  # after its sessions ended
        assert revoked["deviceId"] == device_id
        assert revoked["device"]["status"] == "REVOKED"
        ended = await live.next(mine)
        assert ended["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert (await live.next(mine))["type"] == "complete"


async def test_staff_cannot_follow_the_devices(api):
    org, register = await pin_ready(api)
    staff = await pin_login(api, "24680", register)
    async with connect(api.client, staff["token"], register) as live:
        attempt = await live.subscribe(DEVICE_EVENTS)
        message = await live.next(attempt)
        assert message["type"] in ("error", "next"), message
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "FORBIDDEN"


async def test_organisation_b_hears_nothing_of_a(api):
    a = await new_org(api, "A", "alice")
    b = await new_org(api, "B", "bob")
    issued = await code(api, a, await configuration(api, a))
    async with connect(api.client, b.token) as live:
        theirs = await live.subscribe(DEVICE_EVENTS)
        foreign = await live.subscribe(CODE_EVENTS, {"id": issued["id"]})
        refused = await live.next(foreign)
        assert "errors" in refused["payload"] or refused["type"] == "error"
        await pair(api, issued["code"], "A's till")
        await live.silent(theirs, 0.5)


async def test_a_rolled_back_pairing_publishes_nothing(api, monkeypatch):
    org = await new_org(api)
    issued = await code(api, org, await configuration(api, org))
    said = live.emit

    async def said_then_failed(*args, **kwargs):
        await said(*args, **kwargs)
        raise RuntimeError("the transaction fails after the event was said")

    async with connect(api.client, org.token) as watcher:
        screen = await watcher.subscribe(CODE_EVENTS, {"id": issued["id"]})
        devices_ = await watcher.subscribe(DEVICE_EVENTS)
        await watcher.silent(screen, 0.2)
        with monkeypatch.context() as patch:
            patch.setattr(live, "emit", said_then_failed)
            failed = await api.post(
                "mutation($c: String!) { devicePair(input: {code: $c}) { deviceToken } }", {"c": issued["code"]})
        assert failed["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
        assert await Device.all().count() == 1  # the admin's browser alone: the pairing rolled back
        await watcher.silent(screen, 0.5)
        await watcher.silent(devices_, 0.1)
        await pair(api, issued["code"], "Second try")  # and the next one is heard
        assert (await watcher.event(screen))["device"]["name"] == "Second try"


async def test_a_logged_out_sessions_subscription_ends(api):
    await new_org(api)
    token = await login(api, "admin")
    async with connect(api.client, token) as live:
        devices = await live.subscribe(DEVICE_EVENTS)
        await live.silent(devices, 0.2)
        await api.data("mutation { logout { session { id } } }", token=token)
        ended = await live.next(devices)
        assert ended["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert (await live.next(devices))["type"] == "complete"


async def test_a_token_that_is_nobodys_is_refused_at_init(api):
    for payload in ({"authorization": "Bearer not-a-session"}, {"deviceToken": "not-a-device"},
                    {"authorization": 42}):
        async with api.client.ws_connect("/graphql", protocols=("graphql-transport-ws",)) as socket:
            await socket.send_json({"type": "connection_init", "payload": payload})
            closing = await socket.receive(timeout=5)
            if payload == {"authorization": 42}:  # not a string: no credential at all, like none sent
                assert closing.json()["type"] == "connection_ack"
                continue
            assert closing.type.name == "CLOSE" and closing.data == 4403, (payload, closing)


async def test_a_connection_holds_at_most_twenty_operations(api):
    org = await new_org(api)
    async with connect(api.client, org.token) as live:
        held = [await live.subscribe(DEVICE_EVENTS) for _ in range(20)]
        await live.silent(held[-1], 0.2)
        refused = await live.subscribe(DEVICE_EVENTS)
        message = await live.next(refused)
        assert message["type"] == "error" and "limit" in message["payload"][0]["message"]


async def test_a_connection_that_never_initialises_is_closed(aiohttp_client, settings, monkeypatch):
    from gateway.graphql import websocket
    monkeypatch.setattr(websocket, "INIT_SECONDS", 0.2)
    api = await make_client(aiohttp_client, settings)
    async with api.client.ws_connect("/graphql", protocols=("graphql-transport-ws",)) as socket:
        closing = await socket.receive(timeout=5)
        assert closing.type.name == "CLOSE" and closing.data == 4408


async def test_older_clients_subscribe_over_graphql_ws(api):
    org = await new_org(api)
    issued = await code(api, org, await configuration(api, org))
    async with api.client.ws_connect("/graphql", protocols=("graphql-ws",)) as socket:
        await socket.send_json({"type": "connection_init", "payload": {"authorization": f"Bearer {org.token}"}})
        assert (await socket.receive_json(timeout=5))["type"] == "connection_ack"
        await socket.send_json({"id": "1", "type": "start", "payload": {"query": CODE_EVENTS,
                                                                         "variables": {"id": issued["id"]}}})
        await asyncio.sleep(0.2)
        await pair(api, issued["code"], "Old app")
        while (message := await socket.receive_json(timeout=5))["type"] == "ka":
            pass
        assert message["type"] == "data" and message["payload"]["data"]["connectionCodeEvents"]["type"] == "PAIRED"


async def test_the_qr_screen_hears_its_code_expire(api):
    org = await new_org(api)
    issued = await code(api, org, await configuration(api, org),
                        expiresAt=(utcnow() + timedelta(seconds=1.5)).isoformat())
    async with connect(api.client, org.token) as live:
        screen = await live.subscribe(CODE_EVENTS, {"id": issued["id"]})
        expired = await live.event(screen)
        assert expired["type"] == "EXPIRED" and expired["connectionCode"]["status"] == "EXPIRED"
        assert (await live.next(screen))["type"] == "complete"
        again = await live.subscribe(CODE_EVENTS, {"id": issued["id"]})  # finished already: said at once
        assert (await live.event(again))["type"] == "EXPIRED"


async def test_a_register_holding_its_events_is_online_and_goes_offline_when_it_drops(api, monkeypatch):
    monkeypatch.setattr(devices, "OFFLINE_GRACE_SECONDS", 0.2)
    org, register = await pin_ready(api)
    await Device.filter(token_hash=hash_token(register)).update(last_seen_at=utcnow() - timedelta(minutes=10))
    online = "{ devices(online: true) { nodes { name online } } }"
    assert (await api.data(online, token=org.token))["devices"]["nodes"] == []
    async with connect(api.client, org.token) as admin:
        watching = await admin.subscribe(DEVICE_EVENTS)
        await admin.silent(watching, 0.2)
        async with connect(api.client, device_token=register) as till:
            await till.subscribe(THIS_DEVICE)
            assert (await admin.event(watching))["type"] == "ONLINE"
            assert (await api.data(online, token=org.token))["devices"]["nodes"] == [{"name": "Till 1", "online": True}]
        offline = await admin.event(watching)
        assert offline["type"] == "OFFLINE" and offline["device"]["name"] == "Till 1"
        assert (await api.data(online, token=org.token))["devices"]["nodes"] == []
        assert (await api.data("{ devices(online: false) { nodes { online } } }", token=org.token)
                )["devices"]["nodes"] == [{"online": False}]
        await api.post("{ thisDevice { known } }", device_token=register)  # a request: back again
        assert (await admin.event(watching))["type"] == "ONLINE"
        assert (await api.data(online, token=org.token))["devices"]["nodes"] == [{"name": "Till 1", "online": True}]


async def test_a_reconnect_within_the_grace_is_no_offline(api, monkeypatch):
    monkeypatch.setattr(devices, "OFFLINE_GRACE_SECONDS", 0.5)
    org, register = await pin_ready(api)
    async with connect(api.client, org.token) as admin:
        watching = await admin.subscribe(DEVICE_EVENTS)
        async with connect(api.client, device_token=register) as till:
            await till.subscribe(THIS_DEVICE)
            await admin.silent(watching, 0.2)  # online already (it just approved itself): no ONLINE
        async with connect(api.client, device_token=register) as till:
            await till.subscribe(THIS_DEVICE)
            await admin.silent(watching, 1.0)


async def test_devices_never_approved_are_in_no_list_and_no_one_hears_them(api):
    org = await new_org(api)
    await add_user(org, "manon", Role.MANAGER)
    async with connect(api.client, org.token) as live:
        watching = await live.subscribe(DEVICE_EVENTS)
        await live.silent(watching, 0.2)
        await login(api, "manon")  # a new browser: a device that holds a token, never approved
        await live.silent(watching, 0.5)


async def test_a_subscription_ends_when_its_session_times_out_unused(api, monkeypatch):
    from gateway.graphql import subscriptions
    monkeypatch.setattr(subscriptions, "RECHECK_SECONDS", 0.2)
    org = await new_org(api)
    clock = Clock(monkeypatch)
    async with connect(api.client, org.token) as live:
        watching = await live.subscribe(DEVICE_EVENTS)
        await live.silent(watching, 0.5)  # a live list is not a use of the session, nor is it over yet
        clock.advance(24 * 3600)
        ended = await live.next(watching)
        assert ended["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await api.post("{ viewer { user { id } } }", token=org.token))["data"]["viewer"] is None


async def test_a_socket_outliving_its_session_reads_as_whoever_it_is_now(api):
    org, register = await pin_ready(api)
    staff = await pin_login(api, "24680", register)
    async with connect(api.client, staff["token"], register) as till:
        mine = await till.subscribe(THIS_DEVICE)
        await till.silent(mine, 0.2)
        asked = await till.subscribe("{ viewer { user { username } } }")
        assert (await till.event(asked)) == {"user": {"username": "sam"}}
        await api.data("mutation { sessionLock(input: {}) { userErrors { code } } }", token=staff["token"],
                       device_token=register)
        locked = await till.event(mine)  # its own events still read as the device it is
        assert locked["type"] == "SESSION_LOCKED" and locked["device"]["name"] == "Till 1"
        again = await till.subscribe("{ viewer { user { username } } }")
        refused = await till.next(again)
        assert refused["payload"]["errors"][0]["extensions"]["code"] == "SESSION_LOCKED"


async def test_each_operation_on_a_socket_authenticates_afresh(api):
    org, register = await pin_ready(api)
    staff = await pin_login(api, "24680", register)
    async with connect(api.client, staff["token"], register) as socket:  # no subscription to hear the lock
        assert (await socket.event(await socket.subscribe("{ viewer { user { username } } }"))) == {
            "user": {"username": "sam"}}
        await api.data("mutation { sessionLock(input: {}) { userErrors { code } } }", token=staff["token"],
                       device_token=register)
        refused = await socket.next(await socket.subscribe("{ viewer { user { username } } }"))
        assert refused["payload"]["errors"][0]["extensions"]["code"] == "SESSION_LOCKED"


async def test_subscribers_of_one_process_read_what_an_event_names_once(api, monkeypatch):
    from gateway.services import batch
    org, register = await pin_ready(api)
    device_id = (await api.data("{ devices { nodes { id } } }", token=org.token))["devices"]["nodes"][0]["id"]
    reads = []
    by_ids = batch.by_ids

    async def counted(model, keys):
        reads.append((model.__name__, list(keys)))
        return await by_ids(model, keys)

    monkeypatch.setattr(batch, "by_ids", counted)
    async with connect(api.client, org.token) as one, connect(api.client, org.token) as other:
        lists = [(live_, await live_.subscribe(DEVICE_EVENTS)) for live_ in (one, other) for _ in range(5)]
        await one.silent(lists[0][1], 0.3)
        await api.data('mutation($id: ID!) { deviceRename(input: {id: $id, name: "Bar"}) { userErrors { code } } }',
                       {"id": device_id}, token=org.token)
        for live_, operation in lists:
            assert (await live_.event(operation))["device"]["name"] == "Bar"
    assert [model for model, _ in reads].count("Device") == 1  # ten subscriptions, one read


async def test_a_long_subscription_keeps_nothing_per_event(api):
    """graphql-core 3.3.2 let a subscription's executor keep ~3 KB per event it delivered, until it
    ended (gateway/graphql/executor.py): memory grew with every event a device list heard."""
    import tracemalloc

    from gateway.app import RUNTIME
    org, register = await pin_ready(api)
    device_id = (await Device.get(token_hash=hash_token(register))).id
    hub = api.client.app[RUNTIME].bus.hub

    async def deliver(live_, operation, count: int) -> None:
        for _ in range(count):
            hub.deliver(live.LiveEvent(live.RENAMED, org.id, utcnow(), device_id=device_id))
            assert (await live_.event(operation))["type"] == "RENAMED"

    def kept() -> int:
        snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(True, "*/graphql/*")])
        return sum(stat.size for stat in snapshot.statistics("filename"))

    async with connect(api.client, org.token) as live_:
        operation = await live_.subscribe(DEVICE_EVENTS)
        await live_.silent(operation, 0.3)  # subscribed
        await deliver(live_, operation, 10)  # warm: caches that fill once
        tracemalloc.start()
        try:
            await deliver(live_, operation, 10)
            before = kept()
            await deliver(live_, operation, 100)
            after = kept()
        finally:
            tracemalloc.stop()
    assert after - before < 40_000, after - before  # 100 events: ~290 KB when each kept its memo
