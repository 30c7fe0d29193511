"""Managing approved devices and seeing their sessions."""

from tests.support import APPROVE, new_org, password_login, pin_login, pin_ready

RENAME = "mutation($id: ID!, $n: String) { deviceRename(input: {id: $id, name: $n}) { device { name } userErrors { code } } }"
REVOKE = "mutation($id: ID!) { deviceRevoke(input: {id: $id}) { device { status } userErrors { code } } }"
DELETE = "mutation($id: ID!) { deviceDelete(input: {id: $id}) { device { id } userErrors { code } } }"
DETAILS = """query($id: ID!) { node(id: $id) { ... on Device {
  id name status sessions { nodes { user { username } ipAddress createdAt endedAt endReason active method } } } } }"""


async def _setup(api):
    org, device = await pin_ready(api)
    device_id = (await api.data("{ devices { nodes { id } } }", token=org.token))["devices"]["nodes"][0]["id"]
    return org, device, device_id


async def test_details_show_sessions_with_user_address_and_time(api):
    org, device, device_id = await _setup(api)
    await pin_login(api, "24680", device)
    details = (await api.data(DETAILS, {"id": device_id}, token=org.token))["node"]
    assert details["name"] == "Till 1" and details["status"] == "APPROVED"
    newest = details["sessions"]["nodes"][0]
    assert newest["user"] == {"username": "sam"} and newest["ipAddress"] == "127.0.0.1"
    assert newest["method"] == "PIN" and newest["active"] is True and newest["createdAt"]
    active_only = await api.data("query($id: ID!) { node(id: $id) { ... on Device { sessions(active: false) { nodes { id } } } } }",
                                 {"id": device_id}, token=org.token)
    assert active_only["node"]["sessions"]["nodes"] == []


async def test_rename(api):
    org, _, device_id = await _setup(api)
    assert (await api.data(RENAME, {"id": device_id, "n": "Terrace"}, token=org.token))["deviceRename"]["device"] == {"name": "Terrace"}
    assert (await api.data(RENAME, {"id": device_id, "n": ""}, token=org.token))["deviceRename"]["userErrors"] == [{"code": "REQUIRED"}]


async def test_revoke_ends_sessions_blocks_pin_and_reapproval_restores(api):
    org, device, device_id = await _setup(api)
    staff = await pin_login(api, "24680", device)
    assert (await api.data(REVOKE, {"id": device_id}, token=org.token))["deviceRevoke"]["device"] == {"status": "REVOKED"}
    assert (await api.data("{ viewer { user { id } } }", token=staff["token"])) == {"viewer": None}
    details = (await api.data(DETAILS, {"id": device_id}, token=org.token))["node"]
    assert details["status"] == "REVOKED" and details["sessions"]["nodes"][0]["endReason"] == "DEVICE_REVOKED"
    assert [e["code"] for e in (await pin_login(api, "24680", device))["userErrors"]] == ["DEVICE_NOT_APPROVED"]
    # An admin logs in on the revoked device, is prompted, and approves it again.
    login = await password_login(api, "admin", device)
    assert login["deviceApproval"] == "PROMPT"
    await api.data(APPROVE, {"name": "Till 1"}, token=login["token"], device_token=device)
    assert (await pin_login(api, "24680", device))["userErrors"] == []


async def test_delete_removes_the_device_and_kills_its_token(api):
    org, device, device_id = await _setup(api)
    staff = await pin_login(api, "24680", device)
    assert (await api.data(DELETE, {"id": device_id}, token=org.token))["deviceDelete"]["userErrors"] == []
    assert (await api.data("{ devices { nodes { id } } }", token=org.token))["devices"]["nodes"] == []
    assert (await api.data("{ thisDevice { known } }", device_token=device))["thisDevice"] == {"known": False}
    assert (await api.data("{ viewer { user { id } } }", token=staff["token"])) == {"viewer": None}
    ended = await api.data("{ sessions(active: false) { nodes { endReason device { id } } } }", token=org.token)
    assert {"endReason": "DEVICE_DELETED", "device": None} in ended["sessions"]["nodes"]
    assert (await api.data(DELETE, {"id": device_id}, token=org.token))["deviceDelete"]["userErrors"] == [{"code": "NOT_FOUND"}]


async def test_sessions_list_and_end_by_admin(api):
    org, device, _ = await _setup(api)
    staff = await pin_login(api, "24680", device)
    listed = await api.data("{ sessions(active: true) { nodes { id user { username } } } }", token=org.token)
    sam = [n for n in listed["sessions"]["nodes"] if n["user"]["username"] == "sam"][0]
    ended = await api.data("mutation($id: ID!) { sessionEnd(input: {id: $id}) { session { active endReason } userErrors { code } } }",
                           {"id": sam["id"]}, token=org.token)
    assert ended["sessionEnd"] == {"session": {"active": False, "endReason": "ENDED_BY_ADMIN"}, "userErrors": []}
    assert (await api.data("{ viewer { user { id } } }", token=staff["token"])) == {"viewer": None}
    other = await new_org(api, "Other", "other")
    foreign = await api.data("mutation($id: ID!) { sessionEnd(input: {id: $id}) { userErrors { code } } }",
                             {"id": sam["id"]}, token=other.token)
    assert foreign["sessionEnd"]["userErrors"] == [{"code": "NOT_FOUND"}]


SESSIONS_PAGE = """query($id: ID!, $after: String) { node(id: $id) { ... on Device {
  sessions(first: 3, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } } } }"""


async def test_a_devices_older_sessions_are_read_page_by_page(api):
    org, device, device_id = await _setup(api)
    for _ in range(3):
        await pin_login(api, "24680", device)
    first = (await api.data(SESSIONS_PAGE, {"id": device_id}, token=org.token))["node"]["sessions"]
    # the admin's password login that approved it, and three PIN logins
    assert len(first["nodes"]) == 3 and first["pageInfo"]["hasNextPage"] is True
    rest = (await api.data(SESSIONS_PAGE, {"id": device_id, "after": first["pageInfo"]["endCursor"]},
                           token=org.token))["node"]["sessions"]
    assert len(rest["nodes"]) == 1 and rest["pageInfo"]["hasNextPage"] is False
    assert {n["id"] for n in first["nodes"]}.isdisjoint(n["id"] for n in rest["nodes"])
    bad = await api.post(SESSIONS_PAGE, {"id": device_id, "after": "not a cursor"}, token=org.token)
    assert [(e["path"], e["extensions"]["code"]) for e in bad["errors"]] == [(["node", "sessions"], "BAD_USER_INPUT")]
