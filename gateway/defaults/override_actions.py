"""The actions every register asks a manager to approve: the ones that move money out of the till."""

from gateway.plugin_types import OverrideActionSpec, hookimpl


@hookimpl
def register_override_actions():
    return [
        OverrideActionSpec(key="REFUND", label="Refund"),
        OverrideActionSpec(key="VOID", label="Void a sale or a line"),
        OverrideActionSpec(key="DISCOUNT", label="Discount"),
        OverrideActionSpec(key="NO_SALE", label="Open the drawer without a sale"),
    ]
