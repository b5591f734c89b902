"""Password hashing with argon2id."""

from __future__ import annotations

import asyncio
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from entitle.settings import Env

# Longer inputs are refused before hashing so a megabyte password cannot cost a megabyte of work.
MAX_PASSWORD_LENGTH = 256


def normalize(password: str) -> str:
    """The form of a password that is hashed and verified (AUTH-1, NIST SP 800-63B
    5.1.1.2): NFKC, so "é" typed as one character or as "e" and a combining accent is the
    same password. Setting a password and every check of one go through this."""
    return unicodedata.normalize("NFKC", password)


def make_hasher(env: Env) -> PasswordHasher:
    if env is Env.TEST:
        # Still argon2id, at the cheapest parameters: the suite hashes the demo seed per test.
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()  # RFC 9106 low-memory profile


class Passwords:
    def __init__(self, hasher: PasswordHasher) -> None:
        self._hasher = hasher
        # Verified against when the user ID is unknown, so both answers take the same time.
        self._decoy = hasher.hash("entitle-decoy-password")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    # argon2 spends tens of milliseconds of CPU by design and releases the GIL while it
    # does: in a thread, one sign-in does not stall every other request on the event loop.
    async def hash_off_loop(self, password: str) -> str:
        return await asyncio.to_thread(self.hash, password)

    async def verify_off_loop(self, password_hash: str | None, password: str) -> bool:
        return await asyncio.to_thread(self.verify, password_hash, password)

    async def verify_password_off_loop(self, password_hash: str | None, typed: str) -> bool:
        """Whether `typed` is the password behind `password_hash`, normalized as it was when
        set. The length limit applies to what was typed, as when it was set."""
        if len(typed) > MAX_PASSWORD_LENGTH:
            return False
        return await asyncio.to_thread(self._verify, password_hash, normalize(typed))

    def verify(self, password_hash: str | None, password: str) -> bool:
        if len(password) > MAX_PASSWORD_LENGTH:
            return False
        return self._verify(password_hash, password)

    def _verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash or self._decoy, password) and bool(
                password_hash
            )
        except (VerificationError, InvalidHashError):
            return False
