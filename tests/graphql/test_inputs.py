"""No input breaks the gateway: unstorable text, oversized numbers in IDs and cursors,
malformed cursors, a device never approved, a missing role, a body that is not JSON.
Each case once crashed (INTERNAL_SERVER_ERROR) or misled the client."""

from __future__ import annotations

import base64

from gateway.graphql import ids
from gateway.models import Configuration, ConnectionCode, User
from tests.support import (
    CREATE_CODE, CREATE_CONFIGURATION, LOGIN_PASSWORD, ORG_UPDATE, PAIR, USER_CREATE, configuration, new_org,
    password_login, raw_post,
)

NUL = "a\x00b"
SURROGATE = "\ud800"
INVALID = "INVALID"


def _raw_id(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _refused(payload: dict, *field: str) -> None:
    assert [(error["field"], error["code"]) for error in payload["userErrors"]] == [(["input", *field], INVALID)]


async def test_nul_in_a_username_is_refused_and_nothing_is_written(api):
    org = await new_org(api)
    data = await api.data(USER_CREATE, {"input": {"username": NUL, "role": "STAFF", "password": "long enough pw"}},
                          token=org.token)
    _refused(data["userCreate"], "username")
    assert data["userCreate"]["user"] is None
    assert await User.filter(organisation_id=org.id).count() == 1


async def test_nul_in_a_configuration_name_is_refused(api):
    org = await new_org(api)
    data = await api.data(CREATE_CONFIGURATION, {"input": {"name": NUL}}, token=org.token)
    _refused(data["configurationCreate"], "name")
    assert await Configuration.filter(organisation_id=org.id).count() == 0


async def test_nul_in_a_code_description_is_refused(api):
    org = await new_org(api)
    configuration_id = await configuration(api, org)
    values = {"description": NUL, "deviceType": "POS", "configurationId": configuration_id,
              "expiresAt": "2999-01-01T00:00:00+00:00"}
    data = await api.data(CREATE_CODE, {"input": values}, token=org.token)
    _refused(data["connectionCodeCreate"], "description")
    assert await ConnectionCode.filter(organisation_id=org.id).count() == 0


async def test_nul_or_a_lone_surrogate_in_a_pairing_code_is_refused(api):
    for value in (NUL, SURROGATE, "ABCD" + SURROGATE):
        data = await api.data(PAIR, {"input": {"code": value}})
        _refused(data["devicePair"], "code")
        assert data["devicePair"]["deviceToken"] is None


async def test_a_lone_surrogate_in_a_username_at_login_is_refused(api):
    for username in (SURROGATE, NUL):
        data = await api.data(LOGIN_PASSWORD, {"u": username, "p": "whatever"})
        assert [error["code"] for error in data["loginWithPassword"]["userErrors"]] == [INVALID]
        assert data["loginWithPassword"]["token"] is None


async def test_a_name_longer_than_its_column_is_refused(api):
    org = await new_org(api)
    data = await api.data(ORG_UPDATE, {"input": {"name": "x" * 201}}, token=org.token)
    _refused(data["organisationUpdate"], "name")
    data = await api.data(USER_CREATE, {"input": {"username": "ann", "displayName": "x" * 201, "role": "STAFF",
                                                  "password": "long enough pw"}}, token=org.token)
    _refused(data["userCreate"], "displayName")


async def test_unstorable_text_in_a_query_argument_is_bad_user_input(api):
    org = await new_org(api)
    body = await api.post("query($t: String) { auditEvents(type: $t) { nodes { id } } }", {"t": NUL}, token=org.token)
    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"]


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


async def test_a_device_never_approved_reads_as_pending(api):
    org = await new_org(api)
    login = await password_login(api, org.admin.username)
    data = await api.data("{ viewer { device { status } } }", token=login["token"], device_token=login["deviceToken"])
    assert data == {"viewer": {"device": {"status": "PENDING"}}}


async def test_user_create_without_a_role_is_required(api):
    org = await new_org(api)
    data = await api.data(USER_CREATE, {"input": {"username": "ann", "password": "long enough pw"}}, token=org.token)
    assert {"field": ["input", "role"], "code": "REQUIRED"} in [
        {"field": error["field"], "code": error["code"]} for error in data["userCreate"]["userErrors"]]
    assert data["userCreate"]["user"] is None


async def test_a_post_that_is_not_json_is_415(api):
    response = await api.client.post("/graphql", data="query=%7B__typename%7D",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status == 415
    body = await response.json()
    assert body["errors"][0]["message"]
    response = await api.client.post("/graphql", data='{"query": "{ __typename }"}',
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    assert response.status == 200
    assert (await response.json())["data"] == {"__typename": "Query"}


async def test_header_bytes_that_are_not_utf8_count_as_no_header(api):
    for header in (b"X-Device-Token: \xff\xfe\r\n", b"Authorization: Bearer \xff\xfe\r\n", b"User-Agent: \xff\xfe\r\n"):
        status, body = await raw_post(api, header, "{ thisDevice { known } viewer { user { id } } }")
        assert status == 200 and "errors" not in body, (header, body)
        assert body["data"] == {"thisDevice": {"known": False}, "viewer": None}
