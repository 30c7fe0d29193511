"""Users: roles, login methods, PIN rules and uniqueness, deletion."""

import asyncio
import re

import asyncpg
import pytest

from gateway import hookimpl
from gateway.graphql import ids
from gateway.models import AuditLog, Role, Session, Throttle, User
from gateway.plugins import get_plugin_manager
from gateway.services import users
from tests.support import (
    LOGIN_IN_FLIGHT, PASSWORD, USER_CREATE, CountPinChecks, add_pin_user, add_user, approved_register, enable_pins,
    login, make_client, new_org, pin_login, sent_while_a_login_holds,
)

UPDATE = """mutation($input: UserUpdateInput!) {
  userUpdate(input: $input) { user { id role loginMethod hasPin } generatedPin userErrors { field code message } }
}"""
DELETE = """mutation($input: UserDeleteInput!) { userDelete(input: $input) { user { id } userErrors { code message } } }"""


async def test_generated_pin_is_returned_once_and_never_again(api):
    org = await new_org(api)
    await enable_pins(api, org)
    data = await api.data(USER_CREATE, {"input": {"username": "sam", "role": "STAFF", "loginMethod": "PIN_ONLY",
                                                  "generatePin": True}}, token=org.token)
    payload = data["userCreate"]
    assert payload["userErrors"] == [] and re.fullmatch(r"\d{5}", payload["generatedPin"])
    assert payload["user"]["hasPin"] is True
    listed = await api.post("{ users { nodes { username hasPin } } }", token=org.token)
    assert payload["generatedPin"] not in str(listed)
    stored = await User.get(username="sam")
    assert payload["generatedPin"] not in stored.pin_hmac and len(stored.pin_hmac) == 64
    device = await approved_register(api, org)
    assert (await pin_login(api, payload["generatedPin"], device))["user"] == {"username": "sam"}


async def test_a_method_needs_its_secret(api):
    org = await new_org(api)
    cases = {"PIN_ONLY": ("pin", "REQUIRED"), "PASSWORD": ("password", "REQUIRED"),
             "PASSWORD_AND_PIN": ("pin", "REQUIRED")}
    for method, (field, code) in cases.items():
        values = {"username": f"u{method.lower()}", "role": "STAFF", "loginMethod": method}
        if method == "PASSWORD_AND_PIN":
            values["password"] = PASSWORD
        data = await api.data(USER_CREATE, {"input": values}, token=org.token)
        assert [(e["field"], e["code"]) for e in data["userCreate"]["userErrors"]] == [(["input", field], code)]
    assert await User.all().count() == 1


async def test_pin_rules_and_uniqueness(api):
    org = await new_org(api)
    for bad in ("1234", "123456", "12a45", "１２３４５"):
        data = await api.data(USER_CREATE, {"input": {"username": "x", "role": "STAFF", "loginMethod": "PIN_ONLY",
                                                      "pin": bad}}, token=org.token)
        errors = data["userCreate"]["userErrors"]
        assert [(e["code"], e["message"]) for e in errors] == [("INVALID", "A PIN is exactly 5 digits.")], bad
    await add_pin_user(api, org, "sam", "24680")
    clash = await api.data(USER_CREATE, {"input": {"username": "kim", "role": "STAFF", "loginMethod": "PIN_ONLY",
                                                   "pin": "24680"}}, token=org.token)
    assert [(e["field"], e["code"]) for e in clash["userCreate"]["userErrors"]] == [(["input", "pin"], "TAKEN")]
    assert await User.all().count() == 2


async def test_manager_cannot_touch_admins(api):
    org = await new_org(api)
    await add_user(org, "mia", Role.MANAGER)
    manager = await login(api, "mia")
    body = await api.post(USER_CREATE, {"input": {"username": "boss2", "role": "ADMIN", "password": PASSWORD}},
                          token=manager)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    admin_id = (await api.data("{ viewer { user { id } } }", token=org.token))["viewer"]["user"]["id"]
    for doc, values in ((UPDATE, {"id": admin_id, "displayName": "x"}), (DELETE, {"id": admin_id})):
        body = await api.post(doc, {"input": values}, token=manager)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    staff = await api.data(USER_CREATE, {"input": {"username": "sam", "role": "STAFF", "password": PASSWORD}},
                           token=manager)
    promote = await api.post(UPDATE, {"input": {"id": staff["userCreate"]["user"]["id"], "role": "ADMIN"}}, token=manager)
    assert promote["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await User.filter(role=Role.ADMIN).count() == 1


async def test_update_method_and_generate_a_new_pin(api):
    org = await new_org(api)
    created = await api.data(USER_CREATE, {"input": {"username": "sam", "role": "STAFF", "password": PASSWORD}},
                             token=org.token)
    user_id = created["userCreate"]["user"]["id"]
    needs_pin = await api.data(UPDATE, {"input": {"id": user_id, "loginMethod": "PASSWORD_AND_PIN"}}, token=org.token)
    assert needs_pin["userUpdate"]["userErrors"][0]["code"] == "REQUIRED"
    done = await api.data(UPDATE, {"input": {"id": user_id, "loginMethod": "PASSWORD_AND_PIN", "generatePin": True}},
                          token=org.token)
    assert done["userUpdate"]["user"]["loginMethod"] == "PASSWORD_AND_PIN" and done["userUpdate"]["generatedPin"]


async def test_deleting_a_user_ends_their_sessions(api):
    org = await new_org(api)
    await add_user(org, "sam", Role.STAFF)
    token = await login(api, "sam")
    sam_id = (await api.data("{ viewer { user { id } } }", token=token))["viewer"]["user"]["id"]
    deleted = await api.data(DELETE, {"input": {"id": sam_id}}, token=org.token)
    assert deleted["userDelete"]["userErrors"] == []
    assert (await api.data("{ viewer { user { id } } }", token=token)) == {"viewer": None}
    assert await Session.filter(end_reason="USER_DELETED").count() == 1
    assert (await AuditLog.get(type="user.deleted")).data["sessions_ended"] == 1
    listed = await api.data("{ users { nodes { username } } }", token=org.token)
    assert listed["users"]["nodes"] == [{"username": "admin"}]
    # The username is free again.
    await add_user(org, "sam", Role.STAFF)
    myself = await api.data(DELETE, {"input": {"id": (await api.data("{ viewer { user { id } } }", token=org.token))["viewer"]["user"]["id"]}}, token=org.token)
    assert myself["userDelete"]["userErrors"][0]["code"] == "INVALID"


async def test_concurrent_assignment_of_one_pin_has_one_winner(aiohttp_client, postgres_settings):
    """The losers are collisions, whether the lookup or the unique index caught them: at most five TAKEN."""
    api = await make_client(aiohttp_client, postgres_settings)
    org = await new_org(api)
    results = await asyncio.gather(*(
        api.data(USER_CREATE, {"input": {"username": f"u{i}", "role": "STAFF", "loginMethod": "PIN_ONLY",
                                         "pin": "24680"}}, token=org.token)
        for i in range(10)))
    outcomes = [r["userCreate"]["userErrors"][0]["code"] if r["userCreate"]["userErrors"] else "CREATED" for r in results]
    taken = outcomes.count("TAKEN")
    assert outcomes.count("CREATED") == 1 and taken <= 5 and taken + outcomes.count("THROTTLED") == 9, outcomes
    assert await User.exclude(pin_hmac=None).count() == 1
    assert await AuditLog.filter(type="pin.collision").count() == taken
    assert (await Throttle.get(key=f"pin-collision:user:{org.admin.id}")).failures == taken  # the winner's refunded


class NoEasyPins:
    @hookimpl
    def validate_pin(self, pin, organisation):
        return ["Too easy to guess."] if len(set(pin)) < 3 else []


async def test_a_pin_policy_plugin_speaks_to_the_client(aiohttp_client, settings):
    plugins = get_plugin_manager(load_entry_points=False)
    plugins.register(NoEasyPins())
    api = await make_client(aiohttp_client, settings, plugins)
    org = await new_org(api)
    data = await api.data(USER_CREATE, {"input": {"username": "sam", "role": "STAFF", "loginMethod": "PIN_ONLY",
                                                  "pin": "77177"}}, token=org.token)
    assert [(e["code"], e["message"]) for e in data["userCreate"]["userErrors"]] == [("INVALID", "Too easy to guess.")]
    generated = await api.data(USER_CREATE, {"input": {"username": "kim", "role": "STAFF", "loginMethod": "PIN_ONLY",
                                                       "generatePin": True}}, token=org.token)
    assert len(set(generated["userCreate"]["generatedPin"])) >= 3


VIEWER = "{ viewer { user { id } } }"
ENDED = "{ sessions(active: false) { nodes { endReason user { username } } } }"


async def _sam_logged_in_twice(api, org) -> tuple[str, list[str]]:
    """sam (PASSWORD_AND_PIN, PIN 24680) with two live sessions: sam's ID and the two tokens."""
    await add_pin_user(api, org, "sam", "24680", method="PASSWORD_AND_PIN")
    tokens = [await login(api, "sam"), await login(api, "sam")]
    return (await api.data(VIEWER, token=tokens[0]))["viewer"]["user"]["id"], tokens


CREDENTIAL_CHANGES = {"password": {"password": "another long password"}, "typed PIN": {"pin": "13579"},
                      "generated PIN": {"generatePin": True}, "login method": {"loginMethod": "PASSWORD"},
                      "role": {"role": "MANAGER"}}


@pytest.mark.parametrize("change", CREDENTIAL_CHANGES.values(), ids=CREDENTIAL_CHANGES.keys())
async def test_changed_credentials_end_the_users_sessions(api, change):
    org = await new_org(api)
    sam_id, tokens = await _sam_logged_in_twice(api, org)
    changed = await api.data(UPDATE, {"input": {"id": sam_id, **change}}, token=org.token)
    assert changed["userUpdate"]["userErrors"] == []
    for token in tokens:
        assert await api.data(VIEWER, token=token) == {"viewer": None}
        refused = await api.post("{ organisation { id } }", token=token)
        assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    ended = await api.data(ENDED, token=org.token)  # the admin's own session is untouched
    assert ended["sessions"]["nodes"] == [{"endReason": "CREDENTIALS_CHANGED", "user": {"username": "sam"}}] * 2
    assert (await AuditLog.get(type="user.updated")).data["sessions_ended"] == 2


SAME_CREDENTIALS = {"display name": {"displayName": "Samuel"},
                    "the same values": {"role": "STAFF", "loginMethod": "PASSWORD_AND_PIN", "pin": "24680"}}


@pytest.mark.parametrize("change", SAME_CREDENTIALS.values(), ids=SAME_CREDENTIALS.keys())
async def test_other_changes_leave_the_sessions_alone(api, change):
    org = await new_org(api)
    sam_id, tokens = await _sam_logged_in_twice(api, org)
    changed = await api.data(UPDATE, {"input": {"id": sam_id, **change}}, token=org.token)
    assert changed["userUpdate"]["userErrors"] == []
    for token in tokens:
        assert (await api.data(VIEWER, token=token))["viewer"]["user"]["id"] == sam_id
    assert not await Session.exclude(ended_at=None).exists()


async def test_changing_your_own_password_keeps_the_session_you_changed_it_from(api):
    org = await new_org(api)
    elsewhere = await login(api, "admin")
    admin_id = (await api.data(VIEWER, token=org.token))["viewer"]["user"]["id"]
    changed = await api.data(UPDATE, {"input": {"id": admin_id, "password": "another long password"}}, token=org.token)
    assert changed["userUpdate"]["userErrors"] == []
    assert (await api.data(VIEWER, token=org.token))["viewer"]["user"]["id"] == admin_id
    assert await api.data(VIEWER, token=elsewhere) == {"viewer": None}
    ended = await api.data(ENDED, token=org.token)
    assert ended["sessions"]["nodes"] == [{"endReason": "CREDENTIALS_CHANGED", "user": {"username": "admin"}}]
    assert await login(api, "admin", "another long password")


WRITES_THAT_LOCK = {"delete": (DELETE, {}, "USER_DELETED"),
                    "password change": (UPDATE, {"password": "another long password"}, "CREDENTIALS_CHANGED"),
                    "typed PIN": (UPDATE, {"pin": "13579"}, "CREDENTIALS_CHANGED")}


@pytest.mark.parametrize("write", WRITES_THAT_LOCK.values(), ids=WRITES_THAT_LOCK.keys())
async def test_a_delete_or_credential_change_waits_for_a_login_holding_the_users_row(aiohttp_client,
                                                                                      postgres_settings, write):
    """A login that locks the user's row and commits its session first: the write waits, then ends that session."""
    document, values, reason = write
    api = await make_client(aiohttp_client, postgres_settings)
    org = await new_org(api)
    sam = await add_user(org, "sam", Role.STAFF)
    change = await sent_while_a_login_holds(
        postgres_settings, "SELECT 1 FROM app_user WHERE id = $1 FOR UPDATE", sam.id,
        api.data(document, {"input": {"id": ids.encode("User", sam.id), **values}}, token=org.token),
        LOGIN_IN_FLIGHT, org.id, sam.id)
    [payload] = change.values()
    assert payload["userErrors"] == []
    assert (await Session.get(token_hash="login-in-flight")).end_reason == reason


@pytest.mark.parametrize("write", WRITES_THAT_LOCK.values(), ids=WRITES_THAT_LOCK.keys())
async def test_a_delete_or_credential_change_decides_on_the_user_as_a_concurrent_change_left_it(
        aiohttp_client, postgres_settings, write):
    """The row is read again under lock: a MANAGER's write that waited for sam's promotion finds an ADMIN."""
    document, values, _ = write
    api = await make_client(aiohttp_client, postgres_settings)
    org = await new_org(api)
    await add_user(org, "mia", Role.MANAGER)
    manager = await login(api, "mia")
    sam = await add_user(org, "sam", Role.STAFF)
    promotion = await asyncpg.connect(postgres_settings.database_url.split("?")[0])
    try:
        async with promotion.transaction():
            await promotion.execute("UPDATE app_user SET role = 'ADMIN' WHERE id = $1", sam.id)
            change = asyncio.create_task(api.post(document, {"input": {"id": ids.encode("User", sam.id), **values}},
                                                  token=manager))
            await asyncio.sleep(1)
            assert not change.done()
        refused = await change
    finally:
        await promotion.close()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await User.get(id=sam.id)).deleted_at is None
    assert await login(api, "sam")  # the password is as it was
    # A typed PIN that was refused this way was never answered: the manager's budget is whole.
    assert not await Throttle.filter(key__startswith="pin-collision:", failures__gt=0).exists()


CREATE = """mutation($input: UserCreateInput!) {
  userCreate(input: $input) { generatedPin userErrors { field code message retryAfterSeconds } }
}"""


async def _typed(api, token: str, username: str, pin: str) -> dict:
    values = {"username": username, "role": "STAFF", "loginMethod": "PIN_ONLY", "pin": pin}
    return (await api.data(CREATE, {"input": values}, token=token))["userCreate"]


def _codes(payload) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


async def test_taken_typed_pins_are_budgeted_per_actor(api, monkeypatch):
    org = await new_org(api)
    await add_pin_user(api, org, "sam", "24680")
    hashes = CountPinChecks(monkeypatch)
    for i in range(4):
        assert _codes(await _typed(api, org.token, f"taken{i}", "24680")) == ["TAKEN"]
    for i, free in enumerate(("13579", "97531", "86420")):  # free PINs leave the budget as it was
        assert _codes(await _typed(api, org.token, f"free{i}", free)) == []
    assert _codes(await _typed(api, org.token, "taken4", "24680")) == ["TAKEN"]
    hashes.calls = 0
    sixth = await _typed(api, org.token, "taken5", "24680")
    [error] = sixth["userErrors"]
    assert (error["field"], error["code"]) == (["input", "pin"], "THROTTLED")
    assert 86000 < error["retryAfterSeconds"] <= 86400
    free_id = (await api.data("{ users { nodes { id } } }", token=org.token))["users"]["nodes"][-1]["id"]
    update = await api.data(UPDATE, {"input": {"id": free_id, "pin": "36925"}}, token=org.token)
    assert [e["code"] for e in update["userUpdate"]["userErrors"]] == ["THROTTLED"]
    assert hashes.calls == 0  # not hashed, so not looked up
    generated = await api.data(CREATE, {"input": {"username": "gen", "role": "STAFF", "loginMethod": "PIN_ONLY",
                                                  "generatePin": True}}, token=org.token)
    assert generated["userCreate"]["userErrors"] == [] and generated["userCreate"]["generatedPin"]
    await add_user(org, "mia", Role.MANAGER)
    assert _codes(await _typed(api, await login(api, "mia"), "mias", "24680")) == ["TAKEN"]  # her own budget
    assert await AuditLog.filter(type="pin.collision", actor_id=org.admin.id).count() == 5
    locked = await AuditLog.get(type="throttle.locked")
    assert (locked.actor_id, locked.data["key"]) == (org.admin.id, "pin-collision:user")


async def test_a_typed_pin_that_loses_the_race_to_the_unique_index_is_a_collision(api, monkeypatch):
    """The lookup found the PIN free, but its holder committed before this save: audited, charge kept."""
    org = await new_org(api)
    await add_pin_user(api, org, "sam", "24680")
    sam = await User.get(username="sam")
    real, lookups = users._holder, []

    async def missed_once(pin_hmac, user):
        lookups.append(pin_hmac)
        return None if len(lookups) == 1 else await real(pin_hmac, user)

    monkeypatch.setattr(users, "_holder", missed_once)
    assert _codes(await _typed(api, org.token, "kim", "24680")) == ["TAKEN"]
    assert len(lookups) == 2  # the lookup, then the clash naming the holder
    collision = await AuditLog.get(type="pin.collision")
    assert (collision.actor_id, collision.data) == (org.admin.id, {"target_user_id": sam.id})
    assert (await Throttle.get(key=f"pin-collision:user:{org.admin.id}")).failures == 1


async def test_twenty_taken_pins_at_once_get_exactly_five_answers(aiohttp_client, postgres_settings, monkeypatch):
    api = await make_client(aiohttp_client, postgres_settings)
    org = await new_org(api)
    await add_pin_user(api, org, "sam", "24680")
    hashes = CountPinChecks(monkeypatch)
    results = await asyncio.gather(*(_typed(api, org.token, f"u{i}", "24680") for i in range(20)))
    outcomes = [code for result in results for code in _codes(result)]
    assert (outcomes.count("TAKEN"), outcomes.count("THROTTLED")) == (5, 15), outcomes
    assert hashes.calls == 5
    assert await AuditLog.filter(type="pin.collision").count() == 5


async def test_a_refund_keeps_a_charge_that_commits_meanwhile(aiohttp_client, postgres_settings, monkeypatch):
    """Another attempt by the same actor charges while a free PIN is being saved: the refund waits for it."""
    api = await make_client(aiohttp_client, postgres_settings)
    org = await new_org(api)
    key = f"pin-collision:user:{org.admin.id}"
    other_attempt = await asyncpg.connect(postgres_settings.database_url.split("?")[0])
    real, commits = users._holder, []

    async def commit_later(transaction):
        await asyncio.sleep(0.5)  # after the refund has started
        await transaction.commit()

    async def charged_meanwhile(pin_hmac, user):
        transaction = other_attempt.transaction()
        await transaction.start()
        await other_attempt.execute("UPDATE throttle SET failures = failures + 1 WHERE key = $1", key)
        commits.append(asyncio.create_task(commit_later(transaction)))
        return await real(pin_hmac, user)

    monkeypatch.setattr(users, "_holder", charged_meanwhile)
    try:
        assert _codes(await _typed(api, org.token, "sam", "24680")) == []
        await commits[0]
    finally:
        await other_attempt.close()
    assert (await Throttle.get(key=key)).failures == 1  # the other attempt's charge, this one's refunded
