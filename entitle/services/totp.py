"""AUTH-4: time-based one-time passwords (RFC 6238) through pyotp, with replay refused."""

from __future__ import annotations

from datetime import datetime

import pyotp

ISSUER = "entitle"
# One step either side of now: clocks of phones drift.
WINDOW = 1


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, user_id: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user_id, issuer_name=ISSUER)


def accepted_step(secret: str, code: str, *, now: datetime, last_step: int | None) -> int | None:
    """The time step `code` belongs to, if it is valid now and newer than `last_step`:
    a code already used (or one older than it) is refused, so an observed code cannot be
    replayed within its window."""
    code = code.strip()
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if pyotp.utils.strings_equal(code, totp.generate_otp(step)):
            return step if last_step is None or step > last_step else None
    return None
