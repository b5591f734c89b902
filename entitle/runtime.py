"""Process-wide collaborators, built once at start-up from settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from entitle.authz.engine import Authorizer
from entitle.clock import Clock
from entitle.services.crypto import DataCipher
from entitle.services.passwords import Passwords, make_hasher
from entitle.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    clock: Clock = field(default_factory=Clock)
    authorizer: Authorizer = field(default_factory=Authorizer)
    passwords: Passwords | None = None
    cipher: DataCipher | None = None

    def __post_init__(self) -> None:
        self.passwords = self.passwords or Passwords(make_hasher(self.settings.env))
        self.cipher = self.cipher or DataCipher(self.settings.data_keys)
