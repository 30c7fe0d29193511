"""Refuse the PINs an organisation lists (birthdays, the shop's street number…).

List them in ``PAIRGATE_PIN_BLOCKLIST`` (comma-separated) and/or
``PAIRGATE_PIN_BLOCKLIST_FILE`` (one PIN per line, ``#`` comments). Read on
every call, so a change needs no restart. The core already refuses one digit
repeated and runs like 12345 or 98765.
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
    return ["This PIN is on the organisation's blocklist."] if pin in blocklist else []


@hookimpl
def validate_pin(pin, organisation):
    return problems(pin, configured_blocklist())
