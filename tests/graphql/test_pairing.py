"""devicePair through the real app: typing variants, token handling, every refusal, single use."""

import asyncio
from datetime import datetime, timedelta

import pytest

from gateway.models import AuditLog, ConnectionCode, Device, DeviceState
from gateway.services.clock import utcnow
from gateway.services.tokens import hash_token
from gateway import hookimpl
from gateway.plugins import get_plugin_manager
from tests.support import PAIR, REVOKE_CODE, code, configuration, make_client, new_org, pair, paired_with


@pytest.mark.parametrize("typed", [
    lambda c: c,
    lambda c: c.replace("-", ""),
    lambda c: " " + c.replace("-", " ") + " ",
    lambda c: c.replace("-", "")[:6] + "-" + c.replace("-", "")[6:],
])
async def test_pairs_with_the_code_typed_any_way(api, typed):
    org = await new_org(api)
    config_id = await configuration(api, org)
    created = await code(api, org, config_id, description="Bar iPad", deviceType="CUSTOMER_DISPLAY")
    result = await pair(api, typed(created["code"]))
    assert result["userErrors"] == []
    assert result["device"]["name"] == "Bar iPad"  # the code's description by default
    assert result["device"]["status"] == "APPROVED"
    assert result["device"]["deviceType"] == "CUSTOMER_DISPLAY"
    assert await paired_with(api, org, result["device"]["id"]) == {"id": created["id"]}
    assert result["configuration"] == {"id": config_id, "name": "Front counter"}


async def test_device_token_is_long_shown_once_and_stored_hashed(api):
    org = await new_org(api)
    created = await code(api, org, await configuration(api, org))
    result = await pair(api, created["code"], name="Till 2")
    token = result["deviceToken"]
    assert len(token) >= 43  # 32 random bytes, base64url
    device = await Device.get(name="Till 2")
    assert device.token_hash == hash_token(token) and token not in device.token_hash
    listed = await api.data("{ devices { nodes { name } } }", token=org.token)
    assert listed["devices"]["nodes"] == [{"name": "Till 2"}]


async def test_multi_use_code_pairs_many_devices(api):
    org = await new_org(api)
    created = await code(api, org, await configuration(api, org))
    tokens = {(await pair(api, created["code"]))["deviceToken"] for _ in range(3)}
    assert len(tokens) == 3
    data = await api.data("query($id: ID!) { node(id: $id) { ... on ConnectionCode { useCount status devices { nodes { id } } } } }",
                          {"id": created["id"]}, token=org.token)
    assert data["node"]["useCount"] == 3 and data["node"]["status"] == "ACTIVE" and len(data["node"]["devices"]["nodes"]) == 3


async def test_a_code_says_when_it_last_paired(api):
    org = await new_org(api)
    created = await code(api, org, await configuration(api, org))
    query = "query($id: ID!) { node(id: $id) { ... on ConnectionCode { lastPairedAt } } }"
    assert (await api.data(query, {"id": created["id"]}, token=org.token))["node"] == {"lastPairedAt": None}
    for name in ("Till 1", "Till 2"):
        await pair(api, created["code"], name=name)
    last = (await api.data(query, {"id": created["id"]}, token=org.token))["node"]["lastPairedAt"]
    newest = await Device.get(name="Till 2")
    assert abs(datetime.fromisoformat(last) - newest.approved_at) < timedelta(seconds=1)
    await Device.filter(name="Till 2").delete()  # the code still knows when it paired
    assert (await api.data(query, {"id": created["id"]}, token=org.token))["node"]["lastPairedAt"] == last


async def test_single_use_code_pairs_once(api):
    org = await new_org(api)
    created = await code(api, org, await configuration(api, org), singleUse=True)
    assert (await pair(api, created["code"]))["userErrors"] == []
    second = await pair(api, created["code"])
    assert [(e["code"], e["field"]) for e in second["userErrors"]] == [("ALREADY_USED", ["input", "code"])]
    assert second["deviceToken"] is None and second["device"] is None
    assert await Device.exclude(state=DeviceState.PENDING).count() == 1


@pytest.mark.parametrize("raw, expected", [("", "REQUIRED"), (" - ", "REQUIRED"), ("0000-0000-0000", "NOT_FOUND"),
                                           ("x" * 500, "NOT_FOUND")])
async def test_missing_and_unknown_codes(api, raw, expected):
    result = await pair(api, raw)
    assert [e["code"] for e in result["userErrors"]] == [expected]
    assert await Device.exclude(state=DeviceState.PENDING).count() == 0


async def test_expired_code_is_refused(api):
    org = await new_org(api)
    created = await code(api, org, await configuration(api, org))
    await ConnectionCode.all().update(expires_at=utcnow() - timedelta(seconds=1))
    result = await pair(api, created["code"])
    assert [e["code"] for e in result["userErrors"]] == ["EXPIRED"]
    assert await Device.exclude(state=DeviceState.PENDING).count() == 0


class FixedCodes:
    """A code-format plugin that repeats itself on purpose."""

    def __init__(self, *values):
        self.values = list(values)

    @hookimpl
    def generate_connection_code(self):
        return self.values.pop(0)


async def test_dead_code_values_are_reused_live_ones_never(aiohttp_client, settings):
    plugins = get_plugin_manager(load_entry_points=False)
    plugins.register(FixedCodes("111111111111", "111111111111", "222222222222", "111111111111"))
    api = await make_client(aiohttp_client, settings, plugins)
    org = await new_org(api)
    config_id = await configuration(api, org)
    first = await code(api, org, config_id, description="first")
    second = await code(api, org, config_id, description="second")
    assert (first["code"], second["code"]) == ("1111-1111-1111", "2222-2222-2222")  # the clash drew again
    await api.data(REVOKE_CODE, {"input": {"id": first["id"]}}, token=org.token)
    third = await code(api, org, config_id, description="third")
    assert third["code"] == "1111-1111-1111"  # a revoked code gives its value up
    result = await pair(api, "1111 1111 1111")
    assert result["userErrors"] == [] and await paired_with(api, org, result["device"]["id"]) == {"id": third["id"]}


async def test_name_too_long_is_invalid(api):
    org = await new_org(api)
    created = await code(api, org, await configuration(api, org))
    result = await pair(api, created["code"], name="x" * 201)
    assert [e["code"] for e in result["userErrors"]] == ["INVALID"]
    assert await ConnectionCode.get(id=1).values_list("use_count", flat=True) == 0


async def test_single_use_code_pairs_exactly_one_device_under_concurrency(aiohttp_client, postgres_settings):
    """50 devices redeem one single-use code at the same instant; exactly one wins.

    Only PostgreSQL can prove this: SQLite in one process runs every statement
    on one connection, one after another, so no two redemptions ever overlap.
    Here each request has its own pooled connection and the conditional UPDATE
    meets a real row lock.
    """
    api = await make_client(aiohttp_client, postgres_settings)
    org = await new_org(api)
    created = await code(api, org, await configuration(api, org), singleUse=True)
    results = await asyncio.gather(*(api.data(PAIR, {"input": {"code": created["code"]}}) for _ in range(50)))
    outcomes = [r["devicePair"]["userErrors"][0]["code"] if r["devicePair"]["userErrors"] else "PAIRED" for r in results]
    assert outcomes.count("PAIRED") == 1, outcomes
    assert outcomes.count("ALREADY_USED") == 49
    assert await Device.exclude(state=DeviceState.PENDING).count() == 1
    assert (await ConnectionCode.get(id=1)).use_count == 1


async def test_pairing_guesses_are_throttled_per_address(api):
    org = await new_org(api)
    created = await code(api, org, await configuration(api, org))
    for i in range(10):
        assert [e["code"] for e in (await pair(api, f"9999-0000-{i:04d}"))["userErrors"]] == ["NOT_FOUND"]
    locked = await pair(api, created["code"])
    assert [e["code"] for e in locked["userErrors"]] == ["THROTTLED"]
    assert locked["userErrors"][0]["retryAfterSeconds"] > 0
    locks = await AuditLog.filter(type="throttle.locked").values_list("data", flat=True)
    assert [lock["key"] for lock in locks] == ["pair:address"]
    assert locked["deviceToken"] is None
    assert (await ConnectionCode.get(id=1)).use_count == 0
