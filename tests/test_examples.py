"""Every examples/queries/*.graphql runs, in file-name order, as the README's first session."""

import json
import re
from pathlib import Path

from tests.support import PASSWORD, in_days, new_org

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "queries"
# What each example hands on to the next ones: placeholder -> path into its data.
CAPTURE = {
    "01-login": {"token": ("loginWithPassword", "token"), "deviceToken": ("loginWithPassword", "deviceToken")},
    "03-configuration-create": {"configurationId": ("configurationCreate", "configuration", "id")},
    "05-connection-code-create": {"connectionCodeId": ("connectionCodeCreate", "connectionCode", "id"),
                                  "code": ("connectionCodeCreate", "connectionCode", "code")},
    "12-user-create-with-pin": {"generatedPin": ("userCreate", "generatedPin")},
    "15-login-with-pin": {"pinToken": ("loginWithPin", "token")},
    "17-session-lock": {"lockedSessionId": ("sessionLock", "session", "id")},
}
# The session token each example is sent with, when it is not the admin's: the register's own
# PIN session locks itself, and the lock screen sends none.
TOKEN = {"17-session-lock": "pinToken", "18-lock-screen": None, "19-unlock-with-pin": None}


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
    files = sorted(EXAMPLES.glob("*.graphql"))
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
        if path.stem == "18-lock-screen":
            assert body["data"]["thisDevice"]["lockedSession"]["user"] == {"displayName": "Sam"}
        if path.stem == "19-unlock-with-pin":  # the same session, unlocked
            assert body["data"]["loginWithPin"]["session"]["id"] == state["lockedSessionId"]
            assert body["data"]["loginWithPin"]["token"] != state["pinToken"]
    assert body["data"]["logout"]["session"]["endReason"] == "LOGOUT"
