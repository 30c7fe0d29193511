"""sessionLock, what a locked token may still do, the lock screen's query, and the organisation's
sessionLockMinutes, end to end."""

from __future__ import annotations

from gateway.graphql import ids
from gateway.models import AuditLog, Device, Override, Session
from gateway.services.tokens import hash_token
from tests.support import (
    ORG_UPDATE, CountPinChecks, add_pin_user, login, new_org, pin_login, pin_ready,
)

LOCK = """mutation($id: ID) { sessionLock(input: {id: $id}) {
  session { id locked lockedAt active user { username } } userErrors { field code } } }"""
LOCK_SCREEN = "{ thisDevice { known pinLoginAvailable lockedSession { lockedAt user { displayName } } } }"


def _codes(body: dict) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


async def _pin_session(api, pin: str, device: str) -> tuple[str, str]:
    """A PIN session's token and global id."""
    result = await pin_login(api, pin, device)
    assert result["userErrors"] == [], result
    session = await Session.get(token_hash=hash_token(result["token"]))
    return result["token"], ids.encode("Session", session.id)


async def _lock(api, token: str, session_id: str | None = None, device: str | None = None) -> dict:
    return (await api.data(LOCK, {"id": session_id}, token=token, device_token=device))["sessionLock"]


async def test_a_locked_token_is_refused_all_but_the_lock_screen_logout_and_a_pin(api):
    org, register = await pin_ready(api)
    token, session_id = await _pin_session(api, "24680", register)
    locked = await _lock(api, token, device=register)
    assert locked["userErrors"] == [] and locked["session"]["locked"] and locked["session"]["lockedAt"]

    def refused(body, *path):
        assert _codes(body) == ["SESSION_LOCKED"], body
        assert body["errors"][0]["path"] == list(path)

    send = dict(token=token, device_token=register)
    # Reads: the viewer, nested; node; the organisation. Nothing comes back.
    refused(await api.post("{ viewer { user { sessions { nodes { id ipAddress } } } session { id } } }", **send),
            "viewer")
    refused(await api.post(f'{{ node(id: "{session_id}") {{ id ... on Session {{ locked }} }} }}', **send), "node")
    refused(await api.post("{ organisation { sessionLockMinutes } }", **send), "organisation")
    # Mutations: even locking it again, or a password login sent with it.
    refused(await api.post(LOCK, {"id": None}, **send), "sessionLock")
    refused(await api.post('mutation { loginWithPassword(input: {username: "admin", password: "x"}) { token } }',
                           **send), "loginWithPassword")
    assert await AuditLog.filter(type="login.failed").count() == 0  # refused before it ran
    # The lock screen's own query and what needs no login still answer.
    screen = await api.data(LOCK_SCREEN, **send)
    assert screen["thisDevice"]["lockedSession"]["user"] == {"displayName": "sam"}
    assert (await api.data("{ deviceTypes { key } }", **send))["deviceTypes"]
    # loginWithPin unlocks; the new token works and the old one is dead.
    unlocked = await pin_login(api, "24680", register)
    assert unlocked["userErrors"] == []
    assert (await api.data("{ viewer { session { id locked } } }", token=unlocked["token"]))["viewer"]["session"] == {
        "id": session_id, "locked": False}


async def test_a_locked_register_can_log_out_and_reads_nothing_in_the_answer(api):
    org, register = await pin_ready(api)
    token, session_id = await _pin_session(api, "24680", register)
    await _lock(api, token, device=register)
    body = await api.post("mutation { logout { session { endReason user { username } } userErrors { code } } }",
                          token=token, device_token=register)
    # Whoever stands at a locked register is nobody yet: the session it ended is not shown to them.
    assert body["data"] == {"logout": {"session": None, "userErrors": []}}
    assert _codes(body) == ["SESSION_LOCKED"] and body["errors"][0]["path"] == ["logout", "session"]
    assert (await Session.get(id=ids.decode(session_id, "Session"))).end_reason == "LOGOUT"
    assert (await api.data(LOCK_SCREEN, device_token=register))["thisDevice"]["lockedSession"] is None


async def test_a_document_that_locks_its_own_session_does_the_rest_locked(api):
    org, register = await pin_ready(api)
    token, session_id = await _pin_session(api, "24680", register)
    body = await api.post("""mutation { first: sessionLock(input: {}) { session { locked user { username } } }
                                        again: sessionLock(input: {}) { session { locked } } }""",
                          token=token, device_token=register)
    # The first locked it (its payload read as the session that asked); the second was refused
    # (its payload is non-null, so the refusal empties the whole answer, as GraphQL does).
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [(["again"], "SESSION_LOCKED")]
    assert (await Session.get(id=ids.decode(session_id, "Session"))).locked_at is not None
    assert await AuditLog.filter(type="session.locked").count() == 1


async def test_who_may_lock_which_session(api):
    org, register = await pin_ready(api)
    await add_pin_user(api, org, "ana", "13579")
    await add_pin_user(api, org, "max", "97531", method="PASSWORD_AND_PIN", role="MANAGER")
    sam_token, sam_session = await _pin_session(api, "24680", register)
    ana_token, ana_session = await _pin_session(api, "13579", register)
    other = await new_org(api, "Elsewhere", "elsewhere")
    foreign = ids.encode("Session", (await Session.get(user_id=other.admin.id)).id)

    # STAFF: a colleague's session is not found, exactly as an unknown or foreign one.
    for refused in (ana_session, foreign, ids.encode("Session", 10**9), "not-an-id"):
        assert (await _lock(api, sam_token, refused)) == {
            "session": None, "userErrors": [{"field": ["input", "id"], "code": "NOT_FOUND"}]}
    assert await Session.filter(locked_at__not_isnull=True).count() == 0
    # STAFF by their own session's id, as well as by none.
    assert (await _lock(api, sam_token, sam_session))["session"]["locked"]

    # A MANAGER, from the back office: any session of the organisation; another's stays unknown.
    manager = await login(api, "max")
    assert (await _lock(api, manager, ana_session))["session"] == {
        "id": ana_session, "locked": True, "lockedAt": (await _locked_at(ana_session)), "active": True,
        "user": {"username": "ana"}}
    assert (await _lock(api, manager, foreign))["userErrors"] == [{"field": ["input", "id"], "code": "NOT_FOUND"}]
    event = await AuditLog.filter(type="session.locked").order_by("-id").first()
    assert event.data == {"session_id": ids.decode(ana_session, "Session"), "user_id": event.data["user_id"],
                          "reason": "ASKED"}
    assert event.actor_id != event.data["user_id"]  # who locked it, and whose it was

    # A password session cannot lock: no PIN could unlock it.
    admin_session = ids.encode("Session", (await Session.get(token_hash=hash_token(org.token))).id)
    assert (await _lock(api, org.token))["userErrors"] == [{"field": None, "code": "METHOD_NOT_ALLOWED"}]
    assert (await _lock(api, manager, admin_session))["userErrors"] == [
        {"field": ["input", "id"], "code": "METHOD_NOT_ALLOWED"}]


async def _locked_at(session_id: str) -> str:
    return (await Session.get(id=ids.decode(session_id, "Session"))).locked_at.isoformat()


async def test_locking_a_locked_session_changes_nothing_and_an_ended_one_is_refused(api):
    org, register = await pin_ready(api)
    token, session_id = await _pin_session(api, "24680", register)
    first = await _lock(api, org.token, session_id)
    again = await _lock(api, org.token, session_id)
    assert again == first and again["userErrors"] == []  # the time it first locked, kept
    assert await AuditLog.filter(type="session.locked").count() == 1
    await api.data("mutation($id: ID!) { sessionEnd(input: {id: $id}) { userErrors { code } } }",
                   {"id": session_id}, token=org.token)
    ended = await _lock(api, org.token, session_id)
    assert ended == {"session": None, "userErrors": [{"field": ["input", "id"], "code": "INVALID"}]}
    assert (await Session.get(id=ids.decode(session_id, "Session"))).end_reason == "ENDED_BY_ADMIN"


async def test_the_lock_screen_shows_whose_session_and_since_when_to_the_register_only(api):
    org, register = await pin_ready(api)
    token, _ = await _pin_session(api, "24680", register)
    assert (await api.data(LOCK_SCREEN, device_token=register))["thisDevice"]["lockedSession"] is None
    locked_at = (await _lock(api, token, device=register))["session"]["lockedAt"]
    screen = (await api.data(LOCK_SCREEN, device_token=register))["thisDevice"]
    assert screen == {"known": True, "pinLoginAvailable": True,
                      "lockedSession": {"lockedAt": locked_at, "user": {"displayName": "sam"}}}
    # Nothing of the user but the name: the type has no other field to ask for.
    body = await api.post("{ thisDevice { lockedSession { user { username } } } }", device_token=register)
    assert body["data"] is None and "username" in body["errors"][0]["message"]
    # No device token, or another organisation's session beside it: no lock screen.
    assert (await api.data(LOCK_SCREEN))["thisDevice"]["lockedSession"] is None
    other = await new_org(api, "Elsewhere", "elsewhere")
    assert (await api.data(LOCK_SCREEN, token=other.token, device_token=register))["thisDevice"] == {
        "known": False, "pinLoginAvailable": False, "lockedSession": None}


async def test_session_lock_minutes_is_a_setting_everyone_reads_and_admins_change(api):
    org, register = await pin_ready(api)
    staff, _ = await _pin_session(api, "24680", register)

    async def update(values: dict, token: str = org.token) -> dict:
        return (await api.data(ORG_UPDATE.replace("sessionMaxHours }", "sessionMaxHours sessionLockMinutes }"),
                               {"input": values}, token=token))["organisationUpdate"]

    assert (await api.data("{ organisation { sessionLockMinutes } }", token=staff))["organisation"] == {
        "sessionLockMinutes": 0}  # off by default
    assert (await update({"sessionLockMinutes": 5}))["organisation"]["sessionLockMinutes"] == 5
    assert (await api.data("{ organisation { sessionLockMinutes } }", token=staff))["organisation"] == {
        "sessionLockMinutes": 5}
    # Out of bounds, or no sooner than sessions end idle (15 minutes here): refused, nothing changed.
    for values, field in (({"sessionLockMinutes": -1}, "sessionLockMinutes"),
                          ({"sessionLockMinutes": 1441}, "sessionLockMinutes"),
                          ({"sessionLockMinutes": 15}, "sessionLockMinutes"),
                          ({"sessionIdleMinutes": 5}, "sessionIdleMinutes"),
                          ({"sessionIdleMinutes": 30, "sessionLockMinutes": 30}, "sessionLockMinutes")):
        refused = await update(values)
        assert refused["organisation"] is None, values
        assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [(["input", field], "INVALID")], values
    both = await update({"sessionIdleMinutes": 30, "sessionLockMinutes": 20})
    assert both["userErrors"] == [] and both["organisation"]["sessionIdleMinutes"] == 30
    assert (await update({"sessionLockMinutes": 0, "sessionIdleMinutes": 1}))["userErrors"] == []  # 0 is off
    # STAFF may read it, not change it.
    body = await api.post(ORG_UPDATE, {"input": {"sessionLockMinutes": 1}}, token=staff)
    assert _codes(body) == ["FORBIDDEN"]



async def test_a_locked_token_can_neither_approve_redeem_nor_change_a_pin_and_counts_nothing(api, monkeypatch):
    org, register = await pin_ready(api)
    await add_pin_user(api, org, "mia", "97531", role="MANAGER")
    token, _ = await _pin_session(api, "24680", register)
    await _lock(api, token, device=register)
    lookups = CountPinChecks(monkeypatch)
    send = dict(token=token, device_token=register)
    for document, variables in (
            ('mutation { overrideApprove(input: {pin: "97531", action: REFUND}) { overrideToken } }', None),
            ('mutation { overrideRedeem(input: {token: "x"}) { override { id } } }', None),
            ('mutation { viewerPinChange(input: {currentPin: "24680"}) { generatedPin } }', None),
            ("mutation($id: ID!) { sessionEnd(input: {id: $id}) { session { id } } }",
             {"id": ids.encode("Session", 1)})):
        assert _codes(await api.post(document, variables, **send)) == ["SESSION_LOCKED"], document
    assert lookups.calls == 0
    assert (await Device.get(token_hash=hash_token(register))).pin_failures == 0
    assert not await Override.exists()
    assert (await pin_login(api, "24680", register))["userErrors"] == []  # sam's PIN is unchanged


async def test_logging_out_the_device_or_the_user_ends_a_locked_session_for_good(api):
    org, register = await pin_ready(api)
    for logout in ("deviceLogout", "userLogout"):
        token, session_id = await _pin_session(api, "24680", register)
        await _lock(api, token, device=register)
        session = await Session.get(id=ids.decode(session_id, "Session"))
        target = ids.encode("Device", session.device_id) if logout == "deviceLogout" else ids.encode(
            "User", session.user_id)
        ended = await api.data(f"mutation($id: ID!) {{ {logout}(input: {{id: $id}}) {{ userErrors {{ code }} }} }}",
                               {"id": target}, token=org.token)
        assert ended[logout]["userErrors"] == []
        await session.refresh_from_db()
        assert session.end_reason == ("DEVICE_LOGGED_OUT" if logout == "deviceLogout" else "ENDED_BY_ADMIN")
        assert (await api.data(LOCK_SCREEN, device_token=register))["thisDevice"]["lockedSession"] is None
        # The old token is dead, and the same PIN opens a new session rather than resuming that one.
        assert _codes(await api.post("{ viewer { user { id } } }", token=token)) == []
        assert (await api.data("{ viewer { user { id } } }", token=token))["viewer"] is None
        again = await _pin_session(api, "24680", register)
        assert again[1] != session_id
        await api.data("mutation { logout { userErrors { code } } }", token=again[0])


async def test_a_manager_of_another_organisation_cannot_touch_a_locked_register(api):
    org, register = await pin_ready(api)
    token, session_id = await _pin_session(api, "24680", register)
    await _lock(api, token, device=register)
    session = await Session.get(id=ids.decode(session_id, "Session"))
    other = await new_org(api, "Elsewhere", "elsewhere")
    for mutation, gid in (("deviceLogout", ids.encode("Device", session.device_id)),
                          ("userLogout", ids.encode("User", session.user_id)),
                          ("sessionEnd", session_id), ("sessionLock", session_id)):
        body = await api.data(f"mutation($id: ID!) {{ {mutation}(input: {{id: $id}}) {{ userErrors {{ code }} }} }}",
                              {"id": gid}, token=other.token)
        assert body[mutation]["userErrors"] == [{"code": "NOT_FOUND"}], mutation
    # Nor read it with the register's token beside their own session.
    body = await api.post(f'{{ node(id: "{session_id}") {{ id }} thisDevice {{ lockedSession {{ lockedAt }} }} }}',
                          token=other.token, device_token=register)
    assert body["data"] == {"node": None, "thisDevice": {"lockedSession": None}}
    await session.refresh_from_db()
    assert session.ended_at is None and session.locked_at is not None


async def test_a_revoked_register_keeps_no_locked_session_and_locks_none(api):
    org, register = await pin_ready(api)
    token, session_id = await _pin_session(api, "24680", register)
    await _lock(api, token, device=register)
    session = await Session.get(id=ids.decode(session_id, "Session"))
    revoked = await api.data("mutation($id: ID!) { deviceRevoke(input: {id: $id}) { userErrors { code } } }",
                             {"id": ids.encode("Device", session.device_id)}, token=org.token)
    assert revoked["deviceRevoke"]["userErrors"] == []
    await session.refresh_from_db()
    assert session.end_reason == "DEVICE_REVOKED"
    assert (await _lock(api, org.token, session_id))["userErrors"] == [{"field": ["input", "id"], "code": "INVALID"}]
    assert (await api.data(LOCK_SCREEN, device_token=register))["thisDevice"]["lockedSession"] is None
    assert [e["code"] for e in (await pin_login(api, "24680", register))["userErrors"]] == ["DEVICE_NOT_APPROVED"]
