"""Manager overrides end to end: the approval on a register, its single-use token, every refusal,
who may read an override, and the actions plugins add."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from gateway import OverrideActionSpec, hookimpl
from gateway.graphql import ids
from gateway.models import AuditLog, Device, Override, Session, ThrottleEvent
from gateway.services import auth, overrides
from gateway.services.clock import utcnow
from gateway.services.tokens import hash_token
from gateway.testing import plugin_manager
from tests.support import (
    ORG_UPDATE, Api, CountPinChecks, add_pin_user, approved_register, enable_pins, make_client, new_org, password_login, pin_login,
)

APPROVE = """mutation($input: OverrideApproveInput!) {
  overrideApprove(input: $input) {
    overrideToken
    override { id action reason createdAt expiresAt redeemedAt requestedBy { username } device { name } }
    userErrors { field code message retryAfterSeconds }
  }
}"""
REDEEM = """mutation($token: String) {
  overrideRedeem(input: {token: $token}) {
    override { id action redeemedAt requestedBy { username } }
    userErrors { field code message }
  }
}"""
STAFF_PIN, OTHER_STAFF_PIN, MANAGER_PIN, ADMIN_PIN = "24680", "13579", "97531", "86420"


@dataclasses.dataclass
class Register:
    """An organisation with PIN login on, a register, and sam (STAFF) logged in on it by PIN."""

    org: object
    device_token: str
    session: str  # sam's

    async def approve(self, api: Api, pin: str, action: str | None = "REFUND", reason: str | None = None,
                      session: str | None = None) -> dict:
        body = await api.post(APPROVE, {"input": {"pin": pin, "action": action, "reason": reason}},
                              token=session or self.session, device_token=self.device_token)
        assert "errors" not in body, body
        return body["data"]["overrideApprove"]

    async def redeem(self, api: Api, token: str | None, session: str | None = None) -> dict:
        return (await api.data(REDEEM, {"token": token}, token=session or self.session,
                               device_token=self.device_token))["overrideRedeem"]


async def register_with_staff(api: Api) -> Register:
    """sam (STAFF, 24680) logged in on an approved register; kim (STAFF, 13579), mia (MANAGER,
    97531) and ada (ADMIN, 86420) have PINs too."""
    org = await new_org(api)
    await enable_pins(api, org)
    await add_pin_user(api, org, "sam", STAFF_PIN)
    await add_pin_user(api, org, "kim", OTHER_STAFF_PIN)
    await add_pin_user(api, org, "mia", MANAGER_PIN, role="MANAGER")
    await add_pin_user(api, org, "ada", ADMIN_PIN, method="PASSWORD_AND_PIN", role="ADMIN")
    device_token = await approved_register(api, org)
    login = await pin_login(api, STAFF_PIN, device_token)
    assert login["userErrors"] == []
    return Register(org, device_token, login["token"])


def codes(payload: dict) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


class Clock:
    """Stands in for the clock of the PIN check and of the override service, so a test can let time pass."""

    def __init__(self, monkeypatch) -> None:
        self.now = utcnow()
        monkeypatch.setattr(auth, "utcnow", lambda: self.now)
        monkeypatch.setattr(overrides, "utcnow", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


async def _pin_failures(device_token: str) -> int:
    return (await Device.get(token_hash=hash_token(device_token))).pin_failures


async def test_a_managers_pin_approves_and_the_register_redeems_the_token_once(api):
    register = await register_with_staff(api)
    approved = await register.approve(api, MANAGER_PIN, "REFUND", "Wrong size")
    assert approved["userErrors"] == []
    override = approved["override"]
    assert override["action"] == "REFUND" and override["reason"] == "Wrong size" and override["redeemedAt"] is None
    assert override["requestedBy"] == {"username": "sam"} and override["device"] == {"name": "Till 1"}
    lifetime = _instant(override["expiresAt"]) - _instant(override["createdAt"])
    assert lifetime == timedelta(seconds=60)
    token = approved["overrideToken"]
    assert len(token) >= 43  # 256 bits, base64url
    row = await Override.get(id=ids.decode(override["id"], "Override"))
    assert row.token_hash == hash_token(token) and token not in str(vars(row))

    redeemed = await register.redeem(api, token)
    assert redeemed["userErrors"] == [] and redeemed["override"]["id"] == override["id"]
    assert redeemed["override"]["redeemedAt"] is not None and redeemed["override"]["action"] == "REFUND"
    again = await register.redeem(api, token)
    assert again == {"override": None, "userErrors": [
        {"field": ["input", "token"], "code": "ALREADY_USED", "message": "This override was redeemed already."}]}

    events = {event.type: event for event in await AuditLog.filter(type__startswith="override.")}
    sam, mia = (await _user_id(api, register, "sam")), (await _user_id(api, register, "mia"))
    assert set(events) == {"override.approved", "override.redeemed"}
    for event in events.values():
        assert event.actor_id == sam and event.data["requester_id"] == sam and event.data["approver_id"] == mia
        assert event.data["override_id"] == row.id and event.data["action"] == "REFUND"
    assert events["override.approved"].device_id == row.device_id


async def _user_id(api, register, username: str) -> int:
    from gateway.models import User
    return (await User.get(username=username)).id


def _instant(text: str):
    from datetime import datetime
    return datetime.fromisoformat(text)


async def test_an_admin_sees_who_approved_and_who_redeemed(api):
    register = await register_with_staff(api)
    approved = await register.approve(api, ADMIN_PIN, "NO_SALE")
    await register.redeem(api, approved["overrideToken"], session=register.org.token)  # any session of the organisation
    data = await api.data("""query($id: ID!) { node(id: $id) { ... on Override {
        action approvedBy { username } redeemedBy { username } requestedBy { username } } } }""",
                          {"id": approved["override"]["id"]}, token=register.org.token)
    assert data["node"] == {"action": "NO_SALE", "approvedBy": {"username": "ada"},
                            "redeemedBy": {"username": "admin"}, "requestedBy": {"username": "sam"}}


@pytest.mark.parametrize("whose", ["a colleague on STAFF", "the requester's own", "nobody's"])
async def test_a_pin_that_may_not_approve_is_answered_and_counted_as_a_wrong_pin(api, whose):
    """Any other answer to a STAFF PIN or one's own would tell the typist that it is a valid PIN."""
    register = await register_with_staff(api)
    pin = {"a colleague on STAFF": OTHER_STAFF_PIN, "the requester's own": STAFF_PIN, "nobody's": "55501"}[whose]
    refused = await register.approve(api, pin)
    assert refused == {"overrideToken": None, "override": None, "userErrors": [
        {"field": ["input", "pin"], "code": "INVALID_CREDENTIALS", "message": "Wrong PIN.", "retryAfterSeconds": None}]}
    assert await _pin_failures(register.device_token) == 1
    assert await ThrottleEvent.filter(key=f"pin:organisation:{register.org.id}").count() == 1
    assert await Override.all().count() == 0
    [event] = await AuditLog.filter(type="override.refused")
    named = {"a colleague on STAFF": "kim", "the requester's own": "sam", "nobody's": None}[whose]
    assert event.data["approver_id"] == (await _user_id(api, register, named) if named else None)
    assert event.data["requester_id"] == event.actor_id == await _user_id(api, register, "sam")


async def test_a_manager_cannot_approve_their_own_request(api):
    register = await register_with_staff(api)
    mia = (await pin_login(api, MANAGER_PIN, register.device_token))["token"]
    assert codes(await register.approve(api, MANAGER_PIN, session=mia)) == ["INVALID_CREDENTIALS"]
    assert codes(await register.approve(api, ADMIN_PIN, session=mia)) == []  # someone else's PIN does


async def test_after_five_wrong_override_pins_a_right_login_pin_is_throttled(api):
    """Override PINs are counted on the register as login PINs are: switching actions, or
    between login and override, buys no extra guesses."""
    register = await register_with_staff(api)
    for n, action in enumerate(["REFUND", "VOID", "DISCOUNT", "NO_SALE", "REFUND"]):
        assert codes(await register.approve(api, f"5550{n}", action)) == ["INVALID_CREDENTIALS"]
    login = await pin_login(api, STAFF_PIN, register.device_token)
    assert codes(login) == ["THROTTLED"] and 1 <= login["userErrors"][0]["retryAfterSeconds"] <= 30
    throttled = await register.approve(api, MANAGER_PIN, "VOID")
    assert codes(throttled) == ["THROTTLED"] and throttled["override"] is None
    assert [e.data["key"] for e in await AuditLog.filter(type="throttle.locked")] == ["pin:device"]


async def test_wrong_login_pins_and_override_pins_share_one_count(api, monkeypatch):
    register = await register_with_staff(api)
    for n in range(4):
        assert codes(await pin_login(api, f"5550{n}", register.device_token)) == ["INVALID_CREDENTIALS"]
    assert codes(await register.approve(api, OTHER_STAFF_PIN)) == ["INVALID_CREDENTIALS"]  # the fifth
    lookups = CountPinChecks(monkeypatch)
    assert codes(await register.approve(api, MANAGER_PIN)) == ["THROTTLED"]
    assert lookups.calls == 0  # refused before the PIN is looked at


async def test_a_right_approval_clears_the_registers_count(api):
    register = await register_with_staff(api)
    for n in range(4):
        await register.approve(api, f"5550{n}")
    assert await _pin_failures(register.device_token) == 4
    assert codes(await register.approve(api, MANAGER_PIN)) == []
    assert await _pin_failures(register.device_token) == 0


async def test_an_override_token_lives_sixty_seconds(api, monkeypatch):
    register = await register_with_staff(api)
    clock = Clock(monkeypatch)
    first = (await register.approve(api, MANAGER_PIN))["overrideToken"]
    second = (await register.approve(api, MANAGER_PIN))["overrideToken"]
    clock.advance(59)
    assert codes(await register.redeem(api, first)) == []
    clock.advance(1)
    assert codes(await register.redeem(api, second)) == ["EXPIRED"]
    assert (await Override.get(token_hash=hash_token(second))).redeemed_at is None


async def test_unknown_missing_and_other_organisations_tokens(api):
    register = await register_with_staff(api)
    assert codes(await register.redeem(api, "not-a-token")) == ["NOT_FOUND"]
    assert codes(await register.redeem(api, None)) == ["REQUIRED"]
    assert codes(await register.redeem(api, "")) == ["REQUIRED"]
    token = (await register.approve(api, MANAGER_PIN))["overrideToken"]
    other = await new_org(api, "Other bistro", "other-admin")
    foreign = await api.data(REDEEM, {"token": token}, token=other.token)
    assert codes(foreign["overrideRedeem"]) == ["NOT_FOUND"]
    assert codes(await register.redeem(api, token)) == []  # still there for its own organisation


async def test_an_override_is_asked_for_by_a_session_on_that_register(api):
    register = await register_with_staff(api)
    anonymous = await api.post(APPROVE, {"input": {"pin": MANAGER_PIN, "action": "VOID"}},
                               device_token=register.device_token)
    assert anonymous["data"] is None and anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    elsewhere = await password_login(api, "admin")  # logged in on another device, sending this register's token
    assert codes(await register.approve(api, MANAGER_PIN, session=elsewhere["token"])) == ["DEVICE_NOT_APPROVED"]
    body = await api.post(APPROVE, {"input": {"pin": MANAGER_PIN, "action": "VOID"}}, token=register.session)
    assert codes(body["data"]["overrideApprove"]) == ["DEVICE_NOT_APPROVED"]  # no device token at all
    assert await _pin_failures(register.device_token) == 0 and await Override.all().count() == 0


async def test_an_unapproved_register_takes_no_override_pin(api):
    register = await register_with_staff(api)
    pending = await password_login(api, "admin")  # a device of its own, never approved
    refused = await api.post(APPROVE, {"input": {"pin": MANAGER_PIN, "action": "VOID"}}, token=pending["token"],
                             device_token=pending["deviceToken"])
    assert codes(refused["data"]["overrideApprove"]) == ["DEVICE_NOT_APPROVED"]
    admin_there = (await password_login(api, "admin", device_token=register.device_token))["token"]
    await api.data(ORG_UPDATE, {"input": {"pinLoginEnabled": False}}, token=register.org.token)
    assert codes(await register.approve(api, MANAGER_PIN, session=admin_there)) == ["PIN_LOGIN_DISABLED"]
    await Device.filter(token_hash=hash_token(register.device_token)).update(state="REVOKED")
    assert codes(await register.approve(api, MANAGER_PIN, session=admin_there)) == ["DEVICE_NOT_APPROVED"]
    assert await _pin_failures(register.device_token) == 0


async def test_bad_input_is_refused_before_any_pin_is_looked_at(api, monkeypatch):
    register = await register_with_staff(api)
    lookups = CountPinChecks(monkeypatch)
    assert codes(await register.approve(api, MANAGER_PIN, action=None)) == ["REQUIRED"]
    too_long = await register.approve(api, MANAGER_PIN, reason="x" * 501)
    assert too_long["userErrors"][0]["field"] == ["input", "reason"] and codes(too_long) == ["INVALID"]
    nul = await register.approve(api, MANAGER_PIN, reason="a\x00b")
    assert nul["userErrors"][0]["field"] == ["input", "reason"] and codes(nul) == ["INVALID"]
    assert lookups.calls == 0 and await _pin_failures(register.device_token) == 0
    assert codes(await register.approve(api, MANAGER_PIN, reason="x" * 500)) == []


async def test_staff_read_the_overrides_they_asked_for_or_redeemed_and_no_others(api):
    register = await register_with_staff(api)
    approved = await register.approve(api, MANAGER_PIN)
    override_id = approved["override"]["id"]
    query = "query($id: ID!) { node(id: $id) { ... on Override { action requestedBy { username } } } }"
    mine = await api.data(query, {"id": override_id}, token=register.session, device_token=register.device_token)
    assert mine["node"] == {"action": "REFUND", "requestedBy": {"username": "sam"}}
    # Who approved it is another user: not theirs to read.
    body = await api.post("query($id: ID!) { node(id: $id) { ... on Override { approvedBy { username } } } }",
                          {"id": override_id}, token=register.session, device_token=register.device_token)
    assert body["data"]["node"] == {"approvedBy": None}
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    kim = await api.data("""mutation($pin: String!) { loginWithPin(input: {pin: $pin}) { token } }""",
                         {"pin": OTHER_STAFF_PIN}, device_token=register.device_token)
    kim_token = kim["loginWithPin"]["token"]
    theirs = await api.post(query, {"id": override_id}, token=kim_token, device_token=register.device_token)
    assert theirs["data"]["node"] is None and theirs["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # Redeeming it makes it kim's to read: the register must know what it may go ahead with.
    redeemed = await api.data("""mutation($t: String) { overrideRedeem(input: {token: $t}) {
        override { action redeemedAt } userErrors { code } } }""", {"t": approved["overrideToken"]},
                              token=kim_token, device_token=register.device_token)
    assert redeemed["overrideRedeem"]["userErrors"] == [] and redeemed["overrideRedeem"]["override"]["action"] == "REFUND"
    after = await api.data(query.replace("requestedBy { username }", "redeemedAt"), {"id": override_id},
                           token=kim_token, device_token=register.device_token)
    assert after["node"]["action"] == "REFUND"


async def test_staff_read_the_override_actions_and_anonymous_clients_do_not(api):
    register = await register_with_staff(api)
    data = await api.data("{ overrideActions { key label approverRoles } }", token=register.session)
    assert data["overrideActions"] == [
        {"key": "REFUND", "label": "Refund", "approverRoles": ["ADMIN", "MANAGER"]},
        {"key": "VOID", "label": "Void a sale or a line", "approverRoles": ["ADMIN", "MANAGER"]},
        {"key": "DISCOUNT", "label": "Discount", "approverRoles": ["ADMIN", "MANAGER"]},
        {"key": "NO_SALE", "label": "Open the drawer without a sale", "approverRoles": ["ADMIN", "MANAGER"]},
    ]
    body = await api.post("{ overrideActions { key } }", device_token=register.device_token)
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


class OwnerOnly:
    """A plugin's action that only an ADMIN approves."""

    @hookimpl
    def register_override_actions(self):
        return [OverrideActionSpec("PRICE_CHANGE", "Change a price", approver_roles=("ADMIN",))]


async def test_a_plugins_action_is_in_the_enum_and_approved_only_by_its_roles(aiohttp_client, settings):
    api = await make_client(aiohttp_client, settings, plugin_manager(OwnerOnly()))
    register = await register_with_staff(api)
    enum = await api.data('{ __type(name: "OverrideAction") { enumValues { name } } }')
    assert [value["name"] for value in enum["__type"]["enumValues"]] == ["REFUND", "VOID", "DISCOUNT", "NO_SALE",
                                                                         "PRICE_CHANGE"]
    assert codes(await register.approve(api, MANAGER_PIN, "PRICE_CHANGE")) == ["INVALID_CREDENTIALS"]
    approved = await register.approve(api, ADMIN_PIN, "PRICE_CHANGE")
    assert approved["userErrors"] == [] and approved["override"]["action"] == "PRICE_CHANGE"
    assert codes(await register.approve(api, MANAGER_PIN, "REFUND")) == []  # the built-ins keep their roles


@pytest.mark.parametrize("second", [
    'again: overrideApprove(input: {pin: "55502", action: VOID}) { overrideToken }',
    'loginWithPin(input: {pin: "55502"}) { token }',
])
async def test_an_override_approval_is_an_authentication_attempt_one_per_document(api, monkeypatch, second):
    register = await register_with_staff(api)
    lookups = CountPinChecks(monkeypatch)
    body = await api.post(f"""mutation {{ overrideApprove(input: {{pin: "55501", action: REFUND}}) {{ overrideToken }}
                                         {second} }}""", token=register.session, device_token=register.device_token)
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "TOO_MANY_AUTH_ATTEMPTS"
    assert "overrideApprove" in body["errors"][0]["message"]
    assert lookups.calls == 0 and await _pin_failures(register.device_token) == 0


def test_the_binding_names_are_in_the_schema():
    from graphql import GraphQLEnumType

    from gateway.graphql.schema import build_schema
    from gateway.plugins import get_plugin_manager
    from gateway.services.runtime import Runtime
    from gateway.settings import Settings

    settings = Settings.from_env({}, database_url="sqlite://:memory:", secret_key="s" * 40)
    schema = build_schema(Runtime.build(settings, get_plugin_manager(load_entry_points=False)))._schema
    assert "overrideActions" in schema.query_type.fields
    assert {"overrideApprove", "overrideRedeem"} <= set(schema.mutation_type.fields)
    action = schema.type_map["OverrideAction"]
    assert isinstance(action, GraphQLEnumType) and list(action.values) == ["REFUND", "VOID", "DISCOUNT", "NO_SALE"]
    assert set(schema.type_map["Override"].fields) >= {"id", "action", "reason", "requestedBy", "approvedBy", "device",
                                                       "createdAt", "expiresAt", "redeemedAt"}
    assert set(schema.type_map["OverrideActionInfo"].fields) == {"key", "label", "approverRoles"}
    assert set(schema.type_map["OverrideApproveInput"].fields) == {"pin", "action", "reason"}
    assert set(schema.type_map["OverrideApprovePayload"].fields) == {"override", "overrideToken", "userErrors"}
    assert set(schema.type_map["OverrideRedeemInput"].fields) == {"token"}
    assert set(schema.type_map["OverrideRedeemPayload"].fields) == {"override", "userErrors"}


@pytest.mark.parametrize("end", ["switch", "deviceLogout", "userLogout"])
async def test_an_override_dies_with_the_session_that_asked_for_it(api, end):
    """The approval is for the cashier logged in on that register: once their session ends (a
    colleague's PIN takes the locked register over, the register or the cashier is logged out),
    its token is void, whoever holds it."""
    register = await register_with_staff(api)
    approved = await register.approve(api, MANAGER_PIN)
    assert approved["userErrors"] == []
    if end == "switch":
        locked = await api.data("mutation { sessionLock(input: {}) { userErrors { code } } }",
                                token=register.session, device_token=register.device_token)
        assert locked["sessionLock"]["userErrors"] == []
        assert (await pin_login(api, OTHER_STAFF_PIN, register.device_token))["userErrors"] == []
    else:
        target = approved["override"]["requestedBy"] if end == "userLogout" else None
        mutation = ("mutation($id: ID!) { userLogout(input: {id: $id}) { userErrors { code } } }" if target
                    else "mutation($id: ID!) { deviceLogout(input: {id: $id}) { userErrors { code } } }")
        session = await Session.get(token_hash=hash_token(register.session))
        gid = ids.encode("User", session.user_id) if target else ids.encode("Device", session.device_id)
        ended = await api.data(mutation, {"id": gid}, token=register.org.token)
        assert list(ended.values())[0]["userErrors"] == []
    assert (await Session.get(token_hash=hash_token(register.session))).ended_at is not None
    # Whatever carries the refund out redeems with a session of its own: the admin's, here.
    redeemed = await register.redeem(api, approved["overrideToken"], session=register.org.token)
    assert redeemed["override"] is None and codes(redeemed) == ["EXPIRED"]
    assert (await Override.get()).redeemed_at is None
