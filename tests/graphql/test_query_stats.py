"""The N+1 guard: a list's SQL count does not grow with its length."""

import pytest

from gateway.models import ConnectionCode, Device, DeviceState
from gateway.services.clock import utcnow
from tests.support import LOGIN_PIN, code, configuration, new_org, pin_ready

# Nested lists ask for a few items: at their defaults (20 or 100 per parent), 100
# rows of these would pass the 20,000-object limit (limits.NodeLimit).
EVERYTHING = """{
  connectionCodes(first: 100) {
    nodes {
      id code status configuration { id name devices(first: 5) { nodes { id } } } createdBy { username }
      devices(first: 5) { nodes { id name configuration { id } pairedWith { id createdBy { id } } approvedBy { username } } }
    }
  }
}"""


async def _seed(org, start: int, how_many: int) -> None:
    """Codes ``start..start+how_many`` with two devices each."""
    template = await ConnectionCode.get(id=1)
    numbers = range(start, start + how_many)
    rows = [ConnectionCode(organisation_id=org.id, value=f"{i:012d}", lookup_value=f"{i:012d}",
                           description=f"code {i}", device_type="POS", configuration_id=template.configuration_id,
                           expires_at=template.expires_at, created_by_id=org.admin.id) for i in numbers]
    await ConnectionCode.bulk_create(rows)
    codes = await ConnectionCode.filter(lookup_value__in=[f"{i:012d}" for i in numbers])
    await Device.bulk_create([
        Device(organisation_id=org.id, name=f"d{c.id}-{n}", device_type="POS", state=DeviceState.APPROVED,
               token_hash=f"{c.id:032d}{n:032d}", configuration_id=c.configuration_id, paired_with_id=c.id,
               approved_by_id=org.admin.id)
        for c in codes for n in range(2)
    ])


async def test_every_response_reports_sql_statements(api):
    body = await api.post("{ __typename }")
    assert body["extensions"]["sql"]["queries"] == 0
    org = await new_org(api)
    body = await api.post("{ viewer { user { id } } }", token=org.token)
    assert body["extensions"]["sql"]["queries"] >= 1


async def test_listing_10_or_100_codes_with_relations_costs_the_same(api):
    org = await new_org(api)
    config_id = await configuration(api, org)
    await code(api, org, config_id)
    await _seed(org, 0, 9)
    small = await api.post(EVERYTHING, token=org.token)
    assert len(small["data"]["connectionCodes"]["nodes"]) == 10
    await _seed(org, 9, 90)
    large = await api.post(EVERYTHING, token=org.token)
    assert len(large["data"]["connectionCodes"]["nodes"]) == 100
    assert len(large["data"]["connectionCodes"]["nodes"][-1]["devices"]["nodes"]) == 2
    print("sql statements for 10 and 100 codes:", small["extensions"]["sql"]["queries"], large["extensions"]["sql"]["queries"])
    assert small["extensions"]["sql"]["queries"] == large["extensions"]["sql"]["queries"]
    assert large["extensions"]["sql"]["queries"] <= 10


# One root list per document: sibling root fields resolve concurrently, so which
# of them warms a loader first is a race; within one list the order is fixed.
LISTS_WITH_SESSIONS = {
    "devices": """{ devices(first: 100) { nodes { id name configuration { id } pairedWith { id }
                    sessions(first: 5) { nodes { user { username sessions(first: 5) { nodes { id } } } device { id } } } } } }""",
    "sessions": ("{ sessions(first: 100) { nodes { user { username sessions { nodes { id } } }"
                 " device { name sessions { nodes { id } } } } } }"),
    "users": "{ users(first: 100) { nodes { sessions { nodes { device { name } } } } } }",
}


async def _devices_with_sessions(org, start: int, how_many: int) -> None:
    from gateway.models import AuthMethod, Session

    now = utcnow()
    await Device.bulk_create([
        Device(organisation_id=org.id, name=f"till {i}", device_type="POS", state=DeviceState.APPROVED,
               token_hash=f"{i:064d}") for i in range(start, start + how_many)])
    await Session.bulk_create([
        Session(organisation_id=org.id, user_id=org.admin.id, device_id=d.id, method=AuthMethod.PIN,
                token_hash=f"s{d.id:063d}", last_seen_at=now, expires_at=now)
        for d in await Device.filter(name__startswith="till ", sessions=None)])


@pytest.mark.parametrize("name", LISTS_WITH_SESSIONS)
async def test_devices_sessions_and_users_lists_cost_the_same_at_10_and_100(api, name):
    org = await new_org(api)
    await _devices_with_sessions(org, 0, 10)
    small = await api.post(LISTS_WITH_SESSIONS[name], token=org.token)
    await _devices_with_sessions(org, 10, 90)
    large = await api.post(LISTS_WITH_SESSIONS[name], token=org.token)
    assert "errors" not in large
    if name != "users":
        assert len(small["data"][name]["nodes"]) >= 10 and len(large["data"][name]["nodes"]) == 100
    print(f"sql statements for 10 and 100 {name}:", small["extensions"]["sql"]["queries"], large["extensions"]["sql"]["queries"])
    assert small["extensions"]["sql"]["queries"] == large["extensions"]["sql"]["queries"]


# The page `make bench` measures (bench/run.py). Above, every session is the admin's and no
# device has a configuration, so a users or configurations loader that went one row at a
# time would still cost one statement there; here each device has its own configuration,
# more sessions than the page shows, and its sessions' users are as many as the devices.
DEVICES_PAGE = """{ devices(first: 100) { nodes { id name status configuration { name }
                   sessions(first: 5) { nodes { createdAt ipAddress user { username displayName } } } } } }"""


async def _devices_with_users(org, start: int, how_many: int) -> None:
    """Devices ``start..start+how_many``, each with a configuration and a user of its own, and 6
    sessions: one by each of the users of itself and the next 5 devices of the batch."""
    from gateway.models import AuthMethod, Configuration, LoginMethod, Role, Session, User

    numbers = range(start, start + how_many)
    await Configuration.bulk_create([Configuration(organisation_id=org.id, name=f"profile {i}") for i in numbers])
    await User.bulk_create([User(organisation_id=org.id, username=f"clerk-{i}", display_name=f"Clerk {i}",
                                 role=Role.STAFF, login_method=LoginMethod.PIN_ONLY) for i in numbers])
    profiles = {c.name: c.id for c in await Configuration.filter(organisation_id=org.id)}
    await Device.bulk_create([
        Device(organisation_id=org.id, name=f"register {i}", device_type="POS", state=DeviceState.APPROVED,
               token_hash=f"d{i:063d}", configuration_id=profiles[f"profile {i}"]) for i in numbers])
    users = [u.id for u in await User.filter(username__in=[f"clerk-{i}" for i in numbers]).order_by("id")]
    devices = await Device.filter(name__in=[f"register {i}" for i in numbers]).order_by("id")
    now = utcnow()
    await Session.bulk_create([
        Session(organisation_id=org.id, user_id=users[(n + k) % how_many], device_id=d.id, method=AuthMethod.PIN,
                token_hash=f"s{d.id:031d}{k:032d}", ip_address=f"10.0.{n}.{k}", last_seen_at=now, expires_at=now)
        for n, d in enumerate(devices) for k in range(6)])


async def test_the_benchmarked_devices_page_costs_the_same_at_10_and_100(api):
    org = await new_org(api)
    await _devices_with_users(org, 0, 10)
    small = await api.post(DEVICES_PAGE, token=org.token)
    await _devices_with_users(org, 10, 90)
    large = await api.post(DEVICES_PAGE, token=org.token)
    for body, items in ((small, 10), (large, 100)):
        assert "errors" not in body
        nodes = body["data"]["devices"]["nodes"]
        assert len(nodes) == items and all(len(node["sessions"]["nodes"]) == 5 for node in nodes)
        assert len({node["configuration"]["name"] for node in nodes}) == items
        assert len({s["user"]["username"] for node in nodes for s in node["sessions"]["nodes"]}) == items
    print("sql statements for a page of 10 and 100 devices with sessions and users:",
          small["extensions"]["sql"]["queries"], large["extensions"]["sql"]["queries"])
    assert small["extensions"]["sql"]["queries"] == large["extensions"]["sql"]["queries"]


async def _configurations_and_events(org, start: int, how_many: int) -> None:
    from gateway.models import AuditLog, Configuration

    await Configuration.bulk_create([Configuration(organisation_id=org.id, name=f"profile {i}")
                                     for i in range(start, start + how_many)])
    devices = await Device.filter(organisation_id=org.id, name__startswith="till ")
    configurations = await Configuration.filter(organisation_id=org.id).order_by("id")
    for device, profile in zip(devices, configurations):
        device.configuration_id = profile.id
        await device.save(update_fields=["configuration_id"])
    await AuditLog.bulk_create([AuditLog(organisation_id=org.id, type="bench.event", actor_id=org.admin.id,
                                         device_id=devices[i % len(devices)].id, data={}) for i in range(how_many)])


OTHER_LISTS = {
    "configurations": ("{ configurations(first: 100) { nodes { name devices(first: 5) { nodes { name"
                       " sessions(first: 5) { nodes { user { username } } } } } } } }"),
    "auditEvents": '{ auditEvents(first: 100, type: "bench.event") { nodes { type actor { username } device { name configuration { name } } } } }',
}


@pytest.mark.parametrize("name", OTHER_LISTS)
async def test_configurations_and_audit_events_cost_the_same_at_10_and_100(api, name):
    org = await new_org(api)
    await _devices_with_sessions(org, 0, 100)
    await _configurations_and_events(org, 0, 10)
    small = await api.post(OTHER_LISTS[name], token=org.token)
    await _configurations_and_events(org, 10, 90)
    large = await api.post(OTHER_LISTS[name], token=org.token)
    assert "errors" not in large and len(large["data"][name]["nodes"]) == 100
    assert len(small["data"][name]["nodes"]) == 10
    print(f"sql statements for 10 and 100 {name}:", small["extensions"]["sql"]["queries"], large["extensions"]["sql"]["queries"])
    assert small["extensions"]["sql"]["queries"] == large["extensions"]["sql"]["queries"]


async def test_a_pin_login_costs_a_fixed_number_of_statements(api):
    """One transaction of a few plain statements (services/auth.py: login_with_pin), the same
    for the first login on a device and every later one: nothing is cached between requests."""
    org, device = await pin_ready(api)
    counts = []
    for _ in range(3):
        body = await api.post(LOGIN_PIN, {"pin": "24680"}, device_token=device)
        assert body["data"]["loginWithPin"]["userErrors"] == []
        counts.append(body["extensions"]["sql"]["queries"])
    print("sql statements per PIN login:", counts)
    assert counts[1] == counts[2] and max(counts) <= 10
