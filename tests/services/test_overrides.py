"""Overrides under pressure (PostgreSQL: real concurrent transactions): a token redeemed at once
by many, override PINs and login PINs guessed at once on one register, approvals racing the
admin's changes."""

from __future__ import annotations

import asyncio
import random

from gateway.graphql import ids
from gateway.models import AuditLog, Device, Override, User
from gateway.services.tokens import hash_token
from tests.graphql.test_overrides import APPROVE, MANAGER_PIN, REDEEM, STAFF_PIN, register_with_staff
from tests.support import LOGIN_PIN, CountPinChecks, make_client, pin_login


async def test_twenty_redeem_one_token_at_once_and_one_succeeds(aiohttp_client, postgres_settings):
    api = await make_client(aiohttp_client, postgres_settings)
    register = await register_with_staff(api)
    token = (await register.approve(api, MANAGER_PIN))["overrideToken"]
    # Twenty sessions of the organisation: the register's, and the admin's from as many devices.
    sessions = [register.session] + [await _admin_session(api) for _ in range(19)]
    results = await asyncio.gather(*(api.data(REDEEM, {"token": token}, token=session) for session in sessions))
    answers = [result["overrideRedeem"] for result in results]
    assert sum(1 for answer in answers if answer["userErrors"] == []) == 1
    assert sorted(e["code"] for answer in answers for e in answer["userErrors"]) == ["ALREADY_USED"] * 19
    assert await AuditLog.filter(type="override.redeemed").count() == 1
    row = await Override.get(token_hash=hash_token(token))
    winner = next(session for session, answer in zip(sessions, answers) if answer["userErrors"] == [])
    assert row.redeemed_by_id == (await _viewer_id(api, winner))


async def _admin_session(api) -> str:
    body = await api.data("""mutation { loginWithPassword(input: {username: "admin", password: "correct horse battery"})
        { token } }""")
    return body["loginWithPassword"]["token"]


async def _viewer_id(api, session: str) -> int:
    viewer = await api.data("{ viewer { user { id } } }", token=session)
    return ids.decode(viewer["viewer"]["user"]["id"], "User")


async def test_guesses_sent_at_once_as_logins_and_overrides_get_five_lookups(aiohttp_client, postgres_settings,
                                                                              monkeypatch):
    """50 wrong PINs at once on one register, half as login PINs and half as override PINs over
    every action: they queue on the register's row and share its five free guesses."""
    api = await make_client(aiohttp_client, postgres_settings)
    register = await register_with_staff(api)
    lookups = CountPinChecks(monkeypatch)
    actions = ["REFUND", "VOID", "DISCOUNT", "NO_SALE"]
    guesses = []
    for n in range(50):
        pin = f"{60000 + n:05d}"
        if n % 2:
            guesses.append(api.data(LOGIN_PIN, {"pin": pin}, device_token=register.device_token))
        else:
            guesses.append(api.data(APPROVE, {"input": {"pin": pin, "action": actions[n // 2 % 4]}},
                                    token=register.session, device_token=register.device_token))
    results = await asyncio.gather(*guesses)
    found = [e["code"] for result in results for payload in result.values() for e in payload["userErrors"]]
    assert lookups.calls == 5
    assert found.count("INVALID_CREDENTIALS") == 5 and found.count("THROTTLED") == 45
    assert (await Device.get(token_hash=hash_token(register.device_token))).pin_failures == 5


USER_DELETE = "mutation($id: ID!) { userDelete(input: {id: $id}) { userErrors { code } } }"
DEVICE_DELETE = "mutation($id: ID!) { deviceDelete(input: {id: $id}) { userErrors { code } } }"
ORG_UPDATE = """mutation($m: Int!) { organisationUpdate(input: {sessionIdleMinutes: $m}) { userErrors { code } } }"""


async def _soon(request):
    await asyncio.sleep(random.uniform(0, 0.05))
    return await request


async def test_approvals_racing_the_admins_changes_never_deadlock(aiohttp_client, postgres_settings):
    """Approvals on ten registers, logins and redemptions, while the admin deletes the approver,
    a requester and registers: each transaction takes its rows in the one order (a device, the
    organisation's budget, users, sessions), so none waits on one that waits on it."""
    api = await make_client(aiohttp_client, postgres_settings)
    register = await register_with_staff(api)
    org = register.org
    tokens = [register.device_token] + [await _approved(api, org, n) for n in range(9)]
    sessions = [(await pin_login(api, STAFF_PIN, token))["token"] for token in tokens]
    redeemable = [(await api.data(APPROVE, {"input": {"pin": MANAGER_PIN, "action": "VOID"}}, token=session,
                                  device_token=token))["overrideApprove"]["overrideToken"]
                  for token, session in zip(tokens, sessions)]
    mia, sam = await User.get(username="mia"), await User.get(username="sam")
    device_ids = [(await Device.get(token_hash=hash_token(token))).id for token in tokens]
    work = [_soon(api.post(APPROVE, {"input": {"pin": MANAGER_PIN, "action": "REFUND"}}, token=session,
                           device_token=token)) for token, session in zip(tokens, sessions) for _ in range(3)]
    work += [_soon(api.post(REDEEM, {"token": token}, token=sessions[n])) for n, token in enumerate(redeemable)]
    work += [_soon(api.post(LOGIN_PIN, {"pin": MANAGER_PIN}, device_token=token)) for token in tokens]
    work += [_soon(api.post(USER_DELETE, {"id": ids.encode("User", user.id)}, token=org.token)) for user in (mia, sam)]
    work += [_soon(api.post(DEVICE_DELETE, {"id": ids.encode("Device", pk)}, token=org.token)) for pk in device_ids[7:]]
    work += [_soon(api.post(ORG_UPDATE, {"m": 20 + n}, token=org.token)) for n in range(3)]
    results = await asyncio.gather(*work)
    assert [body for body in results if "errors" in body and
            body["errors"][0]["extensions"]["code"] != "UNAUTHENTICATED"] == []
    # Nothing was approved by mia after her deletion committed, nor for sam after his.
    for user, field in ((mia, "approved_by_id"), (sam, "requested_by_id")):
        deleted_at = (await User.get(id=user.id)).deleted_at
        assert await Override.filter(**{field: user.id}, created_at__gt=deleted_at).count() == 0


async def _approved(api, org, n: int) -> str:
    from tests.support import approved_register
    return await approved_register(api, org, name=f"Till {n + 2}")


async def test_a_requester_deleted_while_their_approval_is_checked_gets_no_override(aiohttp_client, postgres_settings,
                                                                                    monkeypatch):
    """The approval is held once it has found the manager's PIN, until the requester's deletion has
    committed: it must then find its requester gone and approve nothing (without the second look
    at the requester, an override would outlive the user who asked for it)."""
    from gateway.services import devices

    api = await make_client(aiohttp_client, postgres_settings)
    register = await register_with_staff(api)
    sam = await User.get(username="sam")
    pin_found, deleted = asyncio.Event(), asyncio.Event()
    pin_succeeded = devices.pin_succeeded

    async def held(*args):
        pin_found.set()
        await asyncio.wait_for(deleted.wait(), 10)
        return await pin_succeeded(*args)

    async def delete():
        await asyncio.wait_for(pin_found.wait(), 10)
        result = await api.data(USER_DELETE, {"id": ids.encode("User", sam.id)}, token=register.org.token)
        deleted.set()
        return result

    monkeypatch.setattr(devices, "pin_succeeded", held)
    approval, deletion = await asyncio.gather(
        api.post(APPROVE, {"input": {"pin": MANAGER_PIN, "action": "VOID"}}, token=register.session,
                 device_token=register.device_token),
        delete())
    assert deletion["userDelete"]["userErrors"] == []
    assert approval["data"] is None and approval["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await Override.all().count() == 0


async def test_redeeming_while_the_admin_deletes_the_redeemer_waits_rather_than_deadlocks(
        aiohttp_client, postgres_settings, monkeypatch):
    """The interleaving forced: the admin's userDelete holds sam's row and is about to take sam's
    sessions when sam redeems an override sam asked for. The redemption takes sam's row before
    the session's, so it waits for the delete, then finds sam gone (taken the other way round,
    each waited on the other and PostgreSQL killed one: INTERNAL_SERVER_ERROR)."""
    from gateway.services import sessions

    api = await make_client(aiohttp_client, postgres_settings)
    register = await register_with_staff(api)
    token = (await register.approve(api, MANAGER_PIN))["overrideToken"]
    sam = await User.get(username="sam")
    delete_holds_user, redeem_sent, end_for_user = asyncio.Event(), asyncio.Event(), sessions.end_for_user

    async def held(*args, **kwargs):
        delete_holds_user.set()
        await asyncio.wait_for(redeem_sent.wait(), 10)
        await asyncio.sleep(0.2)  # time enough for the redemption to reach whatever it waits on
        return await end_for_user(*args, **kwargs)

    async def redeem():
        await asyncio.wait_for(delete_holds_user.wait(), 10)
        redeem_sent.set()
        return await api.post(REDEEM, {"token": token}, token=register.session)

    monkeypatch.setattr(sessions, "end_for_user", held)
    deleted, redeemed = await asyncio.gather(
        api.post("mutation($id: ID!) { userDelete(input: {id: $id}) { userErrors { code } } }",
                 {"id": ids.encode("User", sam.id)}, token=register.org.token), redeem())
    assert "errors" not in deleted and deleted["data"]["userDelete"]["userErrors"] == []
    assert [e["extensions"]["code"] for e in redeemed.get("errors", [])] == ["UNAUTHENTICATED"], redeemed
    assert (await Override.get(token_hash=hash_token(token))).redeemed_at is None
