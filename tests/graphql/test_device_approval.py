"""Device approval after a password login, from settings, and its prompt states."""

from gateway.models import Role
from tests.support import (
    APPROVE, DECLINE, ORG_UPDATE, add_user, enable_pins, new_org, password_login,
)

THIS = "{ thisDevice { known approved pinLoginAvailable name organisationName } }"


async def test_prompt_decline_once_prompt_dont_ask_again_suppressed_approve_from_settings(api):
    org = await new_org(api)
    await enable_pins(api, org)
    first = await password_login(api, "admin")
    device = first["deviceToken"]
    assert device and first["deviceApproval"] == "PROMPT"

    declined = await api.data(DECLINE, {"d": False}, token=first["token"], device_token=device)
    assert declined["deviceDeclineApproval"]["userErrors"] == []
    second = await password_login(api, "admin", device)
    assert second["deviceToken"] is None  # the device is known now
    assert second["deviceApproval"] == "PROMPT"

    await api.data(DECLINE, {"d": True}, token=second["token"], device_token=device)
    third = await password_login(api, "admin", device)
    assert third["deviceApproval"] == "SUPPRESSED"
    assert (await api.data(THIS, device_token=device))["thisDevice"]["approved"] is False

    approved = await api.data(APPROVE, {"name": "Bar till"}, token=third["token"], device_token=device)
    assert approved["deviceApprove"]["device"]["status"] == "APPROVED"
    fourth = await password_login(api, "admin", device)
    assert fourth["deviceApproval"] == "NOT_NEEDED"
    assert (await api.data(THIS, device_token=device))["thisDevice"] == {
        "known": True, "approved": True, "pinLoginAvailable": True, "name": "Bar till", "organisationName": "Bistro"}


async def test_staff_and_pin_off_are_not_prompted(api):
    org = await new_org(api)
    off = await password_login(api, "admin")
    assert off["deviceApproval"] == "NOT_NEEDED"  # PIN login is off
    await enable_pins(api, org)
    await add_user(org, "sam", Role.STAFF)
    staff = await password_login(api, "sam")
    assert staff["deviceApproval"] == "NOT_NEEDED" and staff["deviceToken"]
    # STAFF cannot approve.
    body = await api.post(APPROVE, {"name": "x"}, token=staff["token"], device_token=staff["deviceToken"])
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_never_approved_devices_are_not_listed(api):
    org = await new_org(api)
    await password_login(api, "admin")
    listed = await api.data("{ devices { nodes { id } } }", token=org.token)
    assert listed["devices"]["nodes"] == []


async def test_approve_needs_a_name_and_a_device(api):
    org = await new_org(api)
    login = await password_login(api, "admin")
    unnamed = await api.data(APPROVE, {"name": " "}, token=login["token"], device_token=login["deviceToken"])
    assert unnamed["deviceApprove"]["userErrors"][0]["code"] == "REQUIRED"
    no_device = await api.data(APPROVE, {"name": "Till"}, token=org.token)
    assert no_device["deviceApprove"]["userErrors"][0]["code"] == "NOT_FOUND"


async def test_a_device_token_of_another_organisation_is_not_reused(api):
    first = await new_org(api, "First", "first")
    login = await password_login(api, "first")
    await new_org(api, "Second", "second")
    other = await password_login(api, "second", login["deviceToken"])
    assert other["deviceToken"] and other["deviceToken"] != login["deviceToken"]
    refused = await api.data(APPROVE, {"name": "Mine"}, token=other["token"], device_token=login["deviceToken"])
    assert refused["deviceApprove"]["userErrors"][0]["code"] == "NOT_FOUND"
    assert first.id != 0


async def test_this_device_for_unknown_and_for_customer_displays(api):
    assert (await api.data(THIS))["thisDevice"] == {
        "known": False, "approved": False, "pinLoginAvailable": False, "name": None, "organisationName": None}
    assert (await api.data(THIS, device_token="made-up"))["thisDevice"]["known"] is False


async def test_organisation_settings_are_validated(api):
    org = await new_org(api)
    fresh = await api.data("{ organisation { pinLoginEnabled sessionIdleMinutes sessionMaxHours } }", token=org.token)
    assert fresh["organisation"] == {"pinLoginEnabled": False, "sessionIdleMinutes": 15, "sessionMaxHours": 12}
    bad = await api.data(ORG_UPDATE, {"input": {"sessionIdleMinutes": 0, "sessionMaxHours": 1000}}, token=org.token)
    assert {e["field"][1] for e in bad["organisationUpdate"]["userErrors"]} == {"sessionIdleMinutes", "sessionMaxHours"}
    good = await api.data(ORG_UPDATE, {"input": {"sessionIdleMinutes": 30, "sessionMaxHours": 10}}, token=org.token)
    assert good["organisationUpdate"]["organisation"] == {"pinLoginEnabled": False, "sessionIdleMinutes": 30,
                                                          "sessionMaxHours": 10}
    defaults = await api.data("{ organisation { sessionIdleMinutes sessionMaxHours } }", token=org.token)
    assert defaults["organisation"] == {"sessionIdleMinutes": 30, "sessionMaxHours": 10}
