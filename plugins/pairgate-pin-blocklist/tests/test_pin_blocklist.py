import tomllib
from pathlib import Path

import pairgate_pin_blocklist
from gateway.testing import make_client, migrated_sqlite, plugin_manager
from pairgate_pin_blocklist import problems


def test_the_entry_point_names_this_module():
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert pyproject["project"]["entry-points"]["pairgate"] == {"pin-blocklist": "pairgate_pin_blocklist"}


def test_only_listed_pins_are_refused():
    assert problems("19841", {"19841"}) == ["This PIN is on the organisation's blocklist."]
    assert problems("24680", {"19841"}) == []


def test_configured_blocklist(monkeypatch, tmp_path):
    listed = tmp_path / "blocked.txt"
    listed.write_text("# birthdays\n19841\n")
    monkeypatch.setenv("PAIRGATE_PIN_BLOCKLIST", "24680, 13579")
    monkeypatch.setenv("PAIRGATE_PIN_BLOCKLIST_FILE", str(listed))
    assert pairgate_pin_blocklist.configured_blocklist() == {"24680", "13579", "19841"}
    assert pairgate_pin_blocklist.validate_pin("19841", None) == ["This PIN is on the organisation's blocklist."]


async def test_the_client_gets_the_plugins_message_and_the_core_still_refuses_runs(aiohttp_client, tmp_path,
                                                                                    monkeypatch):
    from gateway.services import organisations

    monkeypatch.setenv("PAIRGATE_PIN_BLOCKLIST", "19841")
    api = await make_client(aiohttp_client, await migrated_sqlite(tmp_path), plugin_manager(pairgate_pin_blocklist))
    await organisations.create_organisation("Diner", "chef", "long enough password")
    login = await api.data('mutation { loginWithPassword(input: {username: "chef", password: "long enough password"}) { token } }')
    token = login["loginWithPassword"]["token"]
    create = """mutation($u: String!, $pin: String) { userCreate(input: {username: $u, role: STAFF,
      loginMethod: PIN_ONLY, pin: $pin}) { userErrors { code message } } }"""
    listed = await api.data(create, {"u": "sam", "pin": "19841"}, token=token)
    assert listed["userCreate"]["userErrors"] == [{"code": "INVALID", "message": "This PIN is on the organisation's blocklist."}]
    run = await api.data(create, {"u": "sam", "pin": "12345"}, token=token)
    assert [e["code"] for e in run["userCreate"]["userErrors"]] == ["INVALID"]  # the core's message, once
