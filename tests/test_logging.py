"""The request log: one line per request with its fields, in text and JSON, and never a secret.

The log is set up as ``pairgate serve`` sets it up (logs.configure), at DEBUG so that every
library's records are in the captured output too."""

from __future__ import annotations

import io
import json
import logging

import pytest

from gateway import logs
from gateway.settings import Settings
from tests.graphql.test_overrides import MANAGER_PIN, STAFF_PIN, register_with_staff
from tests.support import LOGIN_PASSWORD, LOGIN_PIN, PASSWORD, code, configuration, new_org, pair


@pytest.fixture(params=["text", "json"])
def captured(request, settings):
    """Every log record of the test, formatted as PAIRGATE_LOG_FORMAT says."""
    root = logging.getLogger()
    changed = [logging.getLogger(name) for name in ("pairgate", "aiohttp.access")]
    saved = (list(root.handlers), root.level, [logger.level for logger in changed])
    output = io.StringIO()
    logs.configure(Settings.from_env({"PAIRGATE_LOG_FORMAT": request.param, "PAIRGATE_LOG_LEVEL": "DEBUG"},
                                     database_url=settings.database_url, secret_key=settings.secret_key), output)
    output.format = request.param
    yield output
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])
    for logger, level in zip(changed, saved[2]):
        logger.setLevel(level)


def request_lines(output) -> list[dict]:
    """The request lines, as dicts (text lines parsed back from key=value)."""
    found = []
    for line in output.getvalue().splitlines():
        if output.format == "json":
            entry = json.loads(line)
            if entry["logger"] == "pairgate.request":
                found.append(entry)
        elif " pairgate.request request " in line:
            fields = {}
            for pair in line.split(" pairgate.request request ", 1)[1].split(" "):
                key, _, value = pair.partition("=")
                fields[key] = None if value == "-" else value
            found.append(fields)
    return found


async def test_each_request_has_a_line_with_its_fields(api, captured):
    org = await new_org(api)
    response = await api.client.post("/graphql", json={"query": "query Who { viewer { user { username } } }"},
                                     headers={"Authorization": f"Bearer {org.token}", "X-Request-Id": "req-42"})
    assert response.headers["X-Request-Id"] == "req-42"
    made_up = await api.client.post("/graphql", json={"query": "{ deviceTypes { key } }"},
                                    headers={"X-Request-Id": "not a plain token"})
    assert made_up.headers["X-Request-Id"] != "not a plain token" and len(made_up.headers["X-Request-Id"]) == 32

    lines = request_lines(captured)
    line = next(entry for entry in lines if entry["request_id"] == "req-42")
    assert (line["method"], line["path"], line["operation"], line["operation_type"], line["root_field"]) == (
        "POST", "/graphql", "Who", "query", "viewer")
    assert str(line["organisation_id"]) == str(org.id) and str(line["user_id"]) == str(org.admin.id)
    assert str(line["status"]) == "200" and line["outcome"] == "ok"
    assert float(line["duration_ms"]) >= 0 and int(line["sql_statements"]) >= 1
    anonymous = next(entry for entry in lines if entry["request_id"] == made_up.headers["X-Request-Id"])
    assert anonymous["root_field"] == "deviceTypes" and anonymous["user_id"] is None
    assert anonymous["operation"] is None  # an anonymous operation has no name

    # Every other GET path is a screen's (the back office's routes); a file that is not there is not.
    await api.client.get("/assets/nowhere.js", headers={"X-Request-Id": "lost"})
    lost = next(entry for entry in request_lines(captured) if entry["request_id"] == "lost")
    assert str(lost["status"]) == "404" and lost["outcome"] == "rejected"


async def test_a_login_is_logged_as_the_user_it_logged_in(api, captured):
    org = await new_org(api)
    await api.post(LOGIN_PASSWORD, {"u": "admin", "p": PASSWORD}, headers={"X-Request-Id": "the-login"})
    line = next(entry for entry in request_lines(captured) if entry["request_id"] == "the-login")
    assert str(line["user_id"]) == str(org.admin.id) and line["root_field"] == "loginWithPassword"


async def test_no_token_pin_password_or_pairing_code_reaches_the_log(api, captured):
    register = await register_with_staff(api)  # passwords, PINs and sam's PIN login, all logged
    org = register.org
    secrets = {PASSWORD, STAFF_PIN, MANAGER_PIN, register.device_token, register.session, org.token}

    login = await api.post(LOGIN_PASSWORD, {"u": "admin", "p": PASSWORD})
    secrets.add(login["data"]["loginWithPassword"]["token"])
    wrong = await api.post(LOGIN_PASSWORD, {"u": "admin", "p": "a wrong password guess"})
    assert wrong["data"]["loginWithPassword"]["userErrors"]
    secrets.add("a wrong password guess")
    pin = await api.post(LOGIN_PIN, {"pin": STAFF_PIN}, device_token=register.device_token)
    secrets.add(pin["data"]["loginWithPin"]["token"])
    await api.post(LOGIN_PIN, {"pin": "55555"}, device_token=register.device_token)  # nobody's
    secrets.add("55555")
    approved = await register.approve(api, MANAGER_PIN)
    secrets.add(approved["overrideToken"])
    connection_code = await code(api, org, await configuration(api, org))
    paired = await pair(api, connection_code["code"])
    secrets.update({connection_code["code"], connection_code["code"].replace("-", ""), paired["deviceToken"]})
    # A GET carries its variables in the query string (refused: a mutation, but still logged).
    await api.client.get("/graphql", params={"query": LOGIN_PIN, "variables": json.dumps({"pin": "77777"})})
    secrets.add("77777")

    output = captured.getvalue()
    assert len(request_lines(captured)) >= 10
    for secret in secrets:
        assert secret not in output, f"{secret!r} is in the log"


async def test_json_lines_are_json_and_text_lines_are_one_line(api, captured):
    await new_org(api)
    await api.post("query($v: String) { deviceTypes { key } }", {"v": "line one\nline two"},
                   headers={"X-Request-Id": "two-lines"})
    for line in captured.getvalue().splitlines():
        if captured.format == "json":
            json.loads(line)
    assert any("two-lines" in line for line in captured.getvalue().splitlines())
    assert "line two" not in captured.getvalue()


def test_settings_refuse_an_unknown_format_or_level():
    from gateway.settings import SettingsError

    with pytest.raises(SettingsError, match="PAIRGATE_LOG_FORMAT"):
        Settings.from_env({"PAIRGATE_LOG_FORMAT": "xml"}, database_url="sqlite://:memory:", secret_key="k" * 32)
    with pytest.raises(SettingsError, match="PAIRGATE_LOG_LEVEL"):
        Settings.from_env({"PAIRGATE_LOG_LEVEL": "chatty"}, database_url="sqlite://:memory:", secret_key="k" * 32)


def test_a_served_app_has_no_aiohttp_access_log(monkeypatch):
    """aiohttp's access line holds the query string, where a GET carries its variables."""
    from aiohttp import web

    from gateway import cli

    served = []
    monkeypatch.setattr(web, "run_app", lambda app, **kwargs: served.append(kwargs))
    cli._serve_one("127.0.0.1", 0, reuse_port=False, app=web.Application())
    assert served[0]["access_log"] is None
