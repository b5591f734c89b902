"""One-time passcodes for signatories: random, stored as digests, single use, bound to one
request (REQ-4)."""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from entitle.models import (
    RequestPasscode,
)
from entitle.services import tokens
from entitle.services.requests.common import PASSCODE_VALID_FOR


def new_passcode() -> str:
    # 120 random bits, in groups a person can copy from an email.
    raw = secrets.token_hex(15).upper()
    return "-".join(raw[i : i + 5] for i in range(0, len(raw), 5))


def normalize_passcode(passcode: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", passcode.upper())


def passcode_digest(passcode: str) -> str:
    return tokens.digest(normalize_passcode(passcode))


async def issue_passcode(request_id: int, now: datetime) -> str:
    await retire_passcodes(request_id, now)
    passcode = new_passcode()
    await RequestPasscode.insert(
        RequestPasscode(
            request=request_id,
            code_hash=passcode_digest(passcode),
            created_at=now,
            expires_at=now + PASSCODE_VALID_FOR,
        )
    )
    return passcode


async def retire_passcodes(request_id: int, now: datetime) -> None:
    await RequestPasscode.update({RequestPasscode.used_at: now}).where(
        (RequestPasscode.request == request_id) & RequestPasscode.used_at.is_null()
    )
