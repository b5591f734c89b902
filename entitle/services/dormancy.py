"""AUTH-8: a person's account unused for the dormancy period is warned, then deleted.

An account's last use is its last sign-in, or its activation when it never signed in, or
its creation as a last resort. Its deadline is that plus ENTITLE_DORMANCY_DAYS. A warning
email goes out at each of ENTITLE_DORMANCY_WARNING_DAYS before the deadline, once each
(`account.dormancy_warnings` counts them), and at the deadline the account is DELETED
like an admin's delete, by the system, with an email. Deleting an SAA this way locks its
organization out until the operator sets a new SAA (ORG-6, services/organizations.py).

No account is deleted without its last warning's notice: when warnings fall behind (the
job did not run, or the settings were shortened), the last one goes out late and deletion
waits the smallest warning period after it, so the date in every email holds.

Signing in must reset the count; the sign-in code calls `reset_warnings` (or merges
`RESET_WARNINGS` into the update that records the sign-in). Each run also resets the
count of any account used again since its warnings, so a missed reset only delays, and
never loses, the next warnings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

from piccolo.columns.combination import WhereRaw
from piccolo.engine.postgres import PostgresEngine

from entitle import db
from entitle.db import write_transaction
from entitle.enums import AccountStatus, UserType
from entitle.models import Account, Session
from entitle.services import audit, organizations, outbox
from entitle.settings import Settings

ACTOR_LABEL = "job:dormancy"
# Each run handles at most this many accounts, so every statement stays far below both
# engines' parameter limits (an audit row takes ten); the rest wait for the next run.
BATCH = 500
# The account column values that undo the warnings; reset when the account is used.
RESET_WARNINGS: Mapping[Any, Any] = MappingProxyType(
    {Account.dormancy_warnings: 0, Account.dormancy_warned_at: None}
)

_LAST_USE = "COALESCE(last_sign_in_at, activated_at, created_at)"
# Machine accounts never sign in with a password (they use operator-issued keys), so they
# have no sign-in to measure dormancy by: AUTH-8 is about people.
_DORMANCY_APPLIES = "kind = 'HUMAN' AND status NOT IN ('DRAFT', 'DELETED')"


async def reset_warnings(account_id: int) -> None:
    """AUTH-8: the account was just used (signed in); its dormancy warnings start over.

    Call inside the sign-in transaction. One statement; it writes nothing when the
    account had no warning.
    """
    await Account.update(dict(RESET_WARNINGS)).where(
        (Account.id == account_id) & (Account.dormancy_warnings > 0)
    )


@dataclass
class DormancyReport:
    warned: int = 0
    deleted: int = 0
    reset: int = 0


@dataclass(frozen=True)
class Timeline:
    """AUTH-8 at one moment: how old a last use must be for each step to be due."""

    now: datetime
    period: timedelta
    warnings: tuple[timedelta, ...]  # before the deadline, ascending

    @classmethod
    def of(cls, settings: Settings, now: datetime) -> Timeline:
        return cls(
            now=now,
            period=timedelta(days=settings.dormancy_days),
            warnings=tuple(timedelta(days=d) for d in settings.dormancy_warning_days),
        )

    @property
    def warning_window(self) -> datetime:
        """A last use at or before this is in the warning window, or past the deadline."""
        return self.now - self.period + self.warnings[-1]

    def due_sql(self) -> tuple[str, list[datetime]]:
        """How many warnings are due by now, as a SQL expression over an account row."""
        terms = [f"CASE WHEN {_LAST_USE} <= {{}} THEN 1 ELSE 0 END" for _ in self.warnings]
        return "(" + " + ".join(terms) + ")", [self.now - self.period + w for w in self.warnings]

    def deletable_sql(self) -> tuple[str, list[Any]]:
        """Past the deadline, every warning sent, and the last one's notice served."""
        return (
            f"{_LAST_USE} <= {{}} AND dormancy_warnings >= {{}} "
            "AND (dormancy_warned_at IS NULL OR dormancy_warned_at <= {})",
            [self.now - self.period, len(self.warnings), self.now - self.warnings[0]],
        )

    def deletion_date(self, last_use: datetime) -> datetime:
        """When an account warned now is deleted: its deadline, or the smallest warning
        period from now when the warning comes that late."""
        return max(last_use + self.period, self.now + self.warnings[0])


def _last_use(row: dict[str, Any]) -> datetime:
    return row["last_sign_in_at"] or row["activated_at"] or row["created_at"]


async def _reset_used_accounts(timeline: Timeline) -> int:
    """Accounts used again since they were warned: no warning is due any more."""
    reset = (
        await Account.update(dict(RESET_WARNINGS))
        .where(
            (Account.dormancy_warnings > 0)
            & (Account.status != AccountStatus.DELETED)
            & WhereRaw(f"{_LAST_USE} > {{}}", timeline.warning_window)
        )
        .returning(Account.id)
    )
    return len(reset)


async def _due_accounts(timeline: Timeline) -> list[dict[str, Any]]:
    """Accounts a warning or deletion is due for, with how many warnings are due."""
    due, due_args = timeline.due_sql()
    deletable, deletable_args = timeline.deletable_sql()
    # On PostgreSQL, sign-ins write these rows from other connections: lock them, so the
    # rows written below are exactly the rows judged here.
    lock = " FOR UPDATE" if isinstance(db.engine(), PostgresEngine) else ""
    return await Account.raw(
        f"""
        SELECT id, organization, user_id, first_name, email, user_type, status,
               last_sign_in_at, activated_at, created_at, dormancy_warnings, {due} AS due
        FROM account
        WHERE {_DORMANCY_APPLIES} AND {_LAST_USE} <= {{}}
          AND ({due} > dormancy_warnings OR ({deletable}))
        ORDER BY id
        LIMIT {{}}{lock}
        """,
        *due_args,
        timeline.warning_window,
        *due_args,
        *deletable_args,
        BATCH,
    )


async def sweep(settings: Settings, now: datetime) -> DormancyReport:
    """One AUTH-8 pass, in one transaction, in a constant number of statements however
    many accounts it touches. Safe to repeat: a warning or deletion done is not due again."""
    timeline = Timeline.of(settings, now)
    async with write_transaction():
        report = DormancyReport(reset=await _reset_used_accounts(timeline))
        rows = await _due_accounts(timeline)
        warn = [r for r in rows if r["due"] > r["dormancy_warnings"]]
        delete = [r for r in rows if r["due"] <= r["dormancy_warnings"]]
        events = [*await _warn(timeline, warn), *await _delete(timeline, delete)]
        await audit.record_many(events, at=now, request_id=None)
    report.warned, report.deleted = len(warn), len(delete)
    return report


def _event(row: dict[str, Any], action: str, **changes: Any) -> audit.AuditEntry:
    return audit.AuditEntry(
        action=action,
        target_type="Account",
        target_id=str(row["id"]),
        actor_id=None,
        actor_label=ACTOR_LABEL,
        organization_id=row["organization"],
        **changes,
    )


async def _warn(timeline: Timeline, rows: list[dict[str, Any]]) -> list[audit.AuditEntry]:
    if not rows:
        return []
    due, due_args = timeline.due_sql()
    # However many warnings fell due since the last run, one email says so: the count
    # jumps to what is due now.
    await Account.raw(
        f"UPDATE account SET dormancy_warnings = {due}, dormancy_warned_at = {{}} "
        f"WHERE id IN ({', '.join('{}' for _ in rows)})",
        *due_args,
        timeline.now,
        *[r["id"] for r in rows],
    )
    emails, events = [], []
    for row in rows:
        last_use = _last_use(row)
        deletion = timeline.deletion_date(last_use).date().isoformat()
        emails.append(
            (
                row["email"],
                f"Your account {row['user_id']} will be deleted on {deletion}",
                f"Hello {row['first_name']},\n\nYour account {row['user_id']} has not been "
                f"used since {last_use.date().isoformat()}. Accounts unused for "
                f"{timeline.period.days} days are deleted. Sign in before {deletion} to keep "
                "it. If you cannot sign in, ask your organization's account administrator.",
            )
        )
        events.append(
            _event(
                row,
                "account.dormancy_warning",
                before={"dormancy_warnings": row["dormancy_warnings"]},
                after={"dormancy_warnings": row["due"], "deletion_on": deletion},
            )
        )
    await outbox.enqueue_many(emails, kind="account.dormancy_warning", now=timeline.now)
    return events


async def _delete(timeline: Timeline, rows: list[dict[str, Any]]) -> list[audit.AuditEntry]:
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    days = timeline.period.days
    reason = f"Dormant: not used for {days} days (AUTH-8)"
    await Session.update({Session.ended_at: timeline.now}).where(
        Session.account.is_in(ids) & Session.ended_at.is_null()
    )
    await Account.update(
        {
            Account.status: AccountStatus.DELETED,
            Account.deleted_by: None,
            Account.deleted_at: timeline.now,
            Account.deleted_reason: reason,
        }
    ).where(Account.id.is_in(ids))
    await organizations.mark_saa_vacated(
        {r["organization"] for r in rows if r["user_type"] == UserType.SAA}, timeline.now
    )
    emails = [
        (
            row["email"],
            f"Your account {row['user_id']} was deleted",
            f"Hello {row['first_name']},\n\nYour account {row['user_id']} was not used for "
            f"{days} days and has been deleted. A deleted account never "
            "signs in again; "
            + (
                "to restore your organization's access, contact the program operator."
                if row["user_type"] == UserType.SAA
                else "ask your organization's account administrator for a new one."
            ),
        )
        for row in rows
    ]
    await outbox.enqueue_many(emails, kind="account.dormancy_deleted", now=timeline.now)
    return [
        _event(
            row,
            "account.delete",
            before={"status": row["status"]},
            after={"status": AccountStatus.DELETED, "reason": reason},
        )
        for row in rows
    ]
