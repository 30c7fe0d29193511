"""Every security-relevant event leaves an audit row."""

import asyncio

import asyncpg
import pytest

from gateway import hookimpl
from gateway.models import AuditLog, Session, User
from gateway.services import audit
from gateway.testing import make_client, plugin_manager
from tests.support import (
    REVOKE_CODE, USER_CREATE, add_pin_user, approved_register, code, configuration, enable_pins, new_org, pair,
    pin_login, pin_ready,
)


async def test_security_events_are_audited(api):
    org = await new_org(api)
    await enable_pins(api, org)
    await add_pin_user(api, org, "sam", "24680")
    created = await code(api, org, await configuration(api, org))
    paired = await pair(api, created["code"])
    await pair(api, "0000 0000 0000")
    await api.data(REVOKE_CODE, {"input": {"id": created["id"], "revokeDevices": True}}, token=org.token)
    device = await approved_register(api, org)
    for _ in range(5):
        await pin_login(api, "99999", device)
    device_id = [n["id"] for n in (await api.data("{ devices(status: APPROVED) { nodes { id } } }", token=org.token))["devices"]["nodes"]][0]
    await api.data("mutation($id: ID!) { deviceDelete(input: {id: $id}) { userErrors { code } } }", {"id": device_id}, token=org.token)
    await api.data("mutation { logout { userErrors { code } } }", token=org.token)
    types = set(await AuditLog.all().values_list("type", flat=True))
    assert {"code.created", "code.revoked", "device.paired", "pair.failed", "device.revoked", "device.approved",
            "device.deleted", "login.succeeded", "login.failed", "throttle.locked", "session.ended"} <= types
    assert paired["deviceToken"] not in str(await AuditLog.all().values_list("data", flat=True))
    deleted = await AuditLog.get(type="device.deleted")  # a deleted device keeps its history
    assert deleted.device_id == deleted.data["deleted_device_id"]
    assert await AuditLog.filter(device_id=deleted.device_id, type="device.approved").exists()
    failed = await AuditLog.filter(type="login.failed").first()
    assert failed.ip_address == "127.0.0.1" and "99999" not in str(failed.data)


class Recorder:
    def __init__(self):
        self.heard = []

    @hookimpl
    def on_audit_event(self, event):
        self.heard.append(event.type)


class AsyncRecorder(Recorder):
    @hookimpl
    async def on_audit_event(self, event):
        await asyncio.sleep(0)
        self.heard.append(event.type)


class Broken:
    @hookimpl
    def on_audit_event(self, event):
        raise RuntimeError("plugin bug")


async def test_sync_and_async_plugins_hear_events_and_a_broken_one_breaks_nothing(aiohttp_client, settings, caplog):
    sync, asynchronous = Recorder(), AsyncRecorder()
    api = await make_client(aiohttp_client, settings, plugin_manager(sync, Broken(), asynchronous))
    org = await new_org(api)
    created = await code(api, org, await configuration(api, org))
    assert created["status"] == "ACTIVE"  # the request went through
    for recorder in (sync, asynchronous):
        assert "configuration.created" in recorder.heard and "code.created" in recorder.heard
    assert "plugin bug" in caplog.text and "on_audit_event" in caplog.text


async def test_events_of_a_rolled_back_transaction_are_never_heard(aiohttp_client, settings):
    recorder = Recorder()
    plugins = plugin_manager(recorder)
    await make_client(aiohttp_client, settings, plugins)  # opens the database
    audit.bind_plugins(plugins)
    with pytest.raises(RuntimeError):
        async with audit.unit_of_work():
            await audit.record("test.rolled_back", organisation_id=None)
            raise RuntimeError("change failed")
    async with audit.unit_of_work():
        async with audit.unit_of_work():
            await audit.record("test.nested", organisation_id=None)
        assert recorder.heard == []  # not before the outermost commit
    assert recorder.heard == ["test.nested"]
    assert not await AuditLog.filter(type="test.rolled_back").exists()


async def test_plugins_hear_events_only_after_commit(aiohttp_client, postgres_settings):
    """Another connection can already read the row when the hook runs (PostgreSQL isolates uncommitted rows)."""
    seen_from_outside = []

    class Checker:
        @hookimpl
        async def on_audit_event(self, event):
            conn = await asyncpg.connect(postgres_settings.database_url.split("?")[0])
            try:
                seen_from_outside.append(await conn.fetchval("SELECT count(*) FROM audit_log WHERE id = $1", event.id))
            finally:
                await conn.close()

    api = await make_client(aiohttp_client, postgres_settings, plugin_manager(Checker()))
    org = await new_org(api)
    await configuration(api, org)
    assert seen_from_outside and all(count == 1 for count in seen_from_outside)


async def test_audit_events_query(api):
    org = await new_org(api)
    await configuration(api, org)
    await pair(api, "0000-0000-0000")
    data = await api.data('{ auditEvents(type: "configuration.created") { nodes { id type actor { username } ipAddress createdAt data } } }',
                          token=org.token)
    [event] = data["auditEvents"]["nodes"]
    assert event["type"] == "configuration.created" and event["actor"] == {"username": "admin"}
    assert event["ipAddress"] == "127.0.0.1" and "configuration_id" in event["data"]
    node = await api.data("query($id: ID!) { node(id: $id) { ... on AuditEvent { type } } }", {"id": event["id"]},
                          token=org.token)
    assert node["node"] == {"type": "configuration.created"}
    other = await new_org(api, "Other", "other")
    theirs = (await api.data("{ auditEvents { nodes { type } } }", token=other.token))["auditEvents"]["nodes"]
    assert theirs == [{"type": "login.succeeded"}]  # their own login only, nothing of the first organisation


async def _listening(aiohttp_client, settings):
    """The app with a plugin that keeps every audit event it hears: (api, the events heard)."""
    heard = []

    class Keeper:
        @hookimpl
        def on_audit_event(self, event):
            heard.append(event)

    return await make_client(aiohttp_client, settings, plugin_manager(Keeper())), heard


async def test_a_pin_login_is_heard_with_its_session_and_device(aiohttp_client, settings):
    """Plugins hear a PIN login as the audit row has it, with its session and device."""
    api, heard = await _listening(aiohttp_client, settings)
    org, device = await pin_ready(api)
    assert (await pin_login(api, "24680", device))["userErrors"] == []
    [event] = [e for e in heard if e.type == "login.succeeded" and e.data["method"] == "PIN"]
    session = await Session.get(method="PIN")
    assert event.data == {"method": "PIN", "session_id": session.id}
    assert (event.organisation_id, event.actor_user_id, event.device_id, event.ip_address) == (
        session.organisation_id, session.user_id, session.device_id, "127.0.0.1")
    row = await AuditLog.get(id=event.id)
    assert (row.type, row.data, row.created_at) == ("login.succeeded", event.data, event.created_at)


async def test_a_pin_collision_reaches_plugins_with_actor_and_target(aiohttp_client, settings):
    """Committed on its own: the TAKEN answer that follows rolls nothing back."""
    api, heard = await _listening(aiohttp_client, settings)
    org = await new_org(api)
    await add_pin_user(api, org, "sam", "24680")
    taken = await api.data(USER_CREATE, {"input": {"username": "kim", "role": "STAFF", "loginMethod": "PIN_ONLY",
                                                   "pin": "24680"}}, token=org.token)
    assert [e["code"] for e in taken["userCreate"]["userErrors"]] == ["TAKEN"]
    [event] = [e for e in heard if e.type == "pin.collision"]
    sam = await User.get(username="sam")
    assert (event.organisation_id, event.actor_user_id) == (org.id, org.admin.id)
    assert event.data == {"target_user_id": sam.id}
    assert await AuditLog.filter(id=event.id, type="pin.collision").exists()


async def test_an_event_type_longer_than_any_is_bad_user_input(api):
    """Longer than its column, the type once reached the ORM, which refused to compare it
    (INTERNAL_SERVER_ERROR)."""
    org = await new_org(api)
    body = await api.post("query($t: String) { auditEvents(type: $t) { nodes { id } } }", {"t": "x" * 65},
                          token=org.token)
    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"]
    assert (await api.data("query($t: String) { auditEvents(type: $t) { nodes { id } } }", {"t": "x" * 64},
                           token=org.token))["auditEvents"]["nodes"] == []
