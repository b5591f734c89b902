"""Random tokens (bearer, device, links), stored only as digests."""

import hashlib
import secrets
from datetime import datetime, timedelta

from entitle.models import AccountToken


def new_token() -> str:
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    # 256 random bits need no slow hash: SHA-256 alone makes a stolen table useless.
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_link(account_id: int, purpose: str, *, now: datetime, valid_for: timedelta) -> str:
    """A single-use, expiring token for a link sent by email; only its digest is kept."""
    token = new_token()
    await AccountToken.insert(
        AccountToken(
            purpose=purpose,
            token_hash=digest(token),
            account=account_id,
            created_at=now,
            expires_at=now + valid_for,
        )
    )
    return token


# Links that set a password (AUTH-1) and the forgot-password challenge that leads to one.
PASSWORD_LINKS = ("ACTIVATION", "PASSWORD_RESET", "FORGOT")


async def retire_links(account_id: int, *, now: datetime) -> None:
    """Every live password link of the account stops working: a newer one was sent, one was
    used, or the mailbox they went to is no longer the account's. Inside the caller's
    transaction."""
    await AccountToken.update({AccountToken.used_at: now}).where(
        (AccountToken.account == account_id)
        & AccountToken.purpose.is_in(list(PASSWORD_LINKS))
        & AccountToken.used_at.is_null()
    )
