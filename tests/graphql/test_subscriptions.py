"""Live updates over WebSocket, end to end through the real app with a real client."""

from __future__ import annotations

from tests.graphql.live_client import connect
from tests.support import (
    add_pin_user, add_user, code, configuration, enable_pins, login, new_org, pair, pin_login, pin_ready,
)
from gateway.models import Role

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
    from gateway.services import audit

    async def broken(*args, **kwargs):
        raise RuntimeError("the audit row could not be written")

    async with connect(api.client, org.token) as live:
        screen = await live.subscribe(CODE_EVENTS, {"id": issued["id"]})
        devices = await live.subscribe(DEVICE_EVENTS)
        await live.silent(screen, 0.2)
        with monkeypatch.context() as patch:
            patch.setattr(audit, "record", broken)
            failed = await api.post(
                "mutation($c: String!) { devicePair(input: {code: $c}) { deviceToken } }", {"c": issued["code"]})
        assert failed["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
        await live.silent(screen, 0.5)
        await live.silent(devices, 0.1)
        await pair(api, issued["code"], "Second try")  # and the next one is heard
        assert (await live.event(screen))["device"]["name"] == "Second try"


async def test_a_logged_out_sessions_subscription_ends(api):
    org = await new_org(api)
    token = await login(api, "admin")
    async with connect(api.client, token) as live:
        devices = await live.subscribe(DEVICE_EVENTS)
        await live.silent(devices, 0.2)
        await api.data("mutation { logout { session { id } } }", token=token)
        ended = await live.next(devices)
        assert ended["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert (await live.next(devices))["type"] == "complete"
