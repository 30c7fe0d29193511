"""loginWithPin end to end: where it works, every refusal, tenancy, throttling, document limits."""

import asyncio
from datetime import timedelta

from gateway.models import Device, DeviceState, Organisation, Session, Throttle
from gateway.services.clock import utcnow
from gateway.services.tokens import hash_token
from tests.support import (
    LOGIN_PIN, ORG_UPDATE, CountPinChecks, add_pin_user, approved_register, code, configuration, enable_pins, new_org,
    pair, password_login, pin_login, pin_ready,
)


async def test_pin_logs_the_user_in_on_an_approved_device(api):
    org, device = await pin_ready(api)
    result = await pin_login(api, "24680", device)
    assert result["userErrors"] == [] and result["user"] == {"username": "sam"}
    assert result["session"]["method"] == "PIN" and result["session"]["device"]["id"]
    viewer = await api.data("{ viewer { user { username } device { name } } }", token=result["token"], device_token=device)
    assert viewer["viewer"] == {"user": {"username": "sam"}, "device": {"name": "Till 1"}}


async def test_refusals_have_precise_codes(api):
    org, device = await pin_ready(api)
    await add_pin_user(api, org, "paula", "13579", method="PASSWORD", role="STAFF")
    assert [e["code"] for e in (await pin_login(api, "11111", device))["userErrors"]] == ["INVALID_CREDENTIALS"]
    assert [e["code"] for e in (await pin_login(api, "13579", device))["userErrors"]] == ["METHOD_NOT_ALLOWED"]
    assert [e["code"] for e in (await pin_login(api, "24680", None))["userErrors"]] == ["DEVICE_NOT_APPROVED"]
    unapproved = (await password_login(api, "admin"))["deviceToken"]
    assert [e["code"] for e in (await pin_login(api, "24680", unapproved))["userErrors"]] == ["DEVICE_NOT_APPROVED"]
    await api.data(ORG_UPDATE, {"input": {"pinLoginEnabled": False}}, token=org.token)
    assert [e["code"] for e in (await pin_login(api, "24680", device))["userErrors"]] == ["PIN_LOGIN_DISABLED"]


async def test_pin_only_user_cannot_use_a_password(api):
    org, _ = await pin_ready(api)
    await api.data(ORG_UPDATE, {"input": {"pinLoginEnabled": True}}, token=org.token)
    from gateway.models import User
    from gateway.services import passwords

    await User.filter(username="sam").update(password_hash=await passwords.hash_password("correct horse battery"))
    data = await api.data('mutation { loginWithPassword(input: {username: "sam", password: "correct horse battery"}) '
                          '{ token userErrors { code } } }')
    assert data["loginWithPassword"] == {"token": None, "userErrors": [{"code": "METHOD_NOT_ALLOWED"}]}


async def test_devices_paired_by_a_code_take_pins_when_their_type_allows(api):
    org = await new_org(api)
    await enable_pins(api, org)
    await add_pin_user(api, org, "sam", "24680")
    config_id = await configuration(api, org)
    register = await pair(api, (await code(api, org, config_id, deviceType="POS"))["code"])
    display = await pair(api, (await code(api, org, config_id, deviceType="CUSTOMER_DISPLAY"))["code"])
    assert (await pin_login(api, "24680", register["deviceToken"]))["userErrors"] == []
    refused = await pin_login(api, "24680", display["deviceToken"])
    assert [e["code"] for e in refused["userErrors"]] == ["DEVICE_NOT_APPROVED"]


async def test_a_pin_of_one_organisation_logs_nobody_in_on_another(api):
    first, _ = await pin_ready(api)
    second = await new_org(api, "Second", "second")
    await enable_pins(api, second)
    second_device = await approved_register(api, second)
    result = await pin_login(api, "24680", second_device)
    assert [e["code"] for e in result["userErrors"]] == ["INVALID_CREDENTIALS"] and result["token"] is None
    # The same digits may belong to someone else there: the PIN is unique per organisation.
    await add_pin_user(api, second, "other", "24680")
    assert (await pin_login(api, "24680", second_device))["user"] == {"username": "other"}


async def test_sixth_wrong_pin_is_throttled_and_so_is_the_right_one(api, monkeypatch):
    org, device = await pin_ready(api)
    checks = CountPinChecks(monkeypatch)
    for _ in range(5):
        assert [e["code"] for e in (await pin_login(api, "99999", device))["userErrors"]] == ["INVALID_CREDENTIALS"]
    sixth = await pin_login(api, "99999", device)
    assert [e["code"] for e in sixth["userErrors"]] == ["THROTTLED"]
    assert 1 <= sixth["userErrors"][0]["retryAfterSeconds"] <= 30
    right = await pin_login(api, "24680", device)
    assert [e["code"] for e in right["userErrors"]] == ["THROTTLED"] and right["token"] is None
    assert checks.calls == 5  # the throttled attempts checked nothing
    # Another device of the organisation is not locked by this one.
    other = await approved_register(api, org, "Till 2")
    assert (await pin_login(api, "24680", other))["userErrors"] == []


async def test_a_success_resets_the_device_count(api):
    org, device = await pin_ready(api)
    for _ in range(4):
        await pin_login(api, "99999", device)
    assert (await pin_login(api, "24680", device))["userErrors"] == []
    for _ in range(4):
        await pin_login(api, "99999", device)
    assert (await pin_login(api, "24680", device))["userErrors"] == []


async def test_two_aliased_pin_logins_run_zero_pin_checks(api, monkeypatch):
    _, device = await pin_ready(api)
    checks = CountPinChecks(monkeypatch)
    doc = ('mutation { a: loginWithPin(input: {pin: "24680"}) { token } '
           'b: loginWithPin(input: {pin: "11111"}) { token } }')
    body = await api.post(doc, device_token=device)
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "TOO_MANY_AUTH_ATTEMPTS"
    assert checks.calls == 0
    assert await Session.filter(method="PIN").count() == 0


async def test_parallel_guesses_cannot_outrun_the_throttle(api, monkeypatch):
    """A login holds the device's row while it looks the PIN up: 20 guesses at once get 5 lookups."""
    _, device = await pin_ready(api)
    checks = CountPinChecks(monkeypatch)
    results = await asyncio.gather(*(api.data(LOGIN_PIN, {"pin": f"{i:05d}"}, device_token=device) for i in range(20)))
    codes = [r["loginWithPin"]["userErrors"][0]["code"] for r in results]
    assert codes.count("INVALID_CREDENTIALS") == 5 and codes.count("THROTTLED") == 15
    assert checks.calls == 5


async def test_password_failures_lock_the_username(api):
    await new_org(api)
    doc = 'mutation($p: String!) { loginWithPassword(input: {username: "admin", password: $p}) { token userErrors { code retryAfterSeconds } } }'
    for _ in range(5):
        assert (await api.data(doc, {"p": "wrong password"}))["loginWithPassword"]["userErrors"][0]["code"] == "INVALID_CREDENTIALS"
    locked = await api.data(doc, {"p": "correct horse battery"})
    assert locked["loginWithPassword"]["token"] is None
    assert locked["loginWithPassword"]["userErrors"][0]["code"] == "THROTTLED"


# Another gateway process (or an admin through one) may change a device between two logins:
# the direct writes below stand in for that process, behind this one's back.

async def _known(api):
    """A register with one login done on it."""
    org, device = await pin_ready(api)
    assert (await pin_login(api, "24680", device))["userErrors"] == []
    return org, device


async def test_a_device_revoked_elsewhere_takes_no_pin(api):
    org, device = await _known(api)
    await Device.filter(organisation_id=org.id).update(state=DeviceState.REVOKED)
    assert [e["code"] for e in (await pin_login(api, "24680", device))["userErrors"]] == ["DEVICE_NOT_APPROVED"]
    await Device.filter(organisation_id=org.id).update(state=DeviceState.APPROVED)
    assert (await pin_login(api, "24680", device))["userErrors"] == []  # approved again, it takes PINs again


async def test_pin_login_switched_off_elsewhere_is_off(api):
    org, device = await _known(api)
    await Organisation.filter(id=org.id).update(pin_login_enabled=False)
    assert [e["code"] for e in (await pin_login(api, "24680", device))["userErrors"]] == ["PIN_LOGIN_DISABLED"]


async def test_a_device_locked_elsewhere_is_locked(api, monkeypatch):
    org, device = await _known(api)
    await Device.filter(organisation_id=org.id).update(pin_failures=5, pin_locked_until=utcnow() + timedelta(minutes=5))
    lookups = CountPinChecks(monkeypatch)
    assert [e["code"] for e in (await pin_login(api, "24680", device))["userErrors"]] == ["THROTTLED"]
    assert lookups.calls == 0  # refused on the count: no user was looked up


async def test_an_organisation_budget_locked_elsewhere_is_locked(api):
    org, device = await _known(api)
    await Throttle.update_or_create(key=f"pin:organisation:{org.id}", defaults=dict(
        failures=50, window_start=utcnow(), locked_until=utcnow() + timedelta(minutes=5)))
    assert [e["code"] for e in (await pin_login(api, "24680", device))["userErrors"]] == ["THROTTLED"]


async def test_a_session_length_changed_elsewhere_applies(api):
    org, device = await _known(api)
    await Organisation.filter(id=org.id).update(session_max_hours=1)
    token = (await pin_login(api, "24680", device))["token"]
    session = await Session.get(token_hash=hash_token(token))
    assert session.expires_at - session.created_at == timedelta(hours=1)


async def test_a_device_renamed_elsewhere_answers_with_its_new_name(api):
    org, device = await _known(api)
    await Device.filter(organisation_id=org.id).update(name="Bar")
    data = await api.data("mutation($p: String!) { loginWithPin(input: {pin: $p}) { session { device { name } } } }",
                          {"p": "24680"}, device_token=device)
    assert data["loginWithPin"]["session"]["device"] == {"name": "Bar"}
