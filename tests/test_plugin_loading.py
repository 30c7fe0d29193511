"""Plugins as an outsider ships them: an installed distribution with a `pairgate` entry point."""

import textwrap

import pytest

from gateway.graphql.schema import build_schema
from gateway.plugin_types import PluginError
from gateway.plugins import get_plugin_manager
from gateway.services.runtime import Runtime
from gateway.testing import fake_distribution, forget_modules, make_client
from tests.support import PAIR, USER_CREATE, code, configuration, enable_pins, new_org

KIOSK = textwrap.dedent('''
    from gateway import DeviceTypeSpec, hookimpl

    @hookimpl
    def register_device_types():
        return [DeviceTypeSpec("SELF_ORDER_KIOSK", "Self-order kiosk", supports_pin_login=True)]

    @hookimpl
    def validate_pin(pin, organisation):
        return ["At Acme no PIN starts with 0."] if pin.startswith("0") else []
''')


@pytest.fixture
def kiosk_installed(tmp_path, monkeypatch):
    fake_distribution(tmp_path / "site", "acme-kiosk", {"acme-kiosk": "acme_kiosk"}, {"acme_kiosk": KIOSK})
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    yield
    forget_modules("acme_kiosk")


async def test_an_installed_plugin_changes_schema_rules_and_pairing(kiosk_installed, aiohttp_client, settings):
    plugins = get_plugin_manager()
    assert plugins.has_plugin("acme-kiosk")
    sdl = build_schema(Runtime.build(settings, plugins)).as_str()
    assert "SELF_ORDER_KIOSK" in sdl.split("enum DeviceType {", 1)[1].split("}", 1)[0]

    api = await make_client(aiohttp_client, settings, plugins)
    types = (await api.data("{ deviceTypes { key label supportsPinLogin } }"))["deviceTypes"]
    assert {"key": "SELF_ORDER_KIOSK", "label": "Self-order kiosk", "supportsPinLogin": True} in types

    org = await new_org(api)
    created = await code(api, org, await configuration(api, org), deviceType="SELF_ORDER_KIOSK")
    paired = (await api.data(PAIR, {"input": {"code": created["code"]}}))["devicePair"]
    assert paired["userErrors"] == [] and paired["device"]["deviceType"] == "SELF_ORDER_KIOSK"

    await enable_pins(api, org)
    refused = await api.data(USER_CREATE, {"input": {"username": "sam", "role": "STAFF", "loginMethod": "PIN_ONLY",
                                                     "pin": "02468"}}, token=org.token)
    # Membership, not equality: other plugins installed on the machine may object too.
    assert ("INVALID", "At Acme no PIN starts with 0.") in [
        (e["code"], e["message"]) for e in refused["userCreate"]["userErrors"]]


def test_the_cli_exports_the_installed_device_types(kiosk_installed, tmp_path, monkeypatch, capsys):
    from gateway import cli

    monkeypatch.chdir(tmp_path)
    cli.main(["export-schema"])
    assert "SELF_ORDER_KIOSK" in capsys.readouterr().out


def test_disabled_plugins_are_skipped(kiosk_installed):
    assert not get_plugin_manager(disabled=["acme-kiosk"]).has_plugin("acme-kiosk")


@pytest.mark.parametrize("source, message", [
    ("import does_not_exist\n", "failed to import: ModuleNotFoundError"),
    ("from gateway import hookimpl\n@hookimpl\ndef register_device_type():\n    return []\n",
     "unknown hook 'register_device_type'"),
    ("from gateway import hookimpl\n@hookimpl\ndef validate_pin(pin, organisation, colour):\n    return []\n",
     "colour"),
    ("from gateway import DeviceTypeSpec, hookimpl\n@hookimpl\ndef register_device_types():\n"
     "    return [DeviceTypeSpec('POS', 'Mine', True)]\n", "already registered"),
    ("from gateway import DeviceTypeSpec, hookimpl\n@hookimpl\ndef register_device_types():\n"
     "    return [DeviceTypeSpec('kiosk-2', 'Mine', True)]\n", "not a valid GraphQL enum name"),
])
def test_a_broken_plugin_stops_start_up_naming_it(tmp_path, monkeypatch, settings, source, message):
    fake_distribution(tmp_path / "site", "broken-thing", {"broken-thing": "broken_thing"}, {"broken_thing": source})
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    try:
        with pytest.raises(PluginError) as error:
            Runtime.build(settings, get_plugin_manager())
    finally:
        forget_modules("broken_thing", "does_not_exist")
    assert "broken-thing" in str(error.value) and message in str(error.value)


def test_extra_modules_by_import_path(tmp_path, monkeypatch):
    (tmp_path / "dev_plugin.py").write_text(KIOSK)
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        assert get_plugin_manager(modules=["dev_plugin"], load_entry_points=False).has_plugin("dev_plugin")
        with pytest.raises(PluginError, match="'missing_plugin' .*failed to import"):
            get_plugin_manager(modules=["missing_plugin"], load_entry_points=False)
    finally:
        forget_modules("dev_plugin")


def test_the_cli_reports_a_broken_plugin_without_a_traceback(tmp_path, monkeypatch, capsys):
    from gateway import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PAIRGATE_PLUGINS", "missing_plugin")
    with pytest.raises(SystemExit) as stop:
        cli.main(["export-schema"])
    assert "pairgate: plugin 'missing_plugin'" in str(stop.value.code)
