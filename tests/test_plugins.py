import pytest

from gateway import DeviceTypeSpec, hookimpl
from gateway.plugins import get_plugin_manager
from gateway.plugin_types import PluginError
from gateway.services.runtime import collect_device_types


def test_plugin_manager_is_a_fresh_factory_with_the_builtins():
    first, second = get_plugin_manager(load_entry_points=False), get_plugin_manager(load_entry_points=False)
    assert first is not second
    assert set(collect_device_types(first)) == {"POS", "CUSTOMER_DISPLAY"}
    assert len(first.hook.generate_connection_code()) == 12
    assert first.hook.pin_rules(organisation=None).length == 5


class Clashing:
    @hookimpl
    def register_device_types(self):
        return [DeviceTypeSpec("POS", "Another POS", True)]


class BadKey:
    @hookimpl
    def register_device_types(self):
        return [DeviceTypeSpec("kitchen-display", "Kitchen", False)]


@pytest.mark.parametrize("plugin, message", [(Clashing(), "already registered"), (BadKey(), "not a valid GraphQL enum name")])
def test_bad_device_types_stop_start_up_naming_the_plugin(plugin, message):
    pm = get_plugin_manager(load_entry_points=False)
    pm.register(plugin, name="acme-plugin")
    with pytest.raises(PluginError, match=message) as error:
        collect_device_types(pm)
    assert "acme-plugin" in str(error.value)
