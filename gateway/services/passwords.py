"""Argon2id password hashing, always off the event loop."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2-cffi's defaults follow RFC 9106's second recommended profile
# (t=3, m=64 MiB, p=4), well above OWASP's minimum (m=19 MiB, t=2, p=1): about
# 115 ms per hash here (bench/argon2_cost.py). Hashing runs in a pool of its
# own, one thread fewer than the cores, so a burst of password logins queues
# there and always leaves a core to the event loop serving PIN logins.
_hasher = PasswordHasher()
_pool = ThreadPoolExecutor(max_workers=max(1, (os.cpu_count() or 2) - 1), thread_name_prefix="argon2")
# Verified when the username is unknown, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("pairgate-timing-equaliser")

MIN_LENGTH = 8
MAX_LENGTH = 256


def problems(password: str) -> list[str]:
    if len(password) < MIN_LENGTH:
        return [f"Use at least {MIN_LENGTH} characters."]
    if len(password) > MAX_LENGTH:
        return [f"Use at most {MAX_LENGTH} characters."]
    return []


async def hash_password(password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(_pool, _hasher.hash, password)


def _verify(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(stored: str | None, password: str) -> bool:
    return await asyncio.get_running_loop().run_in_executor(_pool, _verify, stored, password)
