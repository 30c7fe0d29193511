"""The screens in a real browser: the seed story end to end, the approval prompt, French,
GraphiQL offline, and no serious accessibility violation on any screen."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import ADMIN_PASSWORD, assert_accessible, screenshot

LIVE = 15_000  # ms to wait for what a subscription pushes; no reload happens meanwhile


def log_in_office(page, username="admin", password=ADMIN_PASSWORD):
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def nav(page, name):
    page.get_by_role("navigation").get_by_role("link", name=name).click()


def create_user(office, username, name, role, method="PIN only") -> str:
    office.get_by_label("Username").fill(username)
    office.get_by_label("Name", exact=True).fill(name)
    office.get_by_label("Role").select_option(label=role)
    office.get_by_label("Login method").select_option(label=method)
    office.get_by_label("Generate a PIN").check()
    office.get_by_role("button", name="Create the user").click()
    expect(office.get_by_text(f"PIN for {name}:")).to_be_visible()
    return office.get_by_test_id("generated-pin").inner_text()


def type_pin(register, pin, label="PIN code"):
    field = register.get_by_label(label)
    field.click()
    register.keyboard.type(pin)  # the PIN pad works from the keyboard
    register.keyboard.press("Enter")


def test_seed_story_back_office_and_register_side_by_side(pages):
    office = pages.open("/", width=1000)
    register = pages.open("/register", width=600)

    # The back office: log in, a configuration, a code.
    expect(office.get_by_role("heading", name="Log in")).to_be_visible()
    assert_accessible(office, "back office login")
    screenshot(office, "back-office-login")
    log_in_office(office)
    expect(office.get_by_role("heading", name="Connection codes")).to_be_visible()
    nav(office, "Configurations")
    office.get_by_label("Name", exact=True).fill("Bar")
    office.get_by_label("Description").fill("The bar's registers")
    office.get_by_role("button", name="Create the configuration").click()
    expect(office.get_by_role("cell", name="The bar's registers")).to_be_visible()
    assert_accessible(office, "configurations")

    nav(office, "Connection codes")
    office.get_by_role("button", name="Create a connection code").click()
    office.get_by_label("Description").fill("Bar register")
    office.get_by_label("Device type").select_option(label="POS device")
    office.get_by_label("Configuration").select_option(label="Bar")
    office.get_by_label("Single use").check()
    expect(office.get_by_text("A single-use code pairs only one register.")).to_be_visible()
    assert_accessible(office, "connection code form")
    screenshot(office, "connection-code-form")
    office.get_by_label("Single use").uncheck()
    office.get_by_role("button", name="Create the code").click()
    code = office.get_by_label("Connection code").inner_text()
    assert re.fullmatch(r"\d{4}-\d{4}-\d{4}", code), code
    expect(office.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    assert_accessible(office, "connection code")
    screenshot(office, "connection-code")

    # The register pairs by typing it; the code page learns it live.
    expect(register.get_by_role("heading", name="Pair this register")).to_be_visible()
    assert_accessible(register, "register pairing")
    screenshot(register, "register-pairing")
    register.get_by_label("Connection code").fill(code)
    register.get_by_label("Register name (optional)").fill("Till 1")
    register.get_by_role("button", name="Pair").click()
    expect(office.get_by_text("Paired: Till 1")).to_be_visible(timeout=LIVE)
    expect(office.get_by_text("Uses: 1")).to_be_visible()
    screenshot(office, "connection-code-paired")

    # PIN login on; three users with generated PINs.
    nav(office, "Log in with PIN code")
    switch = office.get_by_role("switch", name="PIN login")
    expect(switch).to_have_attribute("aria-checked", "false")
    switch.click()
    expect(switch).to_have_attribute("aria-checked", "true")
    expect(office.get_by_role("link", name="Till 1")).to_be_visible()
    assert_accessible(office, "PIN login and devices")
    nav(office, "Users")
    ana = create_user(office, "ana", "Ana", "Staff")
    assert_accessible(office, "users with a generated PIN")
    screenshot(office, "users-generated-pin")
    office.get_by_role("button", name="Done").click()
    bob = create_user(office, "bob", "Bob", "Staff")
    office.get_by_role("button", name="Done").click()
    marc = create_user(office, "marc", "Marc", "Manager")
    office.get_by_role("button", name="Done").click()

    # The register PIN-logs in (it asks thisDevice again on its own: PIN login was off when it paired).
    expect(register.get_by_role("heading", name="Enter your PIN")).to_be_visible(timeout=LIVE)
    assert_accessible(register, "PIN pad")
    screenshot(register, "register-pin-pad")
    register.get_by_label("PIN code").focus()
    register.keyboard.press("Tab")  # to the pad's first key: focus shows
    assert register.evaluate("getComputedStyle(document.activeElement).outlineStyle") not in ("none", "")
    type_pin(register, ana)
    expect(register.get_by_text("Logged in: Ana")).to_be_visible()
    assert_accessible(register, "sale screen")

    # Lock, and another user switches in.
    register.get_by_role("button", name="Lock").click()
    expect(register.get_by_text("Locked by Ana")).to_be_visible()
    assert_accessible(register, "lock screen")
    screenshot(register, "register-lock-screen")
    type_pin(register, bob)
    expect(register.get_by_text("Logged in: Bob")).to_be_visible()

    # A manager approves an override on the register.
    register.get_by_role("button", name="Manager override").click()
    dialog = register.get_by_role("dialog", name="Manager override")
    dialog.get_by_label("Action").select_option(label="Refund")
    dialog.get_by_label("Reason").fill("Damaged bottle")
    assert_accessible(register, "override dialog")
    screenshot(register, "register-override")
    type_pin(register, marc, label="Manager PIN")
    expect(dialog.get_by_text("Approved: Refund")).to_be_visible()
    dialog.get_by_role("button", name="Close").click()

    # The back office logs the register out: it is back on its PIN pad at once.
    nav(office, "Log in with PIN code")
    office.get_by_role("button", name="Actions for Till 1").click()
    office.get_by_role("table").get_by_role("button", name="Log out").click()
    expect(register.get_by_role("heading", name="Enter your PIN")).to_be_visible(timeout=LIVE)
    type_pin(register, bob)
    expect(register.get_by_text("Logged in: Bob")).to_be_visible()

    # The device's details, with its sessions, live.
    office.get_by_role("link", name="Till 1").click()
    expect(office.get_by_role("heading", name="Till 1")).to_be_visible()
    sessions = office.get_by_role("table")
    expect(sessions.get_by_role("row", name=re.compile("Ana.*User switched"))).to_be_visible()
    expect(sessions.get_by_role("row", name=re.compile("Bob.*Device logged out"))).to_be_visible()
    expect(sessions.get_by_role("row", name=re.compile("Bob.*Active"))).to_be_visible()
    register.get_by_role("button", name="Lock").click()
    expect(register.get_by_text("Locked by Bob")).to_be_visible()
    expect(sessions.get_by_role("row", name=re.compile("Bob.*Locked"))).to_be_visible(timeout=LIVE)
    expect(office.get_by_text("pairgate-web/0.1.0")).to_be_visible()
    assert_accessible(office, "device details")
    screenshot(office, "device-details")

    nav(office, "Audit log")
    expect(office.get_by_role("cell", name="override.approved")).to_be_visible()
    assert_accessible(office, "audit log")
    nav(office, "Connection codes")
    expect(office.get_by_role("row", name=re.compile("Bar register.*Active.*1"))).to_be_visible()
    assert_accessible(office, "connection codes")

    # The admin revokes the register: it returns to its pairing screen at once.
    nav(office, "Log in with PIN code")
    office.get_by_role("button", name="Actions for Till 1").click()
    office.get_by_role("button", name="Revoke").click()
    office.get_by_role("alertdialog").get_by_role("button", name="Revoke").click()
    expect(office.get_by_role("row", name=re.compile("Till 1.*Revoked"))).to_be_visible()
    expect(register.get_by_role("heading", name="Pair this register")).to_be_visible(timeout=LIVE)


def test_approval_prompt_with_dont_ask_again(pages, gateway):
    gateway.admin("mutation { organisationUpdate(input: {pinLoginEnabled: true}) { userErrors { code } } }")
    office = pages.open("/")
    log_in_office(office)
    expect(office.get_by_role("heading", name="Use this device for PIN login?")).to_be_visible()
    assert_accessible(office, "approval prompt")
    screenshot(office, "approval-prompt")
    office.get_by_role("button", name="Don't ask again").click()
    expect(office.get_by_role("heading", name="Connection codes")).to_be_visible()
    office.get_by_role("button", name="Log out").click()
    log_in_office(office)
    expect(office.get_by_role("heading", name="Connection codes")).to_be_visible()
    expect(office.get_by_role("heading", name="Use this device for PIN login?")).to_have_count(0)


def test_french_from_the_browser_language_and_the_switch(pages):
    register = pages.open("/register", locale="fr-FR")
    expect(register.get_by_role("heading", name="Associer cette caisse")).to_be_visible()
    expect(register.get_by_label("Code de connexion")).to_be_visible()
    assert register.evaluate("document.documentElement.lang") == "fr"
    assert_accessible(register, "register pairing, in French")
    office = pages.open("/", locale="fr-CA")
    expect(office.get_by_label("Nom d'utilisateur")).to_be_visible()
    expect(office.get_by_role("button", name="Se connecter")).to_be_visible()
    screenshot(office, "back-office-login-fr")
    office.get_by_label("Langue").select_option("en")
    expect(office.get_by_label("Username")).to_be_visible()
    english = pages.open("/", locale="en-US")
    english.get_by_label("Language").select_option("fr")
    expect(english.get_by_role("heading", name="Connexion")).to_be_visible()


def test_graphiql_works_offline(pages):
    page = pages.open("/graphql")
    expect(page.locator(".graphiql-container")).to_be_visible()
    expect(page.locator(".graphiql-query-editor")).to_contain_text("deviceTypes")
    page.wait_for_load_state("networkidle")  # the schema's introspection, before running
    page.get_by_role("button", name=re.compile("Execute query", re.I)).click()
    expect(page.locator(".result-window")).to_contain_text("CUSTOMER_DISPLAY")
    screenshot(page, "graphiql")
    # The pages fixture then checks that no page asked any other host for anything.
    assert any("/assets/" in url for url in pages.requests)


def test_register_pairs_with_the_pairing_uri_its_qr_code_holds(pages, gateway):
    from datetime import datetime, timedelta, timezone

    configuration = gateway.admin('mutation { configurationCreate(input: {name: "Terrace"}) { configuration { id } } }')
    expires = (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()
    code = gateway.admin(
        "mutation($c: ID!, $e: DateTime!) { connectionCodeCreate(input: {description: \"Terrace\", deviceType: POS,"
        " configurationId: $c, expiresAt: $e, singleUse: true}) { connectionCode { pairingUri } } }",
        {"c": configuration["configurationCreate"]["configuration"]["id"], "e": expires},
    )["connectionCodeCreate"]["connectionCode"]
    assert code["pairingUri"].startswith("pairgate://pair?")
    register = pages.open("/register")
    register.get_by_label("Connection code").fill(code["pairingUri"])
    register.get_by_role("button", name="Pair").click()
    expect(register.get_by_role("heading", name=re.compile("^(Enter your PIN|Log in)$"))).to_be_visible()
    assert_accessible(register, "register after pairing")
    assert register.evaluate("localStorage.getItem('pairgate.register.device')")
    # The same single-use code again, on another register: a precise error.
    other = pages.open("/register")
    other.get_by_label("Connection code").fill(code["pairingUri"])
    other.get_by_role("button", name="Pair").click()
    expect(other.get_by_role("alert")).to_contain_text("Already used.")
    assert_accessible(other, "register pairing with an error")

    # Revoking the code from the back office, with its devices: the register is back to pairing.
    office = pages.open("/codes", office_session=gateway.admin_token())
    office.get_by_role("link", name="Terrace").click()
    office.get_by_role("button", name="Revoke this code").click()
    banner = office.get_by_role("alertdialog", name="Revoke this code?")
    banner.get_by_label("Also revoke the device it paired").check()
    assert_accessible(office, "revoke confirmation banner")
    screenshot(office, "connection-code-revoke")
    banner.get_by_role("button", name="Revoke").click()
    expect(office.get_by_text("Status: Revoked")).to_be_visible()
    expect(register.get_by_role("heading", name="Pair this register")).to_be_visible(timeout=LIVE)

    # The revoked device is still listed: rename it, then delete it.
    nav(office, "Log in with PIN code")
    office.get_by_role("button", name="Actions for Terrace").click()
    office.get_by_role("button", name="Rename").click()
    office.get_by_label("New name").fill("Old terrace till")
    office.get_by_role("button", name="Rename").click()
    expect(office.get_by_role("row", name=re.compile("Old terrace till.*Revoked"))).to_be_visible()
    office.get_by_role("button", name="Actions for Old terrace till").click()
    office.get_by_role("button", name="Delete").click()
    office.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(office.get_by_role("link", name="Old terrace till")).to_have_count(0)
