"""Changing the secret key: the gateway restarts with K2 as its key and K1 among the earlier ones
(PAIRGATE_PREVIOUS_SECRET_KEYS) on the same database, and every PIN stored under K1 still works."""

from __future__ import annotations

import pytest

from gateway.models import User
from gateway.services import pins
from gateway.settings import Settings, SettingsError
from tests.support import LOGIN_PIN, USER_CREATE, make_client, pin_login, pin_ready

K1 = "first-secret-key-" + "1" * 32
K2 = "second-secret-key-" + "2" * 32
# A login's live event, after its commit: a pg_notify on PostgreSQL, nothing to send on SQLite.
NOTIFY = {"sqlite": 0, "postgres": 1}
CHANGE = """mutation($pin: String) { viewerPinChange(input: {currentPin: $pin}) {
  generatedPin userErrors { code } } }"""


def keyed(database_url: str, key: str, *previous: str) -> Settings:
    return Settings.from_env({"PAIRGATE_PREVIOUS_SECRET_KEYS": ",".join(previous)}, database_url=database_url,
                             secret_key=key, query_stats=True)


async def restart(aiohttp_client, running, settings: Settings):
    """Stop the gateway ``running`` and start one with ``settings``, on the same database."""
    await running.client.close()
    return await make_client(aiohttp_client, settings)


async def sam() -> User:
    return await User.get(username="sam")


async def test_a_pin_under_the_old_key_logs_in_after_a_restart_and_then_under_the_new_key_alone(
        aiohttp_client, database_url, backend):
    before = await make_client(aiohttp_client, keyed(database_url, K1))
    org, register = await pin_ready(before)  # sam's PIN 24680, stored under K1
    assert (await sam()).pin_key_id == pins.key_id(K1.encode())

    # K2 alone does not know a PIN stored under K1: this is what the earlier keys are for.
    forgot = await restart(aiohttp_client, before, keyed(database_url, K2))
    assert (await pin_login(forgot, "24680", register))["userErrors"][0]["code"] == "INVALID_CREDENTIALS"

    rotated = await restart(aiohttp_client, forgot, keyed(database_url, K2, K1))
    body = await rotated.post(LOGIN_PIN, {"pin": "24680"}, device_token=register)
    login = body["data"]["loginWithPin"]
    assert login["userErrors"] == [] and login["user"]["username"] == "sam"
    # The usual seven, the register's wrong PIN (K2 alone, above) forgiven, and the PIN stored again;
    # on PostgreSQL, after the commit, the pg_notify that tells the live screens a session started.
    assert body["extensions"]["sql"]["queries"] == 9 + NOTIFY[backend]
    stored = await sam()  # stored again under K2 at that login
    assert stored.pin_key_id == pins.key_id(K2.encode())
    assert stored.pin_hmac == pins.pin_hmac(K2.encode(), org.id, "24680")

    after = await restart(aiohttp_client, rotated, keyed(database_url, K2))
    again = await pin_login(after, "24680", register)
    assert again["userErrors"] == [] and again["user"]["username"] == "sam"


async def test_a_pin_under_the_current_key_costs_no_more_statements_with_earlier_keys(aiohttp_client, database_url,
                                                                                    backend):
    alone = await make_client(aiohttp_client, keyed(database_url, K2))
    org, register = await pin_ready(alone)
    await pin_login(alone, "24680", register)  # the register's first: it also records the device's visit
    single = await alone.post(LOGIN_PIN, {"pin": "24680"}, device_token=register)
    rotated = await restart(aiohttp_client, alone, keyed(database_url, K2, K1))
    with_earlier = await rotated.post(LOGIN_PIN, {"pin": "24680"}, device_token=register)
    assert with_earlier["data"]["loginWithPin"]["userErrors"] == []
    assert with_earlier["extensions"]["sql"]["queries"] == single["extensions"]["sql"]["queries"] == 7 + NOTIFY[backend]


async def test_a_new_pin_may_not_be_one_stored_under_an_earlier_key(aiohttp_client, database_url, monkeypatch):
    before = await make_client(aiohttp_client, keyed(database_url, K1))
    org, register = await pin_ready(before)
    rotated = await restart(aiohttp_client, before, keyed(database_url, K2, K1))

    typed = await rotated.data(USER_CREATE, {"input": {"username": "kim", "role": "STAFF", "loginMethod": "PIN_ONLY",
                                                       "pin": "24680"}}, token=org.token)
    assert [error["code"] for error in typed["userCreate"]["userErrors"]] == ["TAKEN"]

    # A drawn PIN that is sam's (under K1) is drawn again.
    drawn = iter(["24680", "13579"])
    monkeypatch.setattr(pins, "generate", lambda runtime, organisation: next(drawn))
    generated = await rotated.data(USER_CREATE, {"input": {"username": "kim", "role": "STAFF",
                                                           "loginMethod": "PIN_ONLY", "generatePin": True}},
                                   token=org.token)
    assert generated["userCreate"]["generatedPin"] == "13579"


async def test_changing_a_pin_stored_under_an_earlier_key(aiohttp_client, database_url):
    before = await make_client(aiohttp_client, keyed(database_url, K1))
    org, register = await pin_ready(before)
    token = (await pin_login(before, "24680", register))["token"]
    rotated = await restart(aiohttp_client, before, keyed(database_url, K2, K1))
    # The session's own request looks the PIN up under both keys.
    changed = (await rotated.data(CHANGE, {"pin": "24680"}, token=token, device_token=register))["viewerPinChange"]
    assert changed["userErrors"] == []
    assert (await sam()).pin_key_id == pins.key_id(K2.encode())
    after = await restart(aiohttp_client, rotated, keyed(database_url, K2))
    assert (await pin_login(after, changed["generatedPin"], register))["userErrors"] == []


def test_earlier_keys_are_checked_like_the_key():
    with pytest.raises(SettingsError, match="PAIRGATE_PREVIOUS_SECRET_KEYS"):
        Settings.from_env({"PAIRGATE_PREVIOUS_SECRET_KEYS": "short"}, database_url="sqlite://:memory:",
                          secret_key=K2)
    settings = Settings.from_env({"PAIRGATE_PREVIOUS_SECRET_KEYS": f" {K1} , {K2},{K1}"},
                                 database_url="sqlite://:memory:", secret_key=K2)
    assert settings.pin_keys == (K2.encode(), K1.encode())  # the current key first, once each
