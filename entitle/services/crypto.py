"""Encryption at rest for personal data (SSN, date of birth)."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from starlette.datastructures import Secret


class DataCipher:
    """Fernet with key rotation: the first key encrypts, every key decrypts."""

    def __init__(self, keys: tuple[Secret, ...]) -> None:
        if not keys:
            raise ValueError("at least one data key is required")
        self._fernet = MultiFernet([Fernet(str(k).encode()) for k in keys])
        self._digest_key = hashlib.sha256(b"entitle-digest:" + str(keys[0]).encode()).digest()

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("ciphertext does not decrypt with any configured data key") from exc

    def digest(self, value: str) -> str:
        """A keyed digest to look a value up by equality without storing it in clear."""
        return hmac.new(self._digest_key, value.encode(), hashlib.sha256).hexdigest()
