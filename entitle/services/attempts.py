"""Sign-in attempts: throttling (per address and per user ID) and the AUTH-2 count.

Both read one table keyed by the user ID as typed, so a user ID that does not exist is
throttled, counted and "locked" exactly like one that does: the answers never tell them
apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from entitle.models import SignInAttempt
from entitle.services.errors import Throttled
from entitle.settings import Settings

LOCKOUT_FAILURES = 5  # AUTH-2: five wrong passwords ...
LOCKOUT_WINDOW = timedelta(hours=1)  # ... within one hour ...
LOCKOUT_DURATION = timedelta(hours=1)  # ... lock for one hour.
THROTTLE_WINDOW = timedelta(minutes=1)
MAX_USER_ID_LENGTH = 64

# Outcomes. SUCCEEDED and CLEARED end a run of failures; LOCKOUT marks where a lock began.
# PENDING: a password attempt recorded before it is judged (see begin()).
SUCCEEDED, FAILED, THROTTLED, REFUSED, LOCKOUT, CLEARED, PENDING = (
    "SUCCEEDED",
    "FAILED",
    "THROTTLED",
    "REFUSED",
    "LOCKOUT",
    "CLEARED",
    "PENDING",
)
PASSWORD, FORGOT = "PASSWORD", "FORGOT"

COUNTS = """
SELECT (SELECT count(*) FROM sign_in_attempt WHERE address = {} AND at > {}) AS by_address,
       (SELECT count(*) FROM sign_in_attempt
        WHERE user_id = {} AND at > {} AND outcome <> 'THROTTLED') AS by_user
"""


def normalize_user_id(user_id: str) -> str:
    return user_id.strip().lower()[:MAX_USER_ID_LENGTH]


async def record(address: str, user_id: str, kind: str, outcome: str, *, now: datetime) -> None:
    await SignInAttempt.insert(
        SignInAttempt(at=now, address=address[:64], user_id=user_id, kind=kind, outcome=outcome)
    )


async def throttle(
    settings: Settings, *, address: str, user_id: str, kind: str, now: datetime
) -> None:
    """Refuse (and record) an attempt beyond the per-minute limits. Throttled attempts
    are not failures, so throttling never brings a lockout closer (item 8 of the issue);
    an address that keeps hammering stays throttled, since its refused tries count."""
    if await _over_limits(settings, address=address, user_id=user_id, now=now, itself=0):
        await record(address, user_id, kind, THROTTLED, now=now)
        raise Throttled("Too many attempts; wait a minute and try again.", None)


async def _over_limits(
    settings: Settings, *, address: str, user_id: str, now: datetime, itself: int
) -> bool:
    """Whether the attempts of the last minute, `itself` of them the one being judged,
    leave no room for it."""
    since = now - THROTTLE_WINDOW
    counts = (await SignInAttempt.raw(COUNTS, address, since, user_id, since))[0]
    return (
        counts["by_address"] - itself >= settings.sign_in_per_address_per_minute
        or counts["by_user"] - itself >= settings.sign_in_per_user_per_minute
    )


async def begin(address: str, user_id: str, kind: str, *, now: datetime) -> int:
    """Record a password attempt before anything about it is decided, and answer its id.

    It is committed at once, before the counts are read, so attempts made at the same
    time see one another: of any two, the one recorded later counts the other. Read
    first and recorded after the (slow) hash check, twenty guesses sent at once would
    each count none of the others and all be checked (AUTH-2). `admit` throttles it;
    `settle` gives it its outcome."""
    rows = await SignInAttempt.insert(
        SignInAttempt(at=now, address=address[:64], user_id=user_id, kind=kind, outcome=PENDING)
    ).returning(SignInAttempt.id)
    return rows[0]["id"]


async def settle(attempt_id: int, outcome: str) -> None:
    await SignInAttempt.update({SignInAttempt.outcome: outcome}).where(
        SignInAttempt.id == attempt_id
    )


async def admit(
    settings: Settings, attempt_id: int, *, address: str, user_id: str, now: datetime
) -> None:
    """Throttle an attempt recorded by `begin`, counting every attempt begun so far,
    whether or not it has finished. A throttled one becomes THROTTLED, which never counts
    as a failure; an admitted one is a failure (FAILED) until its password proves right,
    so attempts made while it is checked count it."""
    if await _over_limits(settings, address=address, user_id=user_id, now=now, itself=1):
        await settle(attempt_id, THROTTLED)
        raise Throttled("Too many attempts; wait a minute and try again.", None)
    await settle(attempt_id, FAILED)


@dataclass(frozen=True)
class PasswordHistory:
    # Wrong passwords within the window since the last success or clearing, counting
    # attempts still being checked (and the one asking).
    failures: int
    locked_since: datetime | None  # a lock begun in the window and not cleared since

    def locked(self, now: datetime) -> bool:
        return self.locked_since is not None and now < self.locked_since + LOCKOUT_DURATION


async def password_history(user_id: str, *, now: datetime) -> PasswordHistory:
    rows = (
        await SignInAttempt.select(SignInAttempt.at, SignInAttempt.outcome)
        .where(
            (SignInAttempt.user_id == user_id)
            & (SignInAttempt.kind == PASSWORD)
            & (SignInAttempt.at > now - LOCKOUT_WINDOW - LOCKOUT_DURATION)
            & SignInAttempt.outcome.is_in([SUCCEEDED, FAILED, LOCKOUT, CLEARED])
        )
        # In the order they were recorded: an attempt recorded after a success or a
        # clearing counts, whatever time its request began at.
        .order_by(SignInAttempt.id)
    )
    failures: list[datetime] = []
    locked_since = None
    for row in rows:
        if row["outcome"] in (SUCCEEDED, CLEARED):
            failures, locked_since = [], None
        elif row["outcome"] == FAILED:
            failures.append(row["at"])
        else:
            locked_since = row["at"]
    recent = [at for at in failures if at > now - LOCKOUT_WINDOW]
    return PasswordHistory(failures=len(recent), locked_since=locked_since)


async def prune(*, now: datetime) -> int:
    """Attempts older than any window that reads them, gone (the audit log keeps events)."""
    old = (
        await SignInAttempt.delete()
        .where(SignInAttempt.at < now - timedelta(days=2))
        .returning(SignInAttempt.id)
    )
    return len(old)
