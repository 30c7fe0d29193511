"""Users: roles, login methods, PIN rules and uniqueness, deletion."""

import asyncio
import re

from gateway import hookimpl
from gateway.models import Role, Session, User
from gateway.plugins import get_plugin_manager
from tests.support import (
    login,
    PASSWORD, USER_CREATE, add_pin_user, add_user, approved_register, enable_pins, make_client, new_org,
    pin_login,
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
    listed = await api.data("{ users { nodes { username } } }", token=org.token)
    assert listed["users"]["nodes"] == [{"username": "admin"}]
    # The username is free again.
    await add_user(org, "sam", Role.STAFF)
    myself = await api.data(DELETE, {"input": {"id": (await api.data("{ viewer { user { id } } }", token=org.token))["viewer"]["user"]["id"]}}, token=org.token)
    assert myself["userDelete"]["userErrors"][0]["code"] == "INVALID"


async def test_concurrent_assignment_of_one_pin_has_one_winner(aiohttp_client, postgres_settings):
    api = await make_client(aiohttp_client, postgres_settings)
    org = await new_org(api)
    results = await asyncio.gather(*(
        api.data(USER_CREATE, {"input": {"username": f"u{i}", "role": "STAFF", "loginMethod": "PIN_ONLY",
                                         "pin": "24680"}}, token=org.token)
        for i in range(10)))
    outcomes = [r["userCreate"]["userErrors"][0]["code"] if r["userCreate"]["userErrors"] else "CREATED" for r in results]
    assert outcomes.count("CREATED") == 1 and outcomes.count("TAKEN") == 9, outcomes
    assert await User.exclude(pin_hmac=None).count() == 1


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
