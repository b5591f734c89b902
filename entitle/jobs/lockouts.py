"""AUTH-2 for accounts nobody tries: a password lockout ends after its hour even if no
one signs in (search shows ACTIVE again); old sign-in attempts and abandoned sign-ins go."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from entitle.db import write_transaction
from entitle.enums import AccountStatus
from entitle.models import Account, Session, SignInAttempt
from entitle.services import attempts, audit
from entitle.settings import Settings

JOB = "job:lockouts"


@dataclass
class LockoutsReport:
    unlocked: int = 0
    attempts_pruned: int = 0
    sign_ins_abandoned: int = 0


async def run(settings: Settings, now: datetime) -> LockoutsReport:
    """A constant number of statements, however many accounts it touches."""
    async with write_transaction():
        lifted = (
            await Account.update({Account.status: AccountStatus.ACTIVE, Account.locked_until: None})
            .where(
                (Account.status == AccountStatus.PASSWORD_LOCKOUT) & (Account.locked_until <= now)
            )
            .returning(Account.id, Account.user_id, Account.organization)
        )
        if lifted:
            await SignInAttempt.insert(
                *[
                    SignInAttempt(
                        at=now,
                        address=JOB,
                        user_id=row["user_id"],
                        kind=attempts.PASSWORD,
                        outcome=attempts.CLEARED,
                    )
                    for row in lifted
                ]
            )
            await audit.record_many(
                [
                    audit.AuditEntry(
                        action="account.unlocked",
                        target_type="Account",
                        target_id=str(row["id"]),
                        actor_id=None,
                        actor_label=JOB,
                        organization_id=row["organization"],
                        before={"status": AccountStatus.PASSWORD_LOCKOUT},
                        after={"status": AccountStatus.ACTIVE, "by": "expiry"},
                    )
                    for row in lifted
                ],
                at=now,
                request_id=None,
            )
        pruned = await attempts.prune(now=now)
        abandoned = (
            await Session.update({Session.ended_at: now})
            .where(
                (Session.stage != "DONE")
                & Session.ended_at.is_null()
                & (Session.stage_expires_at < now)
            )
            .returning(Session.id)
        )
    return LockoutsReport(
        unlocked=len(lifted), attempts_pruned=pruned, sign_ins_abandoned=len(abandoned)
    )
