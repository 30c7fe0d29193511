"""The sessions list: newest first, filtered by device or user, paged from the top."""

from gateway.graphql import ids
from gateway.models import Session
from tests.support import login, new_org, pin_login, pin_ready

SESSIONS = """query($device: ID, $user: ID, $after: String) {
  sessions(deviceId: $device, userId: $user, first: 2, after: $after) {
    nodes { id method user { username } } pageInfo { hasNextPage endCursor } } }"""
AUDIT = "query($after: String) { auditEvents(first: 2, after: $after) { nodes { id } pageInfo { endCursor } } }"


async def test_sessions_come_newest_first_and_filter_by_device_and_user(api):
    org, register = await pin_ready(api)
    for _ in range(2):
        assert (await pin_login(api, "24680", register))["userErrors"] == []
    await login(api, "admin")
    newest = [ids.encode("Session", s.id) for s in await Session.all().order_by("-id")]

    page = (await api.data(SESSIONS, {}, token=org.token))["sessions"]
    assert [node["id"] for node in page["nodes"]] == newest[:2] and page["pageInfo"]["hasNextPage"]
    after = (await api.data(SESSIONS, {"after": page["pageInfo"]["endCursor"]}, token=org.token))["sessions"]
    assert [node["id"] for node in after["nodes"]] == newest[2:4]

    device = ids.encode("Device", (await Session.filter(method="PIN").first()).device_id)
    on_register = (await api.data(SESSIONS, {"device": device}, token=org.token))["sessions"]["nodes"]
    assert [node["method"] for node in on_register] == ["PIN", "PIN"]
    sam = ids.encode("User", (await Session.filter(method="PIN").first()).user_id)
    of_sam = (await api.data(SESSIONS, {"user": sam}, token=org.token))["sessions"]["nodes"]
    assert {node["user"]["username"] for node in of_sam} == {"sam"} and len(of_sam) == 2
    # An ID of another type, or of nothing, filters everything out rather than failing.
    assert (await api.data(SESSIONS, {"device": sam}, token=org.token))["sessions"]["nodes"] == []


async def test_the_audit_log_comes_newest_first(api):
    org = await new_org(api)
    await login(api, "admin")
    await login(api, "admin")
    first = (await api.data(AUDIT, {}, token=org.token))["auditEvents"]
    second = (await api.data(AUDIT, {"after": first["pageInfo"]["endCursor"]}, token=org.token))["auditEvents"]
    order = [ids.decode(node["id"], "AuditEvent") for node in first["nodes"] + second["nodes"]]
    assert order == sorted(order, reverse=True) and len(set(order)) == len(order)
