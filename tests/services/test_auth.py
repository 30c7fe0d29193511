"""Logins under pressure, end to end: exact PIN budgets, deleted users, sessions that stay alive.

The concurrency tests need real concurrent transactions, so they run on PostgreSQL only
(``postgres_settings``); SQLite runs one transaction at a time in a process.
"""

from __future__ import annotations

import asyncio
import random

import pytest
from datetime import timedelta

from gateway.graphql import ids
from gateway.models import AuditLog, Device, DeviceState, Session, Throttle, User
from gateway.services import auth
from gateway.services.clock import utcnow
from gateway.services.tokens import hash_token
from tests.support import (
    LOGIN_PASSWORD, LOGIN_PIN, ORG_UPDATE, PASSWORD, Clock, CountPinChecks, approved_registers, make_client, new_org,
    pin_and_password_user, pin_login, pin_ready,
)

VIEWER = "{ viewer { user { username } } }"


def _codes(results) -> list[str]:
    return [result["loginWithPin"]["userErrors"][0]["code"] for result in results]


async def test_the_organisation_budget_is_exact_over_manyapproved_registers(aiohttp_client, postgres_settings, monkeypatch):
    """300 wrong PINs at once over 60 registers: 5 each fit the registers' budgets, but the
    organisation's 50 an hour is what holds, exactly."""
    api = await make_client(aiohttp_client, postgres_settings)
    org, _ = await pin_ready(api)
    tokens = await approved_registers(org.id, 60)
    lookups = CountPinChecks(monkeypatch)
    results = await asyncio.gather(*(api.data(LOGIN_PIN, {"pin": f"{n:05d}"}, device_token=tokens[n % 60])
                                     for n in range(300)))
    codes = _codes(results)
    assert lookups.calls == 50
    assert codes.count("INVALID_CREDENTIALS") == 50 and codes.count("THROTTLED") == 250
    # Locked for the hour, on every register, the right PIN included.
    assert _codes([{"loginWithPin": await pin_login(api, "24680", tokens[0])}]) == ["THROTTLED"]


async def test_fifty_guesses_at_once_on_one_register_look_up_five(aiohttp_client, postgres_settings, monkeypatch):
    api = await make_client(aiohttp_client, postgres_settings)
    _, device = await pin_ready(api)
    lookups = CountPinChecks(monkeypatch)
    results = await asyncio.gather(*(api.data(LOGIN_PIN, {"pin": f"{n:05d}"}, device_token=device)
                                     for n in range(50)))
    codes = _codes(results)
    assert lookups.calls == 5
    assert codes.count("INVALID_CREDENTIALS") == 5 and codes.count("THROTTLED") == 45


async def test_the_organisation_budget_holds_in_any_hour_not_per_clock_hour(api, monkeypatch):
    """One wrong PIN, 48 more just before the hour is up, then a burst just after: the first
    one has left the window, so the burst gets 2 lookups, not a fresh 50."""
    org, _ = await pin_ready(api)
    tokens = await approved_registers(org.id, 60)
    clock = Clock(monkeypatch)
    attempts = iter(range(10_000))

    async def guesses(count: int) -> list[str]:
        results = await asyncio.gather(*(api.data(LOGIN_PIN, {"pin": f"{n:05d}"}, device_token=tokens[n % 60])
                                         for n in (next(attempts) for _ in range(count))))
        return _codes(results)

    assert await guesses(1) == ["INVALID_CREDENTIALS"]
    clock.advance(3599)
    assert await guesses(48) == ["INVALID_CREDENTIALS"] * 48
    clock.advance(2)
    lookups = CountPinChecks(monkeypatch)
    burst = await guesses(60)
    assert lookups.calls == 2 and burst.count("INVALID_CREDENTIALS") == 2 and burst.count("THROTTLED") == 58
    refused = await pin_login(api, "24680", tokens[0])
    # Open again when the oldest of the last 50 is an hour old.
    assert 3590 <= refused["userErrors"][0]["retryAfterSeconds"] <= 3600


USER_DELETE = "mutation($id: ID!) { userDelete(input: {id: $id}) { userErrors { code } } }"
LOGIN_PASSWORD = """mutation($u: String!, $p: String!) {
  loginWithPassword(input: {username: $u, password: $p}) { token userErrors { code } } }"""


async def test_a_user_deleted_during_their_login_keeps_no_session(aiohttp_client, postgres_settings):
    """Each round, a user logs in by password and by PIN while an admin deletes them (sent 0-15 ms
    later): whichever order the database sees, no live session of theirs is left."""
    api = await make_client(aiohttp_client, postgres_settings)
    org, device = await pin_ready(api)
    await api.data(ORG_UPDATE, {"input": {"sessionIdleMinutes": 60}}, token=org.token)
    for round_ in range(20):
        user = await pin_and_password_user(org.id, f"racer{round_}", f"{31000 + 7 * round_:05d}",
                                            postgres_settings.secret_key)
        gid = ids.encode("User", user.id)
        # Each round starts with fresh budgets: a login that loses the race is a failure.
        await Device.filter(organisation_id=org.id).update(pin_failures=0, pin_locked_until=None)
        await Throttle.all().delete()

        async def delete_soon():
            await asyncio.sleep(random.uniform(0, 0.015))
            return await api.data(USER_DELETE, {"id": gid}, token=org.token)

        by_password, by_pin, deleted = await asyncio.gather(
            api.data(LOGIN_PASSWORD, {"u": user.username, "p": PASSWORD}),
            pin_login(api, f"{31000 + 7 * round_:05d}", device),
            delete_soon())
        assert deleted["userDelete"]["userErrors"] == []
        assert await Session.filter(user_id=user.id, ended_at=None).count() == 0, round_
        for token in (by_password["loginWithPassword"]["token"], by_pin["token"]):
            if token:
                assert (await api.data(VIEWER, token=token)) == {"viewer": None}


@pytest.mark.parametrize("method", ["PASSWORD", "PIN"])
async def test_a_user_deleted_while_their_login_holds_them_keeps_no_session(aiohttp_client, postgres_settings,
                                                                              monkeypatch, method):
    """The login is held just before it writes its session, while the delete is sent: the delete
    must wait for the login's lock on the user and then end that session (without the lock it
    would finish first, ending nothing, and the session would be written after it)."""
    api = await make_client(aiohttp_client, postgres_settings)
    org, register = await pin_ready(api)
    user = await pin_and_password_user(org.id, "leaver", "31337", postgres_settings.secret_key)
    login_holds_user, delete_sent, open_session = asyncio.Event(), asyncio.Event(), auth._open_session

    async def after_the_delete(*args):
        login_holds_user.set()
        await delete_sent.wait()
        await asyncio.sleep(0.2)  # time enough for a delete that does not wait to finish
        return await open_session(*args)

    async def delete():
        await login_holds_user.wait()
        delete_sent.set()
        return await api.data(USER_DELETE, {"id": ids.encode("User", user.id)}, token=org.token)

    monkeypatch.setattr(auth, "_open_session", after_the_delete)
    login = (api.data(LOGIN_PASSWORD, {"u": "leaver", "p": PASSWORD}) if method == "PASSWORD"
             else pin_login(api, "31337", register))
    _, deleted = await asyncio.gather(login, delete())
    assert deleted["userDelete"]["userErrors"] == []
    assert await Session.filter(user_id=user.id, ended_at=None).count() == 0
    assert await Session.filter(user_id=user.id, end_reason="USER_DELETED").count() == 1


async def test_a_session_used_more_often_than_its_idle_timeout_never_ends_idle(api, monkeypatch):
    org = await new_org(api)
    await api.data(ORG_UPDATE, {"input": {"sessionIdleMinutes": 1}}, token=org.token)
    token = (await api.data(LOGIN_PASSWORD, {"u": "admin", "p": PASSWORD}))["loginWithPassword"]["token"]
    clock = Clock(monkeypatch)
    for gap in [15] * 12 + [14.9] * 12 + [59, 59, 1, 59]:  # every 15 s for 3 minutes, then just under a minute
        clock.advance(gap)
        assert (await api.data(VIEWER, token=token)) == {"viewer": {"user": {"username": "admin"}}}, gap


async def test_an_unused_session_ends_idle_within_a_quarter_past_its_timeout(api, monkeypatch):
    """The last use written may lag the real one by a quarter of the timeout, so a session ends
    between its timeout and a quarter past it."""
    org = await new_org(api)
    await api.data(ORG_UPDATE, {"input": {"sessionIdleMinutes": 1}}, token=org.token)
    token = (await api.data(LOGIN_PASSWORD, {"u": "admin", "p": PASSWORD}))["loginWithPassword"]["token"]
    clock = Clock(monkeypatch)
    clock.advance(74)
    assert (await api.data(VIEWER, token=token))["viewer"] is not None
    clock.advance(76)
    assert (await api.data(VIEWER, token=token)) == {"viewer": None}
    assert (await Session.get(token_hash=hash_token(token))).end_reason == "IDLE_TIMEOUT"


async def test_the_session_of_a_user_deleted_behind_its_back_is_refused(api):
    """Deleting a user ends their sessions; should one survive (a row written by other means),
    the per-request lookup still refuses it."""
    org = await new_org(api)
    await User.filter(id=org.admin.id).update(deleted_at=utcnow())
    assert (await api.data(VIEWER, token=org.token)) == {"viewer": None}
    assert (await Session.get(user_id=org.admin.id)).end_reason == "USER_DELETED"


async def test_a_pin_session_dies_with_its_register_approval(api):
    org, device = await pin_ready(api)
    admin_session = org.token
    token = (await pin_login(api, "24680", device))["token"]
    await Device.filter(organisation_id=org.id).update(state=DeviceState.REVOKED)  # its sessions left alive
    assert (await api.data(VIEWER, token=token)) == {"viewer": None}
    assert (await Session.get(token_hash=hash_token(token))).end_reason == "DEVICE_REVOKED"
    # A password session on the same device is not a PIN session: it lives on.
    assert (await api.data(VIEWER, token=admin_session))["viewer"] is not None


async def test_an_idle_session_found_by_many_requests_at_once_ends_once(api):
    org = await new_org(api)
    await Session.filter(organisation_id=org.id).update(last_seen_at=utcnow() - timedelta(hours=1))
    answers = await asyncio.gather(*(api.data(VIEWER, token=org.token) for _ in range(10)))
    assert answers == [{"viewer": None}] * 10
    assert await AuditLog.filter(type="session.ended").count() == 1


async def test_a_username_longer_than_any_is_a_wrong_password_and_counted(api):
    """The per-user throttle key once held the name whole: past its column's 200 characters
    the login crashed (INTERNAL_SERVER_ERROR) instead of answering."""
    for username in ("é" * 3000, "İ" * 150):  # the second is 150 characters, but 300 once lowered
        data = await api.data(LOGIN_PASSWORD, {"u": username, "p": "whatever it is"})
        assert [error["code"] for error in data["loginWithPassword"]["userErrors"]] == ["INVALID_CREDENTIALS"]
    assert await Throttle.filter(key="password:user:" + "é" * 150).exists()
