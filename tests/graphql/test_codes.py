"""Connection codes through the real app: creation rules, listing, QR, revocation, roles, tenancy."""

import base64
import os
import re
import shutil
import subprocess
from datetime import timedelta
from xml.etree import ElementTree

import pytest

from gateway.models import ConnectionCode, Role
from gateway.services.clock import utcnow
from tests.support import (
    login,
    CREATE_CODE, REVOKE_CODE, add_user, code, configuration, in_days, new_org, pair,
)

LIST = """query($status: ConnectionCodeStatus, $first: Int, $after: String) {
  connectionCodes(status: $status, first: $first, after: $after) {
    nodes { id status description } pageInfo { hasNextPage endCursor }
  }
}"""


async def _count_codes() -> int:
    return await ConnectionCode.all().count()


async def test_create_returns_a_readable_code_and_pairing_uri(api):
    org = await new_org(api)
    config_id = await configuration(api, org)
    created = await code(api, org, config_id, singleUse=True)
    assert re.fullmatch(r"\d{4}-\d{4}-\d{4}", created["code"])
    assert created["status"] == "ACTIVE" and created["useCount"] == 0 and created["singleUse"] is True
    assert created["configuration"] == {"id": config_id, "name": "Front counter"}
    assert created["createdBy"] == {"username": "admin"}
    digits = created["code"].replace("-", "")
    assert created["pairingUri"] == f"pairgate://pair?server=https%3A%2F%2Fpos.example.test&code={digits}"


@pytest.mark.parametrize("missing", ["description", "deviceType", "configurationId", "expiresAt"])
async def test_each_mandatory_field_missing_is_required_and_creates_nothing(api, missing):
    org = await new_org(api)
    values = {"description": "Bar iPad", "deviceType": "POS", "configurationId": await configuration(api, org),
              "expiresAt": in_days(1)}
    values[missing] = None
    data = await api.data(CREATE_CODE, {"input": values}, token=org.token)
    payload = data["connectionCodeCreate"]
    assert payload["connectionCode"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [("REQUIRED", ["input", missing])]
    assert await _count_codes() == 0


async def test_blank_description_is_required(api):
    org = await new_org(api)
    data = await api.data(CREATE_CODE, {"input": {"description": "   ", "deviceType": "POS",
                          "configurationId": await configuration(api, org), "expiresAt": in_days(1)}}, token=org.token)
    assert data["connectionCodeCreate"]["userErrors"][0]["code"] == "REQUIRED"


@pytest.mark.parametrize("expires, message", [
    (-1 / 24, "future"),
    (365.5, "365 days"),
])
async def test_expiry_must_be_future_and_within_a_year(api, expires, message):
    org = await new_org(api)
    data = await api.data(CREATE_CODE, {"input": {"description": "x", "deviceType": "POS",
                          "configurationId": await configuration(api, org), "expiresAt": in_days(expires)}}, token=org.token)
    errors = data["connectionCodeCreate"]["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID", ["input", "expiresAt"])]
    assert message in errors[0]["message"]
    assert await _count_codes() == 0


async def test_every_problem_is_reported_at_once(api):
    org = await new_org(api)
    data = await api.data(CREATE_CODE, {"input": {"description": "", "configurationId": "bm9wZTox",
                                                  "expiresAt": in_days(-1)}}, token=org.token)
    got = {(e["field"][1], e["code"]) for e in data["connectionCodeCreate"]["userErrors"]}
    assert got == {("description", "REQUIRED"), ("deviceType", "REQUIRED"),
                   ("configurationId", "NOT_FOUND"), ("expiresAt", "INVALID")}


async def test_unknown_device_type_is_refused_by_the_schema(api):
    org = await new_org(api)
    body = await api.post(CREATE_CODE, {"input": {"description": "x", "deviceType": "TOASTER",
                                                  "configurationId": await configuration(api, org),
                                                  "expiresAt": in_days(1)}}, token=org.token)
    assert body["data"] is None and "TOASTER" in body["errors"][0]["message"]
    assert await _count_codes() == 0


async def test_status_filter_and_pagination(api):
    org = await new_org(api)
    config_id = await configuration(api, org)
    active = [await code(api, org, config_id, description=f"active {i}") for i in range(3)]
    assert (await pair(api, active[0]["code"]))["userErrors"] == []  # a used multi-use code stays active
    used = await code(api, org, config_id, description="used", singleUse=True)
    assert (await pair(api, used["code"]))["userErrors"] == []
    revoked = await code(api, org, config_id, description="revoked")
    await api.data(REVOKE_CODE, {"input": {"id": revoked["id"]}}, token=org.token)
    expired = await code(api, org, config_id, description="expired")
    await ConnectionCode.filter(description="expired").update(expires_at=utcnow() - timedelta(seconds=1))

    async def listed(status=None, **page):
        return (await api.data(LIST, {"status": status, **page}, token=org.token))["connectionCodes"]

    assert [n["id"] for n in (await listed("ACTIVE"))["nodes"]] == [c["id"] for c in active]
    assert [n["id"] for n in (await listed("USED"))["nodes"]] == [used["id"]]
    assert [n["id"] for n in (await listed("REVOKED"))["nodes"]] == [revoked["id"]]
    assert [(n["id"], n["status"]) for n in (await listed("EXPIRED"))["nodes"]] == [(expired["id"], "EXPIRED")]
    first = await listed(first=4)
    assert len(first["nodes"]) == 4 and first["pageInfo"]["hasNextPage"] is True
    rest = await listed(first=4, after=first["pageInfo"]["endCursor"])
    assert [n["description"] for n in rest["nodes"]] == ["revoked", "expired"]
    assert rest["pageInfo"]["hasNextPage"] is False


async def test_first_above_100_is_refused(api):
    org = await new_org(api)
    body = await api.post(LIST, {"first": 101}, token=org.token)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "100" in body["errors"][0]["message"]


QR = """query($id: ID!, $format: QrFormat, $scale: Int) {
  node(id: $id) { ... on ConnectionCode { pairingUri qrCode(format: $format, scale: $scale) } }
}"""


async def test_qr_svg_and_png(api, tmp_path):
    org = await new_org(api)
    created = await code(api, org, await configuration(api, org))
    svg = (await api.data(QR, {"id": created["id"]}, token=org.token))["node"]["qrCode"]
    assert svg.startswith("<svg") and "</svg>" in svg
    assert ElementTree.fromstring(svg).tag == "{http://www.w3.org/2000/svg}svg"  # a document with its namespace
    node = (await api.data(QR, {"id": created["id"], "format": "PNG", "scale": 6}, token=org.token))["node"]
    prefix = "data:image/png;base64,"
    assert node["qrCode"].startswith(prefix)
    png = tmp_path / "code.png"
    png.write_bytes(base64.b64decode(node["qrCode"][len(prefix):]))
    if shutil.which("zbarimg") is None:
        if os.environ.get("CI"):
            pytest.fail("zbarimg (Debian zbar-tools) is required in CI to decode the QR code")
        pytest.skip("zbarimg not installed (apt-get install zbar-tools)")
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True, check=True)
    assert decoded.stdout.strip() == node["pairingUri"]


async def test_qr_scale_out_of_range_is_an_input_error(api):
    org = await new_org(api)
    created = await code(api, org, await configuration(api, org))
    body = await api.post(QR, {"id": created["id"], "scale": 50}, token=org.token)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_revoke_without_devices_keeps_devices(api):
    org = await new_org(api)
    created = await code(api, org, await configuration(api, org))
    device = (await pair(api, created["code"]))["device"]
    data = await api.data(REVOKE_CODE, {"input": {"id": created["id"]}}, token=org.token)
    payload = data["connectionCodeRevoke"]
    assert payload["userErrors"] == [] and payload["connectionCode"]["status"] == "REVOKED"
    assert payload["connectionCode"]["devices"]["nodes"] == [{"id": device["id"], "status": "APPROVED"}]
    again = await pair(api, created["code"])
    assert [e["code"] for e in again["userErrors"]] == ["REVOKED"] and again["deviceToken"] is None
    twice = await api.data(REVOKE_CODE, {"input": {"id": created["id"]}}, token=org.token)
    assert twice["connectionCodeRevoke"]["userErrors"][0]["code"] == "REVOKED"


async def test_revoke_with_devices_revokes_what_it_paired(api):
    org = await new_org(api)
    config_id = await configuration(api, org)
    created = await code(api, org, config_id)
    other = await code(api, org, config_id, description="other")
    paired = [(await pair(api, created["code"]))["device"]["id"] for _ in range(2)]
    kept = (await pair(api, other["code"]))["device"]["id"]
    data = await api.data(REVOKE_CODE, {"input": {"id": created["id"], "revokeDevices": True}}, token=org.token)
    assert data["connectionCodeRevoke"]["connectionCode"]["devices"]["nodes"] == [{"id": i, "status": "REVOKED"} for i in paired]
    devices = await api.data("{ devices { nodes { id status } } }", token=org.token)
    assert {n["id"]: n["status"] for n in devices["devices"]["nodes"]} == {
        paired[0]: "REVOKED", paired[1]: "REVOKED", kept: "APPROVED"}


async def test_codes_have_no_edit_mutation(api):
    body = await api.post("{ __type(name: \"Mutation\") { fields { name } } }")
    names = {f["name"] for f in body["data"]["__type"]["fields"]}
    assert {"connectionCodeCreate", "connectionCodeRevoke"} <= names
    assert not any(n.startswith("connectionCode") and n not in ("connectionCodeCreate", "connectionCodeRevoke")
                   for n in names)


@pytest.mark.parametrize("operation, variables", [
    (LIST, {}),
    (CREATE_CODE, {"input": {"description": "x", "deviceType": "POS", "expiresAt": in_days(1)}}),
    (REVOKE_CODE, {"input": {"id": "Q29ubmVjdGlvbkNvZGU6MQ"}}),
    ("{ devices { nodes { id } } }", {}),
    ("{ configurations { nodes { id } } }", {}),
])
async def test_staff_is_forbidden_and_strangers_unauthenticated(api, operation, variables):
    org = await new_org(api)
    await add_user(org, "sam", Role.STAFF)
    staff = await login(api, "sam")
    body = await api.post(operation, variables, token=staff)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await api.post(operation, variables)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await _count_codes() == 0


async def test_manager_administers_codes(api):
    org = await new_org(api)
    await add_user(org, "mia", Role.MANAGER)
    org.token = await login(api, "mia")
    created = await code(api, org, await configuration(api, org))
    assert created["createdBy"] == {"username": "mia"}


async def test_second_organisation_sees_nothing_of_the_first(api):
    first = await new_org(api, "First", "first")
    config_id = await configuration(api, first)
    created = await code(api, first, config_id)
    device = (await pair(api, created["code"]))["device"]
    second = await new_org(api, "Second", "second")

    listed = await api.data("{ connectionCodes { nodes { id } } devices { nodes { id } } "
                            "configurations { nodes { id } } }", token=second.token)
    assert listed == {"connectionCodes": {"nodes": []}, "devices": {"nodes": []}, "configurations": {"nodes": []}}
    for foreign in (created["id"], device["id"], config_id, first.gid):
        assert (await api.data("query($id: ID!) { node(id: $id) { id } }", {"id": foreign}, token=second.token)) == {"node": None}
    revoke = await api.data(REVOKE_CODE, {"input": {"id": created["id"]}}, token=second.token)
    unknown = await api.data(REVOKE_CODE, {"input": {"id": "Q29ubmVjdGlvbkNvZGU6OTk5"}}, token=second.token)
    assert revoke["connectionCodeRevoke"]["userErrors"] == unknown["connectionCodeRevoke"]["userErrors"]
    assert revoke["connectionCodeRevoke"]["userErrors"][0]["code"] == "NOT_FOUND"
    foreign_config = await api.data(CREATE_CODE, {"input": {"description": "x", "deviceType": "POS",
                                    "configurationId": config_id, "expiresAt": in_days(1)}}, token=second.token)
    assert foreign_config["connectionCodeCreate"]["userErrors"][0]["code"] == "NOT_FOUND"
    assert (await ConnectionCode.get(id=1)).revoked_at is None
