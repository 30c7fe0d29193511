"""The default connection code: 12 random digits (about 40 bits)."""

import secrets

from gateway.plugin_types import hookimpl

CODE_DIGITS = 12


@hookimpl(trylast=True)
def generate_connection_code():
    return "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
