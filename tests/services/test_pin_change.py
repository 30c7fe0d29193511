"""viewerPinChange end to end: a generated PIN for the right current one; wrong ones counted
exactly, on the user always and on the register when there is one; the other sessions end."""

from __future__ import annotations

import asyncio
import re

from gateway.models import AuditLog, Device, Session, Throttle, User
from gateway.services import users
from gateway.services.tokens import hash_token
from tests.support import (
    CountPinChecks, add_pin_user, approved_register, make_client, pin_and_password_user, pin_login, pin_ready,
)

CHANGE = """mutation($pin: String) { viewerPinChange(input: {currentPin: $pin}) {
  user { username hasPin } generatedPin userErrors { field code message retryAfterSeconds } } }"""
VIEWER = "{ viewer { user { username } } }"


async def change(api, pin: str | None, token: str, device_token: str | None = None) -> dict:
    return (await api.data(CHANGE, {"pin": pin}, token=token, device_token=device_token))["viewerPinChange"]


def codes(payload: dict) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


async def test_the_right_pin_gets_a_generated_one_that_logs_in_while_the_old_one_does_not(api):
    org, register = await pin_ready(api)
    sam = await pin_login(api, "24680", register)
    elsewhere = await pin_login(api, "24680", await approved_register(api, org, "Till 2"))
    changed = await change(api, "24680", sam["token"], register)
    assert changed["userErrors"] == [] and changed["user"] == {"username": "sam", "hasPin": True}
    new_pin = changed["generatedPin"]
    assert re.fullmatch(r"\d{5}", new_pin) and new_pin != "24680"
    assert codes(await pin_login(api, "24680", register)) == ["INVALID_CREDENTIALS"]
    assert (await pin_login(api, new_pin, register))["user"] == {"username": "sam"}
    # The session the change was made from lives on; sam's other one ended with the old PIN.
    assert (await api.data(VIEWER, token=sam["token"]))["viewer"] == {"user": {"username": "sam"}}
    assert (await api.data(VIEWER, token=elsewhere["token"]))["viewer"] is None
    ended = await Session.get(token_hash=hash_token(elsewhere["token"]))
    assert ended.end_reason == "CREDENTIALS_CHANGED"
    event = await AuditLog.get(type="pin.changed")
    assert event.data == {"user_id": event.actor_id, "sessions_ended": 1} and event.device_id is not None
    assert new_pin not in str(event.data)


async def test_a_wrong_pin_counts_on_the_register_like_any_wrong_pin(api, monkeypatch):
    """Five wrong current PINs, then THROTTLED, the right one included, and the register's PIN
    pad is locked too: changing screens buys no extra guesses."""
    org, register = await pin_ready(api)
    sam = await pin_login(api, "24680", register)
    lookups = CountPinChecks(monkeypatch)
    for n in range(5):
        wrong = await change(api, f"1357{n}", sam["token"], register)
        assert wrong["generatedPin"] is None
        assert [(e["field"], e["code"]) for e in wrong["userErrors"]] == [(["input", "currentPin"], "INVALID_CREDENTIALS")]
    assert lookups.calls == 5
    for pin in ("13579", "24680"):
        throttled = await change(api, pin, sam["token"], register)
        assert codes(throttled) == ["THROTTLED"] and 1 <= throttled["userErrors"][0]["retryAfterSeconds"] <= 30
    assert lookups.calls == 5  # a throttled attempt looks nothing up
    assert codes(await pin_login(api, "24680", register)) == ["THROTTLED"]
    assert (await Device.get(token_hash=hash_token(register))).pin_failures == 5
    assert await AuditLog.filter(type="pin.change_failed").count() == 5
    locks = await AuditLog.filter(type="throttle.locked").values_list("data", flat=True)
    assert sorted(lock["key"] for lock in locks) == ["pin:device", "pin:user"]
    organisation_budget = await Throttle.get(key=f"pin:organisation:{org.id}")
    assert organisation_budget.failures == 5


async def test_without_a_register_wrong_pins_count_on_the_user(api, monkeypatch):
    """A PASSWORD_AND_PIN user at the back office, with no device token: their own count holds,
    and sending the register's token afterwards does not start a fresh one."""
    org, register = await pin_ready(api)
    await add_pin_user(api, org, "kim", "13579", method="PASSWORD_AND_PIN")
    kim = (await api.data("""mutation { loginWithPassword(input: {username: "kim", password: "correct horse battery"})
                             { token } }"""))["loginWithPassword"]["token"]
    kim_at_till = (await pin_login(api, "13579", register))["token"]
    lookups = CountPinChecks(monkeypatch)
    for n in range(5):
        assert codes(await change(api, f"0246{n}", kim)) == ["INVALID_CREDENTIALS"]
    assert codes(await change(api, "13579", kim)) == ["THROTTLED"]
    assert codes(await change(api, "13579", kim_at_till, register)) == ["THROTTLED"]
    assert lookups.calls == 5
    # The register's and the organisation's counts are not the user's: PIN login goes on.
    assert (await Device.get(token_hash=hash_token(register))).pin_failures == 0
    assert (await Throttle.get(key=f"pin:organisation:{org.id}")).failures == 0  # held by the PIN logins
    assert (await pin_login(api, "24680", register))["user"] == {"username": "sam"}


async def test_the_right_pin_forgives_the_wrong_ones(api):
    _, register = await pin_ready(api)
    sam = await pin_login(api, "24680", register)
    for n in range(4):
        assert codes(await change(api, f"1357{n}", sam["token"], register)) == ["INVALID_CREDENTIALS"]
    new_pin = (await change(api, "24680", sam["token"], register))["generatedPin"]
    for n in range(5):
        assert codes(await change(api, f"1357{n}", sam["token"], register)) == ["INVALID_CREDENTIALS"]
    assert codes(await change(api, new_pin, sam["token"], register)) == ["THROTTLED"]


async def test_refusals_that_guess_nothing_count_nothing(api, monkeypatch):
    org, register = await pin_ready(api)
    sam = await pin_login(api, "24680", register)
    lookups = CountPinChecks(monkeypatch)
    for _ in range(6):
        assert [(e["field"], e["code"]) for e in (await change(api, "", sam["token"], register))["userErrors"]] == [
            (["input", "currentPin"], "REQUIRED")]
        assert codes(await change(api, "24680", org.token)) == ["METHOD_NOT_ALLOWED"]  # the admin has no PIN
    assert lookups.calls == 0
    assert not await Throttle.filter(failures__gt=0).exists()
    assert (await Device.get(token_hash=hash_token(register))).pin_failures == 0
    anonymous = await api.post(CHANGE, {"pin": "24680"}, device_token=register)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_drawn_pin_taken_meanwhile_changes_nothing(api, monkeypatch):
    """The drawn PIN was free when drawn; a save that loses it to another user's answers TAKEN
    and leaves the old PIN, the counts and the sessions as they were."""
    org, register = await pin_ready(api)
    await add_pin_user(api, org, "kim", "13579")
    kim = await User.get(username="kim")
    sam = await pin_login(api, "24680", register)

    async def taken_meanwhile(runtime, organisation):
        return "13579", kim.pin_hmac

    monkeypatch.setattr(users, "draw_unique_pin", taken_meanwhile)
    assert codes(await change(api, "24680", sam["token"], register)) == ["TAKEN"]
    assert (await pin_login(api, "24680", register))["user"] == {"username": "sam"}
    assert not await AuditLog.filter(type="pin.changed").exists()


async def test_twenty_wrong_pins_at_once_are_counted_exactly(aiohttp_client, postgres_settings, monkeypatch):
    """On the register and without one: five lookups each, however many arrive together."""
    api = await make_client(aiohttp_client, postgres_settings)
    org, register = await pin_ready(api)
    sam = (await pin_login(api, "24680", register))["token"]
    for device_token in (register, None):
        await Throttle.all().delete()
        await Device.filter(organisation_id=org.id).update(pin_failures=0, pin_locked_until=None)
        lookups = CountPinChecks(monkeypatch)
        results = await asyncio.gather(*(change(api, f"{13000 + n:05d}", sam, device_token) for n in range(20)))
        answers = [code for result in results for code in codes(result)]
        assert lookups.calls == 5, device_token
        assert answers.count("INVALID_CREDENTIALS") == 5 and answers.count("THROTTLED") == 15, device_token


async def test_wrong_pins_of_twenty_users_at_once_on_one_register_are_counted_exactly(aiohttp_client,
                                                                                      postgres_settings, monkeypatch):
    """Twenty users, twenty rows: only the register's row makes their guesses queue. Its
    budget of five holds, as it does for twenty wrong PINs at its PIN pad."""
    api = await make_client(aiohttp_client, postgres_settings)
    org, register = await pin_ready(api)
    tokens = []
    for n in range(20):
        await pin_and_password_user(org.id, f"cook{n}", f"{31000 + 7 * n:05d}", postgres_settings.secret_key)
        tokens.append((await pin_login(api, f"{31000 + 7 * n:05d}", register))["token"])
    lookups = CountPinChecks(monkeypatch)
    results = await asyncio.gather(*(change(api, "99999", token, register) for token in tokens))
    answers = [code for result in results for code in codes(result)]
    assert lookups.calls == 5
    assert answers.count("INVALID_CREDENTIALS") == 5 and answers.count("THROTTLED") == 15
    assert (await Device.get(token_hash=hash_token(register))).pin_failures == 5


async def test_a_pin_session_counts_on_its_register_whatever_headers_it_sends(api, monkeypatch):
    """A PIN session was opened on its register: leaving X-Device-Token out (or sending another
    register's) must not move its wrong current PINs off that register's count, or a stolen
    session would get five guesses here and five more on the register's PIN pad."""
    org, register = await pin_ready(api)
    till_2 = await approved_register(api, org, "Till 2")
    sam = await pin_login(api, "24680", register)
    for n in range(5):
        assert codes(await change(api, f"1357{n}", sam["token"], till_2 if n % 2 else None)) == [
            "INVALID_CREDENTIALS"]
    assert (await Device.get(token_hash=hash_token(register))).pin_failures == 5
    assert (await Device.get(token_hash=hash_token(till_2))).pin_failures == 0
    assert (await Throttle.get(key=f"pin:organisation:{org.id}")).failures == 5
    assert codes(await pin_login(api, "24680", register)) == ["THROTTLED"]
    assert (await pin_login(api, "24680", till_2))["user"] == {"username": "sam"}
