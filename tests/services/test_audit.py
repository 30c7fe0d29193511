"""Every security event of DESIGN §5 leaves an audit row."""

from gateway.models import AuditLog
from tests.support import (
    REVOKE_CODE, add_pin_user, approved_register, code, configuration, enable_pins, new_org, pair, pin_login,
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
    failed = await AuditLog.filter(type="login.failed").first()
    assert failed.ip_address == "127.0.0.1" and "99999" not in str(failed.data)
