"""Refuse PINs that are easy to guess.

Configure extra PINs to refuse with ``PAIRGATE_PIN_BLOCKLIST`` (comma-separated)
and/or ``PAIRGATE_PIN_BLOCKLIST_FILE`` (one PIN per line, ``#`` comments).
Read on every call, so a change needs no restart.
"""

import os
from pathlib import Path

from gateway import hookimpl


def configured_blocklist() -> set[str]:
    pins = {p.strip() for p in os.environ.get("PAIRGATE_PIN_BLOCKLIST", "").split(",") if p.strip()}
    path = os.environ.get("PAIRGATE_PIN_BLOCKLIST_FILE")
    if path:
        for line in Path(path).read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                pins.add(line)
    return pins


def problems(pin: str, blocklist: set[str]) -> list[str]:
    found = []
    if len(set(pin)) == 1:
        found.append("A PIN of one repeated digit is too easy to guess.")
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:])}
    if len(pin) > 2 and steps in ({1}, {-1}):
        found.append("A run of consecutive digits (like 12345 or 98765) is too easy to guess.")
    if pin in blocklist:
        found.append("This PIN is on the organisation's blocklist.")
    return found


@hookimpl
def validate_pin(pin, organisation):
    return problems(pin, configured_blocklist())
