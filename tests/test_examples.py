"""Every examples/queries/*.graphql runs, in file-name order, as the README's first session."""

import json
import re
from pathlib import Path

from tests.graphql.live_client import connect
from tests.support import PASSWORD, code, configuration, in_days, new_org, pair, pin_login, pin_ready

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "queries"
# What each example hands on to the next ones: placeholder -> path into its data.
CAPTURE = {
    "01-login": {"token": ("loginWithPassword", "token"), "deviceToken": ("loginWithPassword", "deviceToken")},
    "03-configuration-create": {"configurationId": ("configurationCreate", "configuration", "id")},
    "05-connection-code-create": {"connectionCodeId": ("connectionCodeCreate", "connectionCode", "id"),
                                  "code": ("connectionCodeCreate", "connectionCode", "code")},
    "08-device-pair": {"pairedDeviceId": ("devicePair", "device", "id")},
    "12-user-create-with-pin": {"generatedPin": ("userCreate", "generatedPin"), "userId": ("userCreate", "user", "id")},
    "15-login-with-pin": {"pinToken": ("loginWithPin", "token")},
    "18-manager-create-with-pin": {"managerPin": ("userCreate", "generatedPin")},
    "19-override-approve": {"overrideToken": ("overrideApprove", "overrideToken")},
    "21-session-lock": {"lockedSessionId": ("sessionLock", "session", "id")},
    "23-unlock-with-pin": {"unlockedToken": ("loginWithPin", "token")},  # pinToken died with the lock
    "40-viewer-pin-change": {"generatedPin": ("viewerPinChange", "generatedPin")},
}
# The session token each example is sent with, when it is not the admin's (of 01-login): the
# register's own PIN session locks itself and changes its PIN; the lock screen sends none.
TOKEN = {"21-session-lock": "pinToken", "22-lock-screen": None, "23-unlock-with-pin": None,
         "40-viewer-pin-change": "unlockedToken"}


def _dig(data, path):
    for key in path:
        data = data[key]
    return data


def _user_errors(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "userErrors":
                yield from item
            else:
                yield from _user_errors(item)


async def test_every_example_runs(api):
    await new_org(api)
    state = {"password": PASSWORD, "expiresAt": in_days(30)}
    files = [path for path in sorted(EXAMPLES.glob("*.graphql")) if not _is_subscription(path)]
    assert len(files) >= 10
    for path in files:
        raw = path.with_suffix(".json").read_text() if path.with_suffix(".json").exists() else "{}"
        variables = json.loads(re.sub(r"\{\{(\w+)\}\}", lambda m: state[m.group(1)], raw))
        token = state.get(TOKEN.get(path.stem, "token"))  # state has no None: no token
        body = await api.post(path.read_text(), variables, token=token, device_token=state.get("deviceToken"))
        assert "errors" not in body, (path.name, body)
        assert list(_user_errors(body["data"])) == [], (path.name, body)
        for name, where in CAPTURE.get(path.stem, {}).items():
            state[name] = _dig(body["data"], where)
        if path.stem == "15-login-with-pin":
            assert body["data"]["loginWithPin"]["user"]["username"] == "sam"
        if path.stem == "20-override-redeem":
            assert body["data"]["overrideRedeem"]["override"]["action"] == "REFUND"
        if path.stem == "40-viewer-pin-change":
            assert len(state["generatedPin"]) == 5
        if path.stem == "41-devices-online":  # the admin's register and the paired iPad
            assert [node["online"] for node in body["data"]["devices"]["nodes"]] == [True, True]
        if path.stem == "43-user-logout":
            assert body["data"]["userLogout"]["user"] == {"username": "sam", "sessions": {"nodes": []}}
        if path.stem == "22-lock-screen":
            assert body["data"]["thisDevice"]["lockedSession"]["user"] == {"displayName": "Sam"}
        if path.stem == "23-unlock-with-pin":  # the same session, unlocked
            assert body["data"]["loginWithPin"]["session"]["id"] == state["lockedSessionId"]
            assert state["unlockedToken"] != state["pinToken"]
    assert body["data"]["logout"]["session"]["endReason"] == "LOGOUT"


def _is_subscription(path: Path) -> bool:
    return re.search(r"^\s*subscription\b", path.read_text(), re.MULTILINE) is not None


async def test_every_subscription_example_hears_its_event(api):
    """The subscriptions among the examples, over WebSocket as a screen holds them."""
    org, register = await pin_ready(api)
    issued = await code(api, org, await configuration(api, org))
    state = {"connectionCodeId": issued["id"]}
    files = {path.stem: path for path in sorted(EXAMPLES.glob("*.graphql")) if _is_subscription(path)}
    assert set(files) == {"50-connection-code-events", "51-device-events", "52-this-device-events"}

    def variables(stem: str) -> dict:
        raw = files[stem].with_suffix(".json")
        text = raw.read_text() if raw.exists() else "{}"
        return json.loads(re.sub(r"\{\{(\w+)\}\}", lambda m: state[m.group(1)], text))

    async with connect(api.client, org.token) as back_office, connect(api.client, device_token=register) as till:
        screen = await back_office.subscribe(files["50-connection-code-events"].read_text(),
                                             variables("50-connection-code-events"))
        device_list = await back_office.subscribe(files["51-device-events"].read_text(), variables("51-device-events"))
        own = await till.subscribe(files["52-this-device-events"].read_text(), variables("52-this-device-events"))
        await till.silent(own, 0.3)
        await pin_login(api, "24680", register)
        started = await back_office.event(device_list)
        assert started["type"] == "SESSION_STARTED" and started["session"]["user"] == {"displayName": "sam"}
        assert (await till.event(own))["type"] == "SESSION_STARTED"
        await pair(api, issued["code"], "Bar iPad")
        assert (await back_office.event(screen))["device"]["name"] == "Bar iPad"
