"""The default PIN policy: exactly five digits, nothing more."""

from gateway.plugin_types import PinRules, hookimpl


@hookimpl(trylast=True)
def pin_rules(organisation):
    return PinRules(length=5)


@hookimpl
def validate_pin(pin, organisation):
    return []
