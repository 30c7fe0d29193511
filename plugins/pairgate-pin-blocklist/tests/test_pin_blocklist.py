import tomllib
from pathlib import Path

import pytest

import pairgate_pin_blocklist
from gateway.testing import make_client, migrated_sqlite, plugin_manager
from pairgate_pin_blocklist import problems


def test_the_entry_point_names_this_module():
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert pyproject["project"]["entry-points"]["pairgate"] == {"pin-blocklist": "pairgate_pin_blocklist"}


@pytest.mark.parametrize("pin", ["00000", "77777", "12345", "34567", "98765", "54321"])
def test_weak_pins_are_refused(pin):
    assert problems(pin, set())


@pytest.mark.parametrize("pin", ["24680", "13579", "90123", "11112", "12346"])
def test_other_pins_pass(pin):
    assert problems(pin, set()) == []


def test_configured_blocklist(monkeypatch, tmp_path):
    listed = tmp_path / "blocked.txt"
    listed.write_text("# birthdays\n19841\n")
    monkeypatch.setenv("PAIRGATE_PIN_BLOCKLIST", "24680, 13579")
    monkeypatch.setenv("PAIRGATE_PIN_BLOCKLIST_FILE", str(listed))
    assert pairgate_pin_blocklist.configured_blocklist() == {"24680", "13579", "19841"}
    assert pairgate_pin_blocklist.validate_pin("19841", None) == ["This PIN is on the organisation's blocklist."]


async def test_the_client_gets_the_plugins_message_and_generated_pins_avoid_weak_ones(aiohttp_client, tmp_path):
    from gateway.services import organisations

    api = await make_client(aiohttp_client, await migrated_sqlite(tmp_path), plugin_manager(pairgate_pin_blocklist))
    await organisations.create_organisation("Diner", "chef", "long enough password")
    login = await api.data('mutation { loginWithPassword(input: {username: "chef", password: "long enough password"}) { token } }')
    token = login["loginWithPassword"]["token"]
    create = """mutation($u: String!, $pin: String, $g: Boolean!) { userCreate(input: {username: $u, role: STAFF,
      loginMethod: PIN_ONLY, pin: $pin, generatePin: $g}) { generatedPin userErrors { code message } } }"""
    refused = await api.data(create, {"u": "sam", "pin": "12345", "g": False}, token=token)
    assert refused["userCreate"]["userErrors"] == [
        {"code": "INVALID", "message": "A run of consecutive digits (like 12345 or 98765) is too easy to guess."}]
    for i in range(20):
        generated = await api.data(create, {"u": f"u{i}", "pin": None, "g": True}, token=token)
        assert problems(generated["userCreate"]["generatedPin"], set()) == []
