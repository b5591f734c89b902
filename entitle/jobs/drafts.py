"""ACC-2: drafts are activated on their date, their creators reminded, and deleted at 30 days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from entitle.db import write_transaction
from entitle.enums import AccountStatus, CertificationStatus
from entitle.models import Account, Grant
from entitle.services import accounts, audit, certification, outbox
from entitle.services.errors import DomainError
from entitle.settings import Settings

LIFETIME = timedelta(days=30)
# Reminders go out when this much of the draft's life has passed, one each.
REMINDERS = (timedelta(days=20), timedelta(days=27))
JOB = "job:drafts"


@dataclass
class DraftsReport:
    activated: int = 0
    reminded: int = 0
    deleted: int = 0


async def _record(action: str, row: dict, now: datetime, **changes) -> None:
    await audit.record(
        audit.AuditEntry(
            action=action,
            target_type="Account",
            target_id=str(row["id"]),
            actor_id=None,
            actor_label=JOB,
            organization_id=row["organization"],
            **changes,
        ),
        at=now,
        request_id=None,
    )


async def run(settings: Settings, now: datetime) -> DraftsReport:
    report = DraftsReport()
    async with write_transaction():
        drafts = await Account.select(*accounts.ACCOUNT_COLUMNS).where(
            Account.status == AccountStatus.DRAFT
        )
        held_back = await _past_due([r["organization"] for r in drafts if _scheduled(r, now)], now)
        for row in drafts:
            if now - row["created_at"] >= LIFETIME:
                await Account.delete().where(Account.id == row["id"])
                await _record("account.draft_expired", row, now, before=accounts.snapshot(row))
                report.deleted += 1
            elif _scheduled(row, now) and row["organization"] not in held_back:
                if await Grant.exists().where(Grant.account == row["id"]):
                    try:
                        await accounts.activate_draft(row, settings, now=now)
                    except DomainError:
                        continue
                    await _record(
                        "account.activate",
                        row,
                        now,
                        before={"status": AccountStatus.DRAFT},
                        after={"status": AccountStatus.ACTIVE, "scheduled": True},
                    )
                    report.activated += 1
            else:
                report.reminded += await _remind(row, now)
    return report


def _scheduled(row: dict, now: datetime) -> bool:
    return row["activation_date"] is not None and row["activation_date"] <= now.date()


async def _past_due(organization_ids: list[int], now: datetime) -> set[int]:
    """CERT-4: a past-due organization's drafts wait for its certification to be activated,
    as its admins' own activations do; in three statements whatever their number."""
    unique = sorted(set(organization_ids))
    standings = await certification.standings(unique, now) if unique else []
    return {
        o
        for o, s in zip(unique, standings, strict=True)
        if s is not None and s.status == CertificationStatus.PAST_DUE
    }


async def _remind(row: dict, now: datetime) -> int:
    due = sum(now - row["created_at"] >= after for after in REMINDERS)
    if due <= row["draft_reminders_sent"] or row["created_by"] is None:
        return 0
    creator = (
        await Account.select(Account.email, Account.first_name)
        .where(Account.id == row["created_by"])
        .first()
    )
    if creator is None:
        return 0
    deadline = (row["created_at"] + LIFETIME).date().isoformat()
    await outbox.enqueue(
        to=creator["email"],
        subject=f"Draft account {row['user_id']} will be deleted on {deadline}",
        body=(
            f"Hello {creator['first_name']},\n\nThe draft account {row['user_id']} you created "
            f"has not been activated. Activate it before {deadline}, or it is deleted."
        ),
        kind="account.draft_reminder",
        now=now,
    )
    await Account.update({Account.draft_reminders_sent: due}).where(Account.id == row["id"])
    return 1
