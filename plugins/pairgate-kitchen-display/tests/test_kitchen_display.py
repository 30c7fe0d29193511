import tomllib
from pathlib import Path

import pairgate_kitchen_display
from gateway.testing import make_client, migrated_sqlite, plugin_manager

CREATE = """mutation($c: ID!, $e: DateTime!) { connectionCodeCreate(input: {description: "Pass", deviceType: KITCHEN_DISPLAY,
  configurationId: $c, expiresAt: $e}) { connectionCode { code deviceType } userErrors { code } } }"""


def test_the_entry_point_names_this_module():
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert pyproject["project"]["entry-points"]["pairgate"] == {"kitchen-display": "pairgate_kitchen_display"}


async def test_kitchen_displays_pair_but_never_offer_pin_login(aiohttp_client, tmp_path):
    from datetime import datetime, timedelta, timezone

    from gateway.services import organisations

    api = await make_client(aiohttp_client, await migrated_sqlite(tmp_path), plugin_manager(pairgate_kitchen_display))
    types = (await api.data("{ deviceTypes { key supportsPinLogin } }"))["deviceTypes"]
    assert {"key": "KITCHEN_DISPLAY", "supportsPinLogin": False} in types

    await organisations.create_organisation("Diner", "chef", "long enough password")
    login = await api.data('mutation { loginWithPassword(input: {username: "chef", password: "long enough password"}) { token } }')
    token = login["loginWithPassword"]["token"]
    await api.data('mutation { organisationUpdate(input: {pinLoginEnabled: true}) { userErrors { code } } }', token=token)
    config = await api.data('mutation { configurationCreate(input: {name: "Kitchen"}) { configuration { id } } }', token=token)
    expires = (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()
    created = await api.data(CREATE, {"c": config["configurationCreate"]["configuration"]["id"], "e": expires}, token=token)
    value = created["connectionCodeCreate"]["connectionCode"]["code"]
    paired = await api.data('mutation($c: String!) { devicePair(input: {code: $c}) { deviceToken device { deviceType status } } }',
                            {"c": value})
    device_token = paired["devicePair"]["deviceToken"]
    assert paired["devicePair"]["device"] == {"deviceType": "KITCHEN_DISPLAY", "status": "APPROVED"}
    this = await api.data("{ thisDevice { approved pinLoginAvailable } }", device_token=device_token)
    assert this["thisDevice"] == {"approved": True, "pinLoginAvailable": False}
    refused = await api.data('mutation { loginWithPin(input: {pin: "12345"}) { userErrors { code } } }', device_token=device_token)
    assert refused["loginWithPin"]["userErrors"] == [{"code": "DEVICE_NOT_APPROVED"}]
