"""Bearer secrets: 256 random bits, shown once, stored as SHA-256.

A fast hash is right here: the tokens are uniformly random, so there is
nothing to brute-force that a slow hash would protect.
"""

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
