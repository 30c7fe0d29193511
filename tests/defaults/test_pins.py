"""The built-in PIN policy: five digits, and none of the PINs people try first."""

import pytest

from gateway.defaults import pins as default_pins
from gateway.plugins import get_plugin_manager
from gateway.services import pins
from gateway.services.runtime import Runtime
from gateway.settings import Settings
from tests.support import PASSWORD, USER_CREATE, new_org

UPDATE = """mutation($input: UserUpdateInput!) { userUpdate(input: $input) { userErrors { field code message } } }"""
OBVIOUS = [("11111", default_pins.REPEATED), ("00000", default_pins.REPEATED), ("12345", default_pins.RUN),
           ("56789", default_pins.RUN), ("01234", default_pins.RUN), ("98765", default_pins.RUN),
           ("43210", default_pins.RUN)]


@pytest.mark.parametrize("pin, message", OBVIOUS, ids=[pin for pin, _ in OBVIOUS])
async def test_obvious_pins_are_refused_when_typed(api, pin, message):
    org = await new_org(api)
    created = await api.data(USER_CREATE, {"input": {"username": "sam", "role": "STAFF", "loginMethod": "PIN_ONLY",
                                                     "pin": pin}}, token=org.token)
    assert created["userCreate"]["userErrors"] == [{"field": ["input", "pin"], "code": "INVALID", "message": message}]
    kim = await api.data(USER_CREATE, {"input": {"username": "kim", "role": "STAFF", "password": PASSWORD}},
                         token=org.token)
    changed = await api.data(UPDATE, {"input": {"id": kim["userCreate"]["user"]["id"], "pin": pin,
                                                "loginMethod": "PASSWORD_AND_PIN"}}, token=org.token)
    assert changed["userUpdate"]["userErrors"] == [{"field": ["input", "pin"], "code": "INVALID", "message": message}]


@pytest.mark.parametrize("pin", ["24680", "13579", "12346", "11112", "90123", "97531", "10101"])
def test_other_pins_pass(pin):
    assert default_pins.validate_pin(pin, None) == []


def test_generated_pins_follow_the_same_rules(monkeypatch):
    runtime = Runtime.build(Settings.from_env({}, database_url="sqlite://:memory:", secret_key="s" * 40),
                            get_plugin_manager(load_entry_points=False))
    digits = iter("11111" "12345" "98765" "24680")
    monkeypatch.setattr(pins.secrets, "choice", lambda _: next(digits))
    assert pins.generate(runtime, None) == "24680"
