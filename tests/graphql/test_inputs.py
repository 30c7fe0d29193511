"""No input breaks the gateway: unstorable text, oversized numbers in IDs and cursors,
malformed cursors, a device never approved, a missing role, a body that is not JSON.
Each case once crashed (INTERNAL_SERVER_ERROR) or misled the client."""

from __future__ import annotations

import base64

from gateway.graphql import ids
from gateway.models import Configuration, ConnectionCode, User
from tests.support import (
    CREATE_CODE, CREATE_CONFIGURATION, LOGIN_PASSWORD, ORG_UPDATE, PAIR, USER_CREATE, configuration, new_org,
    password_login,
)

NUL = "a\x00b"
SURROGATE = "\ud800"
INVALID = "INVALID"


def _raw_id(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _refused(payload: dict, *field: str) -> None:
    assert [(error["field"], error["code"]) for error in payload["userErrors"]] == [(["input", *field], INVALID)]


async def test_an_id_beyond_64_bits_is_unknown(api):
    org = await new_org(api)
    huge = _raw_id("User:99999999999999999999")
    assert ids.decode_any(huge) is None
    data = await api.data("query($id: ID!) { node(id: $id) { id } }", {"id": huge}, token=org.token)
    assert data == {"node": None}
    data = await api.data("""mutation($id: ID!) { userDelete(input: {id: $id}) { user { id } userErrors { code } } }""",
                          {"id": huge}, token=org.token)
    assert data["userDelete"]["userErrors"] == [{"code": "NOT_FOUND"}]


async def test_a_malformed_or_oversized_cursor_is_bad_user_input(api):
    org = await new_org(api)
    for cursor in ("not a cursor", _raw_id("cursor:99999999999999999999"), _raw_id("User:1"), _raw_id("cursor:-3")):
        body = await api.post("query($a: String) { users(after: $a) { nodes { id } } }", {"a": cursor},
                              token=org.token)
        assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"], cursor
    # A real cursor still pages.
    first = await api.data("{ users(first: 1) { pageInfo { endCursor } } }", token=org.token)
    after = first["users"]["pageInfo"]["endCursor"]
    assert (await api.data("query($a: String) { users(after: $a) { nodes { id } } }", {"a": after},
                           token=org.token))["users"]["nodes"] == []
