"""Opaque global IDs and cursors (base64url of ``Type:pk``).

Clients must treat them as opaque; the type inside lets ``node(id)`` route and
lets a Device ID given where a Configuration ID is expected fail as NOT_FOUND.
"""

from __future__ import annotations

import base64
import binascii

from gateway.services.errors import ErrorCode, refuse

# Primary keys are 64-bit signed integers: a larger number names no row, and the
# database would refuse it as a parameter rather than find nothing.
LARGEST_KEY = 2**63 - 1


def encode(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def decode_any(global_id: str | None) -> tuple[str, int] | None:
    if not global_id or len(global_id) > 100:
        return None
    try:
        raw = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
        type_name, pk = raw.split(":", 1)
        number = int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return (type_name, number) if 0 < number <= LARGEST_KEY else None


def decode(global_id: str | None, type_name: str) -> int | None:
    """The primary key, or None for anything malformed or of another type."""
    decoded = decode_any(global_id)
    return decoded[1] if decoded and decoded[0] == type_name else None


def key(global_id: str | None, type_name: str) -> int | None:
    """An input's key: None when not given; 0, which matches nothing (so NOT_FOUND, or an empty
    list), when malformed or of another type."""
    if global_id is None:
        return None
    return decode(global_id, type_name) or 0


CURSOR = "cursor"


def cursor(pk: int) -> str:
    return encode(CURSOR, pk)


def after_id(after: str | None) -> int | None:
    """The key a page starts after; a cursor this API did not hand out is refused (as
    BAD_USER_INPUT), since reading it as "from the start" would loop a client for ever."""
    if after is None:
        return None
    pk = decode(after, CURSOR)
    if pk is None:
        raise refuse(ErrorCode.INVALID, "after is not a cursor of this list: pass pageInfo.endCursor.", "after")
    return pk
