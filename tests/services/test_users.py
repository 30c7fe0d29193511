"""Ending a user's sessions from the back office: logging them out everywhere, and resetting
their PIN."""

from __future__ import annotations

from gateway.graphql import ids
from gateway.models import AuditLog, Role, Session, User
from gateway.services.tokens import hash_token
from tests.support import (
    LOGIN_IN_FLIGHT, add_pin_user, add_user, approved_register, login, make_client, new_org, pin_login, pin_ready,
    sent_while_a_login_holds,
)

LOGOUT = """mutation($id: ID!) { userLogout(input: {id: $id}) {
  user { username sessions(active: true) { nodes { id } } } userErrors { code } } }"""
RESET = """mutation($id: ID!) { userUpdate(input: {id: $id, generatePin: true}) {
  generatedPin userErrors { code } } }"""
VIEWER = "{ viewer { user { id } } }"


async def _user_id(api, token: str) -> str:
    return (await api.data(VIEWER, token=token))["viewer"]["user"]["id"]


async def _end_reason(token: str) -> str | None:
    return (await Session.get(token_hash=hash_token(token))).end_reason


async def test_user_logout_ends_every_session_of_the_user(api):
    org, register = await pin_ready(api)
    await add_pin_user(api, org, "kim", "13579", method="PASSWORD_AND_PIN")
    at_till = (await pin_login(api, "13579", register))["token"]
    at_office = await login(api, "kim")
    sam = (await pin_login(api, "24680", await approved_register(api, org, "Till 2")))["token"]
    kim_id = await _user_id(api, at_office)
    out = (await api.data(LOGOUT, {"id": kim_id}, token=org.token))["userLogout"]
    assert out == {"user": {"username": "kim", "sessions": {"nodes": []}}, "userErrors": []}
    for token in (at_till, at_office):
        assert (await api.data(VIEWER, token=token))["viewer"] is None
        assert await _end_reason(token) == "ENDED_BY_ADMIN"
    assert (await api.data(VIEWER, token=sam))["viewer"] and (await api.data(VIEWER, token=org.token))["viewer"]
    event = await AuditLog.get(type="user.logged_out")
    assert event.data["sessions_ended"] == 2 and event.actor_id == org.admin.id
    # Not a lock-out: kim logs in again.
    assert (await pin_login(api, "13579", register))["user"] == {"username": "kim"}


async def test_a_manager_cannot_log_an_admin_out(api):
    org, register = await pin_ready(api)
    await add_user(org, "mia", Role.MANAGER)
    manager = await login(api, "mia")
    refused = await api.post(LOGOUT, {"id": await _user_id(api, org.token)}, token=manager)
    assert refused["data"] is None and refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await api.data(VIEWER, token=org.token))["viewer"]
    assert not await AuditLog.filter(type="user.logged_out").exists()
    sam = (await pin_login(api, "24680", register))["token"]
    done = await api.data(LOGOUT, {"id": await _user_id(api, sam)}, token=manager)
    assert done["userLogout"]["userErrors"] == [] and await _end_reason(sam) == "ENDED_BY_ADMIN"


async def test_staff_log_nobody_out_and_other_organisations_are_unknown(api):
    org, register = await pin_ready(api)
    sam = (await pin_login(api, "24680", register))["token"]
    for target in (await _user_id(api, sam), await _user_id(api, org.token)):  # themselves included
        refused = await api.post(LOGOUT, {"id": target}, token=sam, device_token=register)
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await api.data(VIEWER, token=sam))["viewer"]
    other = await new_org(api, "Other", "other")
    foreign = await api.data(LOGOUT, {"id": await _user_id(api, sam)}, token=other.token)
    assert foreign["userLogout"] == {"user": None, "userErrors": [{"code": "NOT_FOUND"}]}


async def test_an_admin_pin_reset_ends_the_users_pin_sessions(api):
    """userUpdate(generatePin: true) is the reset: the old PIN and every session it opened die."""
    org, register = await pin_ready(api)
    till_2 = await approved_register(api, org, "Till 2")
    sessions = [(await pin_login(api, "24680", device))["token"] for device in (register, till_2)]
    reset = (await api.data(RESET, {"id": await _user_id(api, sessions[0])}, token=org.token))["userUpdate"]
    assert reset["userErrors"] == []
    for token in sessions:
        assert (await api.data(VIEWER, token=token))["viewer"] is None
        assert await _end_reason(token) == "CREDENTIALS_CHANGED"
    assert [e["code"] for e in (await pin_login(api, "24680", register))["userErrors"]] == ["INVALID_CREDENTIALS"]
    assert (await pin_login(api, reset["generatedPin"], register))["user"] == {"username": "sam"}


async def test_a_user_logout_waits_for_a_login_holding_the_user(aiohttp_client, postgres_settings):
    """A login locks the user's row before it opens its session: a logout sent meanwhile waits
    for it, then ends that session too, rather than leaving it live."""
    api = await make_client(aiohttp_client, postgres_settings)
    org = await new_org(api)
    sam = await add_user(org, "sam", Role.STAFF)
    logout = await sent_while_a_login_holds(
        postgres_settings, "SELECT 1 FROM app_user WHERE id = $1 FOR NO KEY UPDATE", sam.id,
        api.data(LOGOUT, {"id": ids.encode("User", sam.id)}, token=org.token), LOGIN_IN_FLIGHT, org.id, sam.id)
    assert logout["userLogout"]["userErrors"] == []
    assert (await Session.get(token_hash="login-in-flight")).end_reason == "ENDED_BY_ADMIN"
    assert (await User.get(id=sam.id)).deleted_at is None
