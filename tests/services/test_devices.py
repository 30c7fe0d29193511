"""Which devices are up: last seen to the minute, online for 2 minutes, the app version they
send; and logging a device out without revoking it."""

from __future__ import annotations

from datetime import timedelta

from gateway.graphql import ids
from gateway.models import AuditLog, Device, Role, Session
from gateway.services import devices
from gateway.services.clock import utcnow
from gateway.services.tokens import hash_token
from tests.support import (
    add_user, code, configuration, login, make_client, new_org, pair, password_login, pin_login, pin_ready, raw_post,
    sent_while_a_login_holds,
)

THIS_DEVICE = "{ thisDevice { known } }"
DETAILS = "query($id: ID!) { node(id: $id) { ... on Device { online lastSeenAt appVersion } } }"
ONLINE = "query($online: Boolean) { devices(online: $online) { nodes { name online } } }"
LOGOUT = """mutation($id: ID!) { deviceLogout(input: {id: $id}) {
  device { id status sessions(active: true) { nodes { id } } } userErrors { code } } }"""


class Clock:
    """Stands in for the devices service's clock, so a test can let minutes pass."""

    def __init__(self, monkeypatch) -> None:
        self.now = utcnow()
        monkeypatch.setattr(devices, "utcnow", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


async def _paired(api, name: str = "Bar iPad"):
    """An organisation and a register paired by a code: its token and ID."""
    org = await new_org(api)
    paired = await pair(api, (await code(api, org, await configuration(api, org)))["code"], name)
    return org, paired["deviceToken"], paired["device"]["id"]


async def _details(api, org, device_id) -> dict:
    return (await api.data(DETAILS, {"id": device_id}, token=org.token))["node"]


async def test_online_means_seen_in_the_last_two_minutes(api, monkeypatch):
    """The worst case of a last-seen time written once a minute: written at 0, a last request at
    59 s (not written), and the device must still be online at 59 s + 2 min; at 3 min it is not."""
    org, register, device_id = await _paired(api)
    clock = Clock(monkeypatch)
    await api.data(THIS_DEVICE, device_token=register)  # written now (pairing wrote a moment ago: not due yet)
    await Device.filter(id=ids.key(device_id, "Device")).update(last_seen_at=clock.now)
    clock.advance(59)
    await api.data(THIS_DEVICE, device_token=register)  # seen, not written: a minute has not passed
    clock.advance(119.5)
    assert (await _details(api, org, device_id))["online"] is True
    clock.advance(1.5)  # 3 minutes after the written time, 2 min 1 s after the last request
    assert (await _details(api, org, device_id))["online"] is False
    await api.data(THIS_DEVICE, device_token=register)
    details = await _details(api, org, device_id)
    assert details["online"] is True and details["lastSeenAt"] == clock.now.isoformat()


async def test_last_seen_is_written_once_a_minute_at_most(api, monkeypatch):
    """One statement (the device's lookup) for a request of a device seen less than a minute ago."""
    org, register, device_id = await _paired(api)
    clock = Clock(monkeypatch)
    clock.advance(60)
    written = await api.post(THIS_DEVICE, device_token=register)
    first = (await _details(api, org, device_id))["lastSeenAt"]
    assert first == clock.now.isoformat()
    clock.advance(59)
    quiet = await api.post(THIS_DEVICE, device_token=register)
    assert (await _details(api, org, device_id))["lastSeenAt"] == first
    assert quiet["extensions"]["sql"]["queries"] == 1 and written["extensions"]["sql"]["queries"] == 2


async def test_every_request_with_a_device_token_counts_whatever_it_asks(api, monkeypatch):
    org, register, device_id = await _paired(api)
    clock = Clock(monkeypatch)
    clock.advance(600)
    assert (await _details(api, org, device_id))["online"] is False
    await api.data("{ deviceTypes { key } }", device_token=register)  # needs no device, nor a login
    assert (await _details(api, org, device_id))["online"] is True


async def test_the_online_filter(api, monkeypatch):
    org, register, _ = await _paired(api, "Till 1")
    other = await pair(api, (await code(api, org, await configuration(api, org, "Bar")))["code"], "Till 2")
    clock = Clock(monkeypatch)
    clock.advance(600)
    await api.data(THIS_DEVICE, device_token=register)
    nodes = lambda data: data["devices"]["nodes"]  # noqa: E731
    assert nodes(await api.data(ONLINE, {"online": True}, token=org.token)) == [{"name": "Till 1", "online": True}]
    assert nodes(await api.data(ONLINE, {"online": False}, token=org.token)) == [{"name": "Till 2", "online": False}]
    assert len(nodes(await api.data(ONLINE, token=org.token))) == 2
    await Device.filter(token_hash=hash_token(other["deviceToken"])).update(last_seen_at=None)  # never seen
    assert nodes(await api.data(ONLINE, {"online": False}, token=org.token)) == [{"name": "Till 2", "online": False}]


async def test_the_app_version_is_recorded_when_it_changes(api):
    org, register, device_id = await _paired(api)
    assert (await _details(api, org, device_id))["appVersion"] is None
    sent = await api.post(THIS_DEVICE, device_token=register, headers={"X-App-Version": "  Register 4.2.0\t "})
    assert (await _details(api, org, device_id))["appVersion"] == "Register 4.2.0"
    assert sent["extensions"]["sql"]["queries"] == 2  # the lookup, and the write
    same = await api.post(THIS_DEVICE, device_token=register, headers={"X-App-Version": "Register 4.2.0"})
    assert same["extensions"]["sql"]["queries"] == 1  # unchanged: not written
    await api.data(THIS_DEVICE, device_token=register)  # no version sent: the last one stays
    assert (await _details(api, org, device_id))["appVersion"] == "Register 4.2.0"
    await api.data(THIS_DEVICE, device_token=register, headers={"X-App-Version": "4.3.0-" + "x" * 100})
    assert (await _details(api, org, device_id))["appVersion"] == "4.3.0-" + "x" * 58


async def test_an_app_version_keeps_only_printable_utf8(api):
    """Sent raw: characters that do not print go (aiohttp refuses control characters itself),
    bytes that are not UTF-8 make it no header at all, and so does nothing left."""
    org, register, device_id = await _paired(api)
    token = f"X-Device-Token: {register}\r\n".encode()
    zero_width_space, no_break_space = "\u200b".encode(), "\u00a0".encode()
    for header, stored in ((b"X-App-Version: 5.0" + zero_width_space + " été".encode() + b"\r\n", "5.0 été"),
                           (b"X-App-Version: 6.0 \xff\xfe\r\n", "5.0 été"),
                           (b"X-App-Version: " + no_break_space + b"\r\n", "5.0 été")):
        status, body = await raw_post(api, token + header, "{ thisDevice { known } }")
        assert status == 200 and body["data"] == {"thisDevice": {"known": True}}, (header, body)
        assert (await _details(api, org, device_id))["appVersion"] == stored, header


async def test_staff_read_neither_whether_their_register_is_online_nor_its_version(api):
    org, register = await pin_ready(api)
    sam = await pin_login(api, "24680", register)
    for field in ("online", "appVersion"):
        body = await api.post(f"{{ viewer {{ device {{ name {field} }} }} }}", token=sam["token"], device_token=register)
        assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [
            (["viewer", "device", field], "FORBIDDEN")]
    assert body["data"] == {"viewer": {"device": {"name": "Till 1", "appVersion": None}}}
    refused = await api.post(ONLINE, {"online": True}, token=sam["token"], device_token=register)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_device_logout_ends_its_sessions_and_leaves_it_approved(api):
    org, register = await pin_ready(api)
    device_id = (await api.data("{ devices { nodes { id } } }", token=org.token))["devices"]["nodes"][0]["id"]
    sam = await pin_login(api, "24680", register)
    admin_there = await password_login(api, "admin", register)
    out = (await api.data(LOGOUT, {"id": device_id}, token=org.token))["deviceLogout"]
    assert out == {"device": {"id": device_id, "status": "APPROVED", "sessions": {"nodes": []}}, "userErrors": []}
    for token in (sam["token"], admin_there["token"]):
        assert (await api.data("{ viewer { user { id } } }", token=token))["viewer"] is None
        assert (await Session.get(token_hash=hash_token(token))).end_reason == "DEVICE_LOGGED_OUT"
    assert (await api.data("{ viewer { user { username } } }", token=org.token))["viewer"]  # on another device
    event = await AuditLog.get(type="device.logged_out")
    assert event.data == {"sessions_ended": 3} and event.device_id == ids.key(device_id, "Device")
    # Still approved: the PIN pad works again at once.
    assert (await api.data("{ thisDevice { pinLoginAvailable } }", device_token=register))["thisDevice"] == {
        "pinLoginAvailable": True}
    assert (await pin_login(api, "24680", register))["user"] == {"username": "sam"}


async def test_only_admins_and_managers_log_out_their_own_devices(api):
    org, register = await pin_ready(api)
    device_id = (await api.data("{ devices { nodes { id } } }", token=org.token))["devices"]["nodes"][0]["id"]
    sam = await pin_login(api, "24680", register)
    refused = await api.post(LOGOUT, {"id": device_id}, token=sam["token"], device_token=register)
    assert refused["data"] is None and refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    other = await new_org(api, "Other", "other")
    foreign = await api.data(LOGOUT, {"id": device_id}, token=other.token)
    assert foreign["deviceLogout"] == {"device": None, "userErrors": [{"code": "NOT_FOUND"}]}
    await add_user(org, "mia", Role.MANAGER)
    by_manager = await api.data(LOGOUT, {"id": device_id}, token=await login(api, "mia"))
    assert by_manager["deviceLogout"]["userErrors"] == []
    assert (await Session.get(token_hash=hash_token(sam["token"]))).end_reason == "DEVICE_LOGGED_OUT"


async def test_a_device_logout_waits_for_a_pin_login_holding_the_register(aiohttp_client, postgres_settings):
    """A PIN login locks the register's row before it opens its session: a logout sent meanwhile
    waits for it, then ends that session too, rather than leaving it live."""
    api = await make_client(aiohttp_client, postgres_settings)
    org, register = await pin_ready(api)
    device = await Device.get(token_hash=hash_token(register))
    logout = await sent_while_a_login_holds(
        postgres_settings, "SELECT 1 FROM device WHERE id = $1 FOR NO KEY UPDATE", device.id,
        api.data(LOGOUT, {"id": ids.encode("Device", device.id)}, token=org.token),
        "INSERT INTO session (organisation_id, user_id, device_id, method, token_hash, user_agent, created_at, "
        "last_seen_at, expires_at) SELECT organisation_id, id, $2, 'PIN', 'login-in-flight', '', now(), now(), "
        "now() + interval '1 hour' FROM app_user WHERE username = $1", "sam", device.id)
    assert logout["deviceLogout"]["userErrors"] == []
    assert (await Session.get(token_hash="login-in-flight")).end_reason == "DEVICE_LOGGED_OUT"
