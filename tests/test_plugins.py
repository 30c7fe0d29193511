import re

import pytest

from gateway import DeviceTypeSpec, OverrideActionSpec, hookimpl
from gateway.models import Role
from gateway.plugins import get_plugin_manager
from gateway.plugin_types import PluginError
from gateway.services.runtime import collect_device_types, collect_override_actions


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


def test_the_built_in_override_actions_are_approved_by_admins_and_managers():
    actions = collect_override_actions(get_plugin_manager(load_entry_points=False))
    assert list(actions) == ["REFUND", "VOID", "DISCOUNT", "NO_SALE"]
    assert {spec.approver_roles for spec in actions.values()} == {("ADMIN", "MANAGER")}


class ActionClash:
    @hookimpl
    def register_override_actions(self):
        return [OverrideActionSpec("REFUND", "Another refund")]


class ActionBadKey:
    @hookimpl
    def register_override_actions(self):
        return [OverrideActionSpec("price-change", "Price change")]


class ActionBadRole:
    @hookimpl
    def register_override_actions(self):
        return [OverrideActionSpec("PRICE_CHANGE", "Price change", approver_roles=("OWNER",))]


class ActionOneString:
    @hookimpl
    def register_override_actions(self):
        return [OverrideActionSpec("PRICE_CHANGE", "Price change", approver_roles="ADMIN")]


class ActionNobody:
    @hookimpl
    def register_override_actions(self):
        return [OverrideActionSpec("PRICE_CHANGE", "Price change", approver_roles=())]


class ActionNotASpec:
    @hookimpl
    def register_override_actions(self):
        return [DeviceTypeSpec("PRICE_CHANGE", "Price change", False)]


@pytest.mark.parametrize("plugin, message", [
    (ActionClash(), "override action key 'REFUND' is already registered by 'gateway.defaults.override_actions'"),
    (ActionBadKey(), "override action key 'price-change' is not a valid GraphQL enum name"),
    (ActionBadRole(), "'OWNER' is not a role"),
    (ActionOneString(), "approver_roles must be a non-empty tuple of roles"),
    (ActionNobody(), "approver_roles must be a non-empty tuple of roles"),
    (ActionNotASpec(), "must return OverrideActionSpec"),
])
def test_bad_override_actions_stop_start_up_naming_the_plugin(plugin, message):
    pm = get_plugin_manager(load_entry_points=False)
    pm.register(plugin, name="acme-plugin")
    with pytest.raises(PluginError, match=re.escape(message)) as error:
        collect_override_actions(pm)
    assert "acme-plugin" in str(error.value)


def test_approver_roles_are_kept_as_role_names_whatever_the_plugin_passed():
    class Listed:
        @hookimpl
        def register_override_actions(self):
            return [OverrideActionSpec("PRICE_CHANGE", "Price change", approver_roles=[Role.ADMIN, "ADMIN"])]

    pm = get_plugin_manager(load_entry_points=False)
    pm.register(Listed())
    assert collect_override_actions(pm)["PRICE_CHANGE"].approver_roles == ("ADMIN",)
