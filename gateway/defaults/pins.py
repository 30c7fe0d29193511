"""The default PIN policy: exactly five digits, none of the PINs people try first."""

from gateway.plugin_types import PinRules, hookimpl

REPEATED = "A PIN of one digit repeated (like 11111) is too easy to guess: choose another."
RUN = "A run of consecutive digits (like 12345 or 98765) is too easy to guess: choose another."


@hookimpl(trylast=True)
def pin_rules(organisation):
    return PinRules(length=5)


@hookimpl
def validate_pin(pin, organisation):
    """Refuse one digit repeated and straight runs up or down: the first guesses at any PIN pad."""
    if len(pin) < 3:  # a run or a repeat takes three digits at least
        return []
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:])}
    if steps == {0}:
        return [REPEATED]
    if steps in ({1}, {-1}):
        return [RUN]
    return []
