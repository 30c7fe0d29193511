"""Changing an item's price at the register: an override only an ADMIN's PIN approves."""

from gateway import OverrideActionSpec, hookimpl


@hookimpl
def register_override_actions():
    return [OverrideActionSpec(key="PRICE_OVERRIDE", label="Change an item's price", approver_roles=("ADMIN",))]
