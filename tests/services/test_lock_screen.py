"""The lock screen end to end: a PIN typed on a locked register unlocks it for its user or hands
it to another; an idle PIN session locks; wrong PINs count as ever.

The concurrency tests need real concurrent transactions, so they run on PostgreSQL only
(``postgres_settings``); SQLite runs one transaction at a time in a process.
"""

from __future__ import annotations

import asyncio
import random

from gateway.graphql import ids
from gateway.models import AuditLog, Device, Session, Throttle, ThrottleEvent, User
from gateway.services import auth
from gateway.services.tokens import hash_token
from tests.support import (
    ORG_UPDATE, Clock, CountPinChecks, add_pin_user, approved_register, approved_registers, make_client,
    password_login, pin_and_password_user, pin_ready,
)

LOGIN_PIN = """mutation($pin: String!) {
  loginWithPin(input: {pin: $pin}) { token session { id locked } user { username } userErrors { code retryAfterSeconds } }
}"""
LOCK = """mutation($id: ID) { sessionLock(input: {id: $id}) { session { id locked lockedAt } userErrors { code } } }"""
VIEWER = "{ viewer { user { username } } }"
USER_DELETE = "mutation($id: ID!) { userDelete(input: {id: $id}) { userErrors { code } } }"
REVOKE = "mutation($id: ID!) { deviceRevoke(input: {id: $id}) { userErrors { code } } }"
LOCK_SCREEN = "{ thisDevice { lockedSession { lockedAt user { displayName } } } }"


async def _login(api, pin: str, device: str) -> dict:
    result = (await api.data(LOGIN_PIN, {"pin": pin}, device_token=device))["loginWithPin"]
    assert result["userErrors"] == [], result
    return result


async def _locked(api, pin: str, device: str) -> dict:
    """A PIN session on ``device``, locked by its user."""
    login = await _login(api, pin, device)
    locked = (await api.data(LOCK, {}, token=login["token"], device_token=device))["sessionLock"]
    assert locked["userErrors"] == [] and locked["session"]["locked"], locked
    return login


async def _soon(request):
    await asyncio.sleep(random.uniform(0, 0.05))
    return await request


def _code(body: dict) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


async def test_the_same_users_pin_unlocks_the_same_session_and_the_old_token_dies(api):
    org, register = await pin_ready(api)
    before = await _locked(api, "24680", register)
    assert _code(await api.post(VIEWER, token=before["token"], device_token=register)) == ["SESSION_LOCKED"]

    after = await _login(api, "24680", register)
    assert after["session"] == {"id": before["session"]["id"], "locked": False}
    assert after["token"] != before["token"]
    assert (await api.data(VIEWER, token=after["token"], device_token=register))["viewer"]["user"] == {"username": "sam"}
    # The old token names no session any more: it is as good as none.
    assert (await api.data(VIEWER, token=before["token"], device_token=register)) == {"viewer": None}
    assert _code(await api.post("{ organisation { name } }", token=before["token"])) == ["UNAUTHENTICATED"]
    session = await Session.get(id=ids.decode(before["session"]["id"], "Session"))
    assert session.locked_at is None and session.ended_at is None
    assert session.token_hash == hash_token(after["token"])
    assert await Session.filter(organisation_id=org.id, method="PIN").count() == 1  # no second session opened
    unlocked = await AuditLog.get(type="session.unlocked")
    assert unlocked.data["session_id"] == session.id and unlocked.actor_id == session.user_id


async def test_another_users_pin_ends_the_locked_session_and_opens_theirs(api):
    org, register = await pin_ready(api)
    await add_pin_user(api, org, "ana", "13579")
    sam = await _locked(api, "24680", register)

    ana = await _login(api, "13579", register)
    assert ana["user"] == {"username": "ana"} and ana["session"]["id"] != sam["session"]["id"]
    ended = await Session.get(id=ids.decode(sam["session"]["id"], "Session"))
    assert ended.end_reason == "USER_SWITCHED" and ended.ended_at is not None
    assert (await api.data(VIEWER, token=sam["token"])) == {"viewer": None}
    switched = [e for e in await AuditLog.filter(type="session.ended") if e.data["reason"] == "USER_SWITCHED"]
    ana_id = (await User.get(username="ana")).id
    assert [(e.data["session_id"], e.actor_id) for e in switched] == [(ended.id, ana_id)]  # who took over
    assert (await api.data(LOCK_SCREEN, device_token=register))["thisDevice"]["lockedSession"] is None


async def test_an_idle_pin_session_locks_after_the_lock_minutes_and_still_ends_idle(api, monkeypatch):
    org, register = await pin_ready(api)
    changed = await api.data(ORG_UPDATE, {"input": {"sessionLockMinutes": 2, "sessionIdleMinutes": 15}},
                             token=org.token)
    assert changed["organisationUpdate"]["userErrors"] == []
    clock = Clock(monkeypatch)
    sam = await _login(api, "24680", register)
    admin = org.token  # a password session: never locks
    # Used every 100 s, it never locks: the last use written lags by at most 30 s (a quarter of 2 min).
    for _ in range(6):
        clock.advance(100)
        assert (await api.data(VIEWER, token=sam["token"]))["viewer"] is not None
        assert (await api.data(VIEWER, token=admin))["viewer"] is not None
    clock.advance(2 * 60 + 31)  # two minutes and the touch interval
    body = await api.post("{ viewer { session { user { username } } } }", token=sam["token"], device_token=register)
    assert _code(body) == ["SESSION_LOCKED"] and body["data"] == {"viewer": None}
    assert (await api.data(VIEWER, token=admin))["viewer"] is not None
    session = await Session.get(token_hash=hash_token(sam["token"]))
    assert session.locked_at == clock.now and session.ended_at is None
    event = await AuditLog.get(type="session.locked")
    assert event.data["reason"] == "IDLE" and event.data["session_id"] == session.id
    screen = (await api.data(LOCK_SCREEN, device_token=register))["thisDevice"]["lockedSession"]
    assert screen["user"] == {"displayName": "sam"}
    # The register asking again and again does not keep it alive: it ends on its idle timeout.
    for _ in range(4):
        clock.advance(3 * 60)
        assert _code(await api.post(VIEWER, token=sam["token"])) == ["SESSION_LOCKED"]
    clock.advance(60)
    assert (await api.data(VIEWER, token=sam["token"])) == {"viewer": None}
    assert (await Session.get(id=session.id)).end_reason == "IDLE_TIMEOUT"


async def test_a_pin_typed_on_a_register_idle_past_its_lock_unlocks_its_session(api, monkeypatch):
    """A register shows its lock screen by its own clock: the PIN typed there resumes the session
    even though no request found it idle first."""
    org, register = await pin_ready(api)
    await api.data(ORG_UPDATE, {"input": {"sessionLockMinutes": 1}}, token=org.token)
    clock = Clock(monkeypatch)
    sam = await _login(api, "24680", register)
    clock.advance(90)
    again = await _login(api, "24680", register)
    assert again["session"]["id"] == sam["session"]["id"] and again["token"] != sam["token"]
    assert [e.data["reason"] for e in await AuditLog.filter(type="session.locked")] == ["IDLE"]


async def test_a_locked_session_past_its_idle_timeout_resumes_for_nobody(api, monkeypatch):
    org, register = await pin_ready(api)
    await api.data(ORG_UPDATE, {"input": {"sessionIdleMinutes": 10}}, token=org.token)
    clock = Clock(monkeypatch)
    sam = await _locked(api, "24680", register)
    clock.advance(11 * 60 + 30)
    assert (await api.data(LOCK_SCREEN, device_token=register))["thisDevice"]["lockedSession"] is None
    again = await _login(api, "24680", register)
    assert again["session"]["id"] != sam["session"]["id"]
    assert (await Session.get(id=ids.decode(sam["session"]["id"], "Session"))).end_reason == "IDLE_TIMEOUT"


async def test_a_wrong_pin_on_a_locked_register_counts_and_leaves_it_locked(api, monkeypatch):
    org, register = await pin_ready(api)
    sam = await _locked(api, "24680", register)
    checks = CountPinChecks(monkeypatch)
    wrong = (await api.data(LOGIN_PIN, {"pin": "99999"}, device_token=register))["loginWithPin"]
    assert [e["code"] for e in wrong["userErrors"]] == ["INVALID_CREDENTIALS"]
    device = await Device.get(token_hash=hash_token(register))
    assert device.pin_failures == 1  # the register's count
    assert await ThrottleEvent.filter(key=f"pin:organisation:{org.id}").count() == 1  # the organisation's
    for _ in range(4):
        await api.data(LOGIN_PIN, {"pin": "99999"}, device_token=register)
    right = (await api.data(LOGIN_PIN, {"pin": "24680"}, device_token=register))["loginWithPin"]
    assert [e["code"] for e in right["userErrors"]] == ["THROTTLED"] and right["token"] is None
    assert checks.calls == 5
    session = await Session.get(id=ids.decode(sam["session"]["id"], "Session"))
    assert session.locked_at is not None and session.ended_at is None
    assert session.token_hash == hash_token(sam["token"])


async def test_a_pin_acts_on_the_locked_sessions_of_its_own_register_only(api):
    org, register = await pin_ready(api)
    await add_pin_user(api, org, "ana", "13579")
    other = await approved_register(api, org, "Till 2")
    sam = await _locked(api, "24680", register)
    await _login(api, "13579", other)
    await _login(api, "24680", other)  # sam again, elsewhere: a new session there
    session = await Session.get(id=ids.decode(sam["session"]["id"], "Session"))
    assert session.locked_at is not None and session.ended_at is None


async def test_with_several_locked_sessions_the_pin_resumes_its_own_and_ends_the_rest(api):
    """Three live sessions on one register (sam twice, then ana over them), all locked by a
    manager: sam's PIN resumes sam's newest; the others end, as the register is sam's now. The
    admin's password session on the same register is no PIN session and stays as it was."""
    org, register = await pin_ready(api)
    await add_pin_user(api, org, "ana", "13579")
    admin_here = await password_login(api, "admin", device_token=register)
    sam_before = await _login(api, "24680", register)
    sam = await _login(api, "24680", register)
    ana = await _login(api, "13579", register)
    for login in (sam_before, sam, ana):
        locked = (await api.data(LOCK, {"id": login["session"]["id"]}, token=org.token))["sessionLock"]
        assert locked["userErrors"] == []
    assert (await api.data(LOCK_SCREEN, device_token=register))["thisDevice"]["lockedSession"]["user"] == {
        "displayName": "ana"}  # the newest
    again = await _login(api, "24680", register)
    assert again["session"]["id"] == sam["session"]["id"]
    for ended in (sam_before, ana):
        assert (await Session.get(id=ids.decode(ended["session"]["id"], "Session"))).end_reason == "USER_SWITCHED"
    assert (await api.data(VIEWER, token=admin_here["token"]))["viewer"] is not None


async def test_an_idle_session_found_by_many_requests_at_once_locks_once(api, monkeypatch):
    org, register = await pin_ready(api)
    await api.data(ORG_UPDATE, {"input": {"sessionLockMinutes": 1}}, token=org.token)
    clock = Clock(monkeypatch)
    sam = await _login(api, "24680", register)
    clock.advance(2 * 60)
    bodies = await asyncio.gather(*(api.post(VIEWER, token=sam["token"]) for _ in range(10)),
                                  *(api.post(LOCK_SCREEN, device_token=register) for _ in range(5)))
    assert [_code(body) for body in bodies[:10]] == [["SESSION_LOCKED"]] * 10
    assert all(body["data"]["thisDevice"]["lockedSession"] for body in bodies[10:])
    assert await AuditLog.filter(type="session.locked").count() == 1


async def test_pins_typed_at_once_on_a_locked_register_resume_it_once(aiohttp_client, postgres_settings):
    """Ten of sam's PINs and ten of ana's at once on sam's locked register: one of them takes the
    register over first, whoever it is; no two resume the same session, and nobody errs."""
    api = await make_client(aiohttp_client, postgres_settings)
    org, register = await pin_ready(api)
    await add_pin_user(api, org, "ana", "13579")
    sam = await _locked(api, "24680", register)
    results = await asyncio.gather(*(api.post(LOGIN_PIN, {"pin": pin}, device_token=register)
                                     for pin in ["24680", "13579"] * 10))
    assert [body for body in results if "errors" in body] == []
    logins = [body["data"]["loginWithPin"] for body in results]
    assert all(login["userErrors"] == [] for login in logins), logins
    resumed = [login for login in logins if login["session"]["id"] == sam["session"]["id"]]
    assert len(resumed) <= 1
    old = await Session.get(id=ids.decode(sam["session"]["id"], "Session"))
    assert (old.end_reason == "USER_SWITCHED") == (not resumed)
    assert await Session.filter(organisation_id=org.id, method="PIN", ended_at=None, locked_at__not_isnull=True
                                ).count() == 0


async def test_switches_and_unlocks_racing_locks_deletions_and_revocations(aiohttp_client, postgres_settings):
    """PIN logins that unlock or switch locked registers take the registers' sessions last, in id
    order, like every bulk end: racing a manager's sessionLock, user deletions, revocations and
    settings changes, three times over, nothing deadlocks and no deleted user keeps a session."""
    api = await make_client(aiohttp_client, postgres_settings)
    org, _ = await pin_ready(api)
    await api.data(ORG_UPDATE, {"input": {"sessionIdleMinutes": 60}}, token=org.token)
    for round_ in range(3):
        await Throttle.all().delete()
        tokens = await approved_registers(org.id, 10)
        pins = [f"{50000 + round_ * 100 + n * 7:05d}" for n in range(6)]
        users = [await pin_and_password_user(org.id, f"l{round_}_{n}", pin, postgres_settings.secret_key)
                 for n, pin in enumerate(pins)]
        for n, token in enumerate(tokens):  # every register starts locked, by someone
            await _locked(api, pins[n % 6], token)
        live = [ids.encode("Session", s.id) for s in await Session.filter(organisation_id=org.id, ended_at=None,
                                                                          method="PIN")]
        registers = {d.token_hash: ids.encode("Device", d.id) for d in await Device.filter(organisation_id=org.id)}
        logins = [_soon(api.post(LOGIN_PIN, {"pin": random.choice(pins)}, device_token=random.choice(tokens)))
                  for _ in range(60)]
        changes = [_soon(api.post(LOCK, {"id": random.choice(live)}, token=org.token)) for _ in range(20)]
        changes += [_soon(api.post(USER_DELETE, {"id": ids.encode("User", user.id)}, token=org.token))
                    for user in users[:2]]
        changes += [_soon(api.post(REVOKE, {"id": registers[hash_token(token)]}, token=org.token))
                    for token in tokens[:2]]
        changes += [_soon(api.post(ORG_UPDATE, {"input": {"sessionLockMinutes": n}}, token=org.token))
                    for n in range(3)]
        results = await asyncio.gather(*logins, *changes)
        assert [body for body in results if "errors" in body] == [], round_
        assert await Session.filter(user_id__in=[user.id for user in users[:2]], ended_at=None).count() == 0


async def test_a_manager_locking_while_the_pin_that_unlocks_holds_its_user(aiohttp_client, postgres_settings,
                                                                           monkeypatch):
    """The worst interleaving, forced: sam's PIN, typed to resume sam's locked session, holds the
    register and sam's row when a manager locks sam's other session there. sessionLock takes that
    one session's row and nothing after it, so it commits, and the PIN goes on to take the
    register's sessions (had the lock gone on to take sam's row, each would wait on the other)."""
    api = await make_client(aiohttp_client, postgres_settings)
    org, register = await pin_ready(api)
    older = await _login(api, "24680", register)  # the manager locks this one
    newer = await _locked(api, "24680", register)  # sam again on the same register (older was not locked)
    pin_holds_user, lock_sent, pin_owner = asyncio.Event(), asyncio.Event(), auth._pin_owner

    async def then_wait(*args):
        user = await pin_owner(*args)
        pin_holds_user.set()
        await asyncio.wait_for(lock_sent.wait(), 10)
        await asyncio.sleep(0.2)  # time enough for the lock to reach whatever it waits on
        return user

    async def lock():
        await asyncio.wait_for(pin_holds_user.wait(), 10)
        lock_sent.set()
        return await api.post(LOCK, {"id": older["session"]["id"]}, token=org.token)

    monkeypatch.setattr(auth, "_pin_owner", then_wait)
    unlocked, locked = await asyncio.gather(api.post(LOGIN_PIN, {"pin": "24680"}, device_token=register), lock())
    assert "errors" not in unlocked and "errors" not in locked, (unlocked, locked)
    assert locked["data"]["sessionLock"]["userErrors"] == []
    assert unlocked["data"]["loginWithPin"]["session"]["id"] == newer["session"]["id"]  # the newest resumed
    assert (await Session.get(id=ids.decode(older["session"]["id"], "Session"))).end_reason == "USER_SWITCHED"
