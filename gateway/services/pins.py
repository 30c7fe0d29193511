"""PINs: the rules come from plugins; only an HMAC is ever stored.

``HMAC-SHA256(secret key, organisation ‖ pin)`` under a unique index: the PIN
alone finds its user with one indexed lookup, the database enforces
uniqueness within an organisation, and a stolen database without the secret
key does not reveal a PIN (100,000 candidates per organisation are nothing to
brute-force against a plain hash, everything against an unknown 256-bit key).

The secret key can change (PAIRGATE_PREVIOUS_SECRET_KEYS keeps the earlier ones): each
stored PIN notes which key it is under (``key_id``), a PIN is looked up under every key at
once, and one found under an earlier key is stored again under the current key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache

from gateway.models import Organisation
from gateway.services.runtime import Runtime


def pin_hmac(secret_key: bytes, organisation_id: int, pin: str) -> str:
    keyed = _keyed(secret_key).copy()  # the key's setup is done once: a third of the cost, every PIN login
    keyed.update(f"{organisation_id}:{pin}".encode())
    return keyed.hexdigest()


def pin_hmacs(keys: tuple[bytes, ...], organisation_id: int, pin: str) -> list[str]:
    """The PIN's HMAC under each key, in the keys' order (the current key first)."""
    return [pin_hmac(key, organisation_id, pin) for key in keys]


def any_of(hmacs: list[str]) -> dict:
    """An ORM filter for a PIN stored under any of its ``hmacs``: a plain equality with one key."""
    return {"pin_hmac": hmacs[0]} if len(hmacs) == 1 else {"pin_hmac__in": hmacs}


@lru_cache(maxsize=8)
def key_id(secret_key: bytes) -> str:
    """A short name of a key, stored beside each PIN to tell which key it is under. Eight hex
    digits of a hash of the key: enough to tell a handful of keys apart, nothing about the key."""
    return hashlib.sha256(b"pairgate PIN key " + secret_key).hexdigest()[:8]


@lru_cache(maxsize=8)
def _keyed(secret_key: bytes) -> hmac.HMAC:
    return hmac.new(secret_key, digestmod=hashlib.sha256)


def problems(runtime: Runtime, organisation: Organisation, pin: str) -> list[str]:
    """Why ``pin`` cannot be used, in the words of the rules (built-in or plugin)."""
    rules = runtime.plugins.hook.pin_rules(organisation=organisation)
    if not (pin.isascii() and pin.isdigit() and len(pin) == rules.length):
        return [f"A PIN is exactly {rules.length} digits."]
    found: list[str] = []
    for answer in runtime.plugins.hook.validate_pin(pin=pin, organisation=organisation):
        found.extend(answer or [])
    return found


def generate(runtime: Runtime, organisation: Organisation) -> str:
    """A random PIN that the rules accept (uniqueness is the caller's: the index decides)."""
    rules = runtime.plugins.hook.pin_rules(organisation=organisation)
    for _ in range(1000):
        pin = "".join(secrets.choice("0123456789") for _ in range(rules.length))
        if not problems(runtime, organisation, pin):
            return pin
    raise RuntimeError("the PIN rules refuse every random PIN")
