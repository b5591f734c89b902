"""Random bearer tokens, stored only as digests."""

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    # 256 random bits need no slow hash: SHA-256 alone makes a stolen table useless.
    return hashlib.sha256(token.encode()).hexdigest()
