import tomllib
from pathlib import Path

import pairgate_price_override
from gateway.testing import make_client, migrated_sqlite, plugin_manager

PASSWORD = "long enough password"
APPROVE = """mutation($pin: String!, $action: OverrideAction) {
  overrideApprove(input: {pin: $pin, action: $action, reason: "Price tag was wrong"}) {
    overrideToken override { action } userErrors { code } } }"""


def test_the_entry_point_names_this_module():
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert pyproject["project"]["entry-points"]["pairgate"] == {"price-override": "pairgate_price_override"}


async def test_only_an_admins_pin_approves_a_price_override(aiohttp_client, tmp_path):
    from gateway.services import organisations

    api = await make_client(aiohttp_client, await migrated_sqlite(tmp_path), plugin_manager(pairgate_price_override))
    await organisations.create_organisation("Diner", "owner", PASSWORD)
    login = await api.data("""mutation($p: String!) { loginWithPassword(input: {username: "owner", password: $p})
        { token deviceToken } }""", {"p": PASSWORD})
    token, register = login["loginWithPassword"]["token"], login["loginWithPassword"]["deviceToken"]
    await api.data('mutation { organisationUpdate(input: {pinLoginEnabled: true}) { userErrors { code } } }', token=token)
    await api.data('mutation { deviceApprove(input: {name: "Till"}) { userErrors { code } } }', token=token,
                   device_token=register)
    for username, role, pin in (("ada", "ADMIN", "86420"), ("mia", "MANAGER", "97531")):
        created = await api.data("""mutation($u: String!, $r: Role!, $pin: String!) { userCreate(input: {
            username: $u, role: $r, loginMethod: PIN_ONLY, pin: $pin}) { userErrors { code } } }""",
                                 {"u": username, "r": role, "pin": pin}, token=token)
        assert created["userCreate"]["userErrors"] == []

    actions = (await api.data("{ overrideActions { key approverRoles } }", token=token))["overrideActions"]
    assert {"key": "PRICE_OVERRIDE", "approverRoles": ["ADMIN"]} in actions

    # The owner is logged in on the register; a MANAGER's PIN does not approve a price change…
    refused = await api.data(APPROVE, {"pin": "97531", "action": "PRICE_OVERRIDE"}, token=token, device_token=register)
    assert refused["overrideApprove"] == {"overrideToken": None, "override": None,
                                          "userErrors": [{"code": "INVALID_CREDENTIALS"}]}
    # …though it still approves a refund; another ADMIN's PIN approves the price change.
    refund = await api.data(APPROVE, {"pin": "97531", "action": "REFUND"}, token=token, device_token=register)
    assert refund["overrideApprove"]["userErrors"] == []
    approved = await api.data(APPROVE, {"pin": "86420", "action": "PRICE_OVERRIDE"}, token=token, device_token=register)
    assert approved["overrideApprove"]["override"] == {"action": "PRICE_OVERRIDE"}
    redeemed = await api.data('mutation($t: String) { overrideRedeem(input: {token: $t}) { override { action } } }',
                              {"t": approved["overrideApprove"]["overrideToken"]}, token=token)
    assert redeemed["overrideRedeem"]["override"] == {"action": "PRICE_OVERRIDE"}
