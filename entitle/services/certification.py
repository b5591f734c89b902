"""Yearly user accounts certification: periods (CERT-1), the SAA's certification with its
snapshot and confirmation (CERT-3), what a past-due organization may not do (CERT-4), and
the operator's suspension of a past-due organization's accounts (CERT-4, G 18.2).

An organization's status is never stored: it follows from the current period, the
organization's accounts and its certification row, so it cannot drift from them.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from entitle.authz.facts import CertificationPeriodFacts
from entitle.db import UNIQUE_VIOLATIONS, write_transaction
from entitle.enums import AccountStatus, CertificationStatus, OrgClass, PrivilegeLevel, UserType
from entitle.models import (
    Account,
    Certification,
    CertificationNotice,
    CertificationPeriod,
    Organization,
    Session,
)
from entitle.services import organizations, outbox, validation
from entitle.services.actor import Actor
from entitle.services.errors import Conflict, DomainError, Forbidden, Invalid

# CERT-1 / guide 18: the Consolidated Audit Trail application; holding any of its
# privileges makes certification mandatory even for an organization with only its SAA.
CAT_APPLICATION = "CAT"
TERMS = (
    "I certify that I have reviewed every account of my organization, its roles and its "
    "entitlements, and that each is still needed and correct."
)


class CertificationPastDue(DomainError):
    code = "CERTIFICATION_PAST_DUE"


@dataclass(frozen=True)
class Standing:
    """An organization's place in the current period."""

    status: CertificationStatus
    period: dict[str, Any]
    required: bool
    certification: dict[str, Any] | None


# --- periods (CERT-1) -----------------------------------------------------------------------


async def current_period(now: datetime) -> dict[str, Any] | None:
    """The latest period that has started: a new year's period replaces the last one."""
    return (
        await CertificationPeriod.select()
        .where(CertificationPeriod.starts_at <= now)
        .order_by(CertificationPeriod.year, ascending=False)
        .first()
    )


async def open_period(actor: Actor, starts_at: datetime, due_at: datetime) -> int:
    """CERT-1: the operator opens the year's period (the year is the start's)."""
    if not actor.authz.allows("open", CertificationPeriodFacts()):
        raise Forbidden("Only the operator opens certification periods (CERT-1).", None)
    # The year is the UTC year of the start, whatever offset the operator wrote it in.
    starts_at = validation.instant(starts_at, "startsAt")
    due_at = validation.instant(due_at, "dueAt")
    if due_at <= starts_at:
        raise Invalid("The due date must come after the start.", "dueAt")
    if due_at <= actor.now:
        raise Invalid("The due date must be in the future.", "dueAt")
    values = {"year": starts_at.year, "starts_at": starts_at, "due_at": due_at}
    try:
        async with write_transaction():
            row = (
                await CertificationPeriod.insert(
                    CertificationPeriod(
                        opened_by=actor.viewer.account_id, created_at=actor.now, **values
                    )
                ).returning(CertificationPeriod.id)
            )[0]
            await actor.audit(
                "certification_period.open",
                target_type="CertificationPeriod",
                target_id=row["id"],
                organization_id=None,
                after={k: v if isinstance(v, int) else v.isoformat() for k, v in values.items()},
            )
    except UNIQUE_VIOLATIONS as error:
        raise Conflict(f"A period for {starts_at.year} is already open.", "startsAt") from error
    return row["id"]


# --- status (CERT-1, CERT-4) ------------------------------------------------------------------


def _placeholders(n: int) -> str:
    return ", ".join("{}" for _ in range(n))


# CERT-1: an organization must certify when it has an account besides its SAA (deleted ones
# do not count), or when any of its accounts holds a CAT privilege, directly or through an
# active role. The accounts are counted as they stood at the moment judged (both
# placeholders), no later than the due date: an organization that grows past its SAA after
# the due date did not fail to certify by it, and one that deletes accounts after it does not
# escape. CAT holdings keep no history and are judged as they are.
_REQUIRED_CONDITION = f"""(
  (SELECT count(*) FROM account a
   WHERE a.organization = o.id AND a.created_at <= {{}}
     AND (a.status <> '{AccountStatus.DELETED}' OR a.deleted_at > {{}})) > 1
  OR EXISTS (
    SELECT 1 FROM account a
    JOIN account_grant g ON g.account = a.id
    JOIN privilege p ON p.id = g.privilege
    JOIN application ap ON ap.id = p.application
    WHERE a.organization = o.id AND a.status <> '{AccountStatus.DELETED}'
      AND ap.code = '{CAT_APPLICATION}')
  OR EXISTS (
    SELECT 1 FROM account a
    JOIN role_assignment ra ON ra.account = a.id
    JOIN role r ON r.id = ra.role AND r.status = 'ACTIVE'
    JOIN role_grant rg ON rg.role = r.id
    JOIN privilege p ON p.id = rg.privilege
    JOIN application ap ON ap.id = p.application
    WHERE a.organization = o.id AND a.status <> '{AccountStatus.DELETED}'
      AND ap.code = '{CAT_APPLICATION}')
)"""
_REQUIRED = f"SELECT o.id FROM organization o WHERE o.id IN ({{ids}}) AND {_REQUIRED_CONDITION}"


def judged_at(period: dict[str, Any], now: datetime) -> datetime:
    """The moment an organization's accounts are counted at for CERT-1: now, until the due
    date; the due date after it."""
    return min(now, period["due_at"])


async def required_among(organization_ids: Collection[int], at: datetime) -> set[int]:
    """The organizations that must certify (CERT-1) with their accounts as at `at`, in one
    statement."""
    ids = list(organization_ids)
    if not ids:
        return set()
    query = _REQUIRED.replace("{ids}", _placeholders(len(ids)))
    rows = await Organization.raw(query, *ids, at, at)
    return {r["id"] for r in rows}


def status_of(period: dict, required: bool, certified: bool, now: datetime) -> CertificationStatus:
    if certified:
        return CertificationStatus.CERTIFIED
    if not required:
        return CertificationStatus.NOT_REQUIRED
    if now > period["due_at"]:
        return CertificationStatus.PAST_DUE
    return CertificationStatus.OPEN


async def standings(organization_ids: Sequence[int], now: datetime) -> list[Standing | None]:
    """Each organization's standing in the current period (None when no period has
    started), in three statements whatever the number of organizations."""
    period = await current_period(now)
    if period is None:
        return [None for _ in organization_ids]
    certifications = {
        r["organization"]: r
        for r in await Certification.select(
            Certification.id,
            Certification.organization,
            Certification.certified_by,
            Certification.certified_at,
        ).where(
            (Certification.period == period["id"])
            & Certification.organization.is_in(list(organization_ids))
        )
    }
    required = await required_among(organization_ids, judged_at(period, now))
    return [
        Standing(
            status=status_of(period, o in required, o in certifications, now),
            period=period,
            required=o in required,
            certification=certifications.get(o),
        )
        for o in organization_ids
    ]


async def standing(organization_id: int, now: datetime) -> Standing | None:
    return (await standings([organization_id], now))[0]


async def check_not_past_due(actor: Actor) -> None:
    """CERT-4: an SAA or AA of a past-due organization may not change accounts, entitlements,
    identifiers or roles until the SAA certifies. Called by each of those services; the
    operator, users (who change nothing of this kind) and those signed out pass without a
    statement."""
    viewer = actor.viewer
    if viewer.profile.operator or viewer.profile.user_type not in (UserType.SAA, UserType.AA):
        return
    if viewer.organization_id is None:
        return
    # Before the due date (most of the year) one statement settles it.
    period = await current_period(actor.now)
    if period is None or actor.now <= period["due_at"]:
        return
    current = await standing(viewer.organization_id, actor.now)
    if current is not None and current.status == CertificationStatus.PAST_DUE:
        raise CertificationPastDue(
            "Your organization's user accounts certification is past due: until the SAA "
            "certifies, accounts, entitlements, identifiers and roles cannot be changed "
            "(disabling and deleting accounts still can) (CERT-4).",
            None,
        )


# --- certifying (CERT-3) ----------------------------------------------------------------------

_SNAPSHOT_GRANTS = """
SELECT a.id AS account, p.code AS privilege, g.level AS level, NULL AS role
FROM account a JOIN account_grant g ON g.account = a.id JOIN privilege p ON p.id = g.privilege
WHERE a.organization = {} AND a.status <> 'DELETED'
UNION ALL
SELECT a.id, p.code, rg.level, r.name
FROM account a
JOIN role_assignment ra ON ra.account = a.id
JOIN role r ON r.id = ra.role AND r.status = 'ACTIVE'
LEFT JOIN role_grant rg ON rg.role = r.id
LEFT JOIN privilege p ON p.id = rg.privilege
WHERE a.organization = {} AND a.status <> 'DELETED'
"""
# A role held but emptied of its grants still stands in the report the SAA reviewed (CERT-2):
# the left joins keep it in the snapshot, with no privilege.


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


async def report_snapshot(organization_id: int) -> list[dict[str, Any]]:
    """The accounts report as certified: each account (deleted excluded) with its status,
    last sign-in, roles and effective grants with their level (the higher one when held
    both directly and through a role). Two statements."""
    accounts = await (
        Account.select(
            Account.id,
            Account.user_id,
            Account.first_name,
            Account.last_name,
            Account.user_type,
            Account.status,
            Account.last_sign_in_at,
        )
        .where(
            (Account.organization == organization_id) & (Account.status != AccountStatus.DELETED)
        )
        .order_by(Account.user_id)
    )
    roles: dict[int, set[str]] = {a["id"]: set() for a in accounts}
    grants: dict[int, dict[str, str]] = {a["id"]: {} for a in accounts}
    for row in await Account.raw(_SNAPSHOT_GRANTS, organization_id, organization_id):
        if row["role"] is not None:
            roles[row["account"]].add(row["role"])
        if row["privilege"] is None:
            continue
        held = grants[row["account"]]
        if held.get(row["privilege"]) != PrivilegeLevel.ADMIN:
            held[row["privilege"]] = row["level"]
    return [
        {
            "userId": a["user_id"],
            "firstName": a["first_name"],
            "lastName": a["last_name"],
            "userType": a["user_type"],
            "status": a["status"],
            "lastSignInAt": _iso(a["last_sign_in_at"]),
            "roles": sorted(roles[a["id"]]),
            "grants": [{"privilege": p, "level": lv} for p, lv in sorted(grants[a["id"]].items())],
        }
        for a in accounts
    ]


async def certify(actor: Actor, organization_id: int, accept_terms: bool) -> int:
    """CERT-3: the SAA certifies their organization for the current period, accepting the
    terms. An organization that need not certify may (CERT-1 "may"); a period is certified
    once, and certifying lifts CERT-4's restrictions at once (the status is derived)."""
    org = await organizations.authorized(
        actor,
        organization_id,
        "certify",
        "Only the organization's SAA certifies its accounts (CERT-3).",
        Organization.name,
    )
    if not accept_terms:
        raise Invalid("Certifying requires accepting the terms (CERT-3).", "acceptTerms")
    period = await current_period(actor.now)
    if period is None:
        raise Invalid("No certification period is open (CERT-1).", None)
    try:
        async with write_transaction():
            # Read inside the transaction: the snapshot is what stood when it was certified.
            snapshot = await report_snapshot(organization_id)
            row = (
                await Certification.insert(
                    Certification(
                        period=period["id"],
                        organization=organization_id,
                        certified_by=actor.viewer.account_id,
                        certified_at=actor.now,
                        terms_accepted=True,
                        snapshot=json.dumps(snapshot),
                    )
                ).returning(Certification.id)
            )[0]
            await actor.audit(
                "certification.certify",
                target_type="Organization",
                target_id=organization_id,
                organization_id=organization_id,
                after={"year": period["year"], "accounts": len(snapshot)},
            )
            saa = (
                await Account.select(Account.email, Account.first_name)
                .where(Account.id == actor.viewer.account_id)
                .first()
            )
            await outbox.enqueue(
                to=saa["email"],
                subject=f"{org['name']}: user accounts certification {period['year']} received",
                body=(
                    f"Hello {saa['first_name']},\n\n{org['name']} certified its "
                    f"{len(snapshot)} user accounts for {period['year']} on "
                    f"{actor.now:%Y-%m-%d %H:%M} UTC. You accepted these terms:\n\n{TERMS}\n"
                ),
                kind="certification_confirmation",
                now=actor.now,
            )
    except UNIQUE_VIOLATIONS as error:
        raise Conflict(
            f"{org['name']} has already certified for {period['year']}.", "organizationId"
        ) from error
    return row["id"]


# --- suspension (CERT-4, G 18.2) ---------------------------------------------------------------
#
# **decision**: a suspension is a mark on the organization, not a status written on each
# account, so lifting it restores exactly what was there (a disabled account stays
# disabled, a locked one locked). While it is set, sign-in and every request refuse the
# organization's accounts (organizations.sign_in_blocked). Only the operator lifts it:
# certifying cannot, since a suspended SAA cannot sign in to certify; the operator lifts it,
# then the SAA certifies (G 18.2: "contact the FINRA Entitlement Group and complete
# certification").


_SUSPENSION_COLUMNS = (
    Organization.name,
    Organization.org_class,
    Organization.suspended_at,
    Organization.suspended_by,
    Organization.suspension_reason,
)


async def _email_saa(
    organization_id: int, subject: str, body: str, kind: str, now: datetime
) -> None:
    """Email the organization's serving SAA, if it has one (ORG-6: it may have none)."""
    saa = (
        await Account.select(Account.email, Account.first_name)
        .where((Account.organization == organization_id) & organizations.serving_saa())
        .first()
    )
    if saa is not None:
        await outbox.enqueue(
            to=saa["email"],
            subject=subject,
            body=f"Hello {saa['first_name']},\n\n{body}",
            kind=kind,
            now=now,
        )


async def suspend(actor: Actor, organization_id: int, reason: str) -> None:
    """CERT-4, G 18.2: the operator suspends every account of an organization whose
    certification is past due. Its open sessions end in the same transaction; the SAA is
    emailed. Refused twice, for an organization not past due, and for the operator's own."""
    async with write_transaction():
        org = await organizations.authorized(
            actor,
            organization_id,
            "suspend",
            "Only the operator suspends an organization's accounts (CERT-4).",
            *_SUSPENSION_COLUMNS,
        )
        if org["org_class"] == OrgClass.OPERATOR:
            # Suspending it would lock out everyone who could lift the suspension.
            raise Forbidden("The operator's organization is never suspended.", "organizationId")
        reason = validation.text(reason, "reason", required=True, max_length=500)
        if org["suspended_at"] is not None:
            raise Conflict(
                f"{org['name']} has been suspended since {org['suspended_at']:%Y-%m-%d %H:%M} UTC.",
                "organizationId",
            )
        current = await standing(organization_id, actor.now)
        if current is None or current.status != CertificationStatus.PAST_DUE:
            where = (
                "no certification period has started"
                if current is None
                else f"its user accounts certification is {current.status.value}"
            )
            raise Conflict(
                f"{org['name']}: {where}; only an organization whose certification is past "
                "due may be suspended (CERT-4).",
                "organizationId",
            )
        # The condition makes a concurrent second suspension change nothing.
        suspended = (
            await Organization.update(
                {
                    Organization.suspended_at: actor.now,
                    Organization.suspended_by: actor.viewer.account_id,
                    Organization.suspension_reason: reason,
                }
            )
            .where((Organization.id == organization_id) & Organization.suspended_at.is_null())
            .returning(Organization.id)
        )
        if not suspended:
            raise Conflict(f"{org['name']} was suspended meanwhile.", "organizationId")
        ended = (
            await Session.update({Session.ended_at: actor.now})
            .where(
                Session.ended_at.is_null()
                & Session.account.is_in(
                    Account.select(Account.id).where(Account.organization == organization_id)
                )
            )
            .returning(Session.id)
        )
        await actor.audit(
            "organization.suspend",
            target_type="Organization",
            target_id=organization_id,
            organization_id=organization_id,
            before={"certification": CertificationStatus.PAST_DUE.value},
            after={"reason": reason, "sessions_ended": len(ended)},
        )
        await _email_saa(
            organization_id,
            f"{org['name']}: accounts suspended, user accounts certification past due",
            f"{org['name']} did not certify its user accounts for {current.period['year']} by "
            f"{current.period['due_at']:%Y-%m-%d}, so the program operator suspended all of "
            f"its accounts on {actor.now:%Y-%m-%d %H:%M} UTC: none can sign in.\n\n"
            f"Reason: {reason}\n\nTo regain access and full system functionality, contact "
            "the program operator's Entitlement Group and complete certification.\n",
            "organization.suspended",
            actor.now,
        )


async def lift_suspension(actor: Actor, organization_id: int) -> None:
    """CERT-4, G 18.2: the operator lifts a suspension; the accounts are as they were
    before it. Certification still stands as it is: a past-due SAA then certifies. The SAA
    is emailed."""
    async with write_transaction():
        org = await organizations.authorized(
            actor,
            organization_id,
            "lift_suspension",
            "Only the operator lifts an organization's suspension (CERT-4).",
            *_SUSPENSION_COLUMNS,
        )
        if org["suspended_at"] is None:
            raise Conflict(f"{org['name']} is not suspended.", "organizationId")
        lifted = (
            await Organization.update(
                {
                    Organization.suspended_at: None,
                    Organization.suspended_by: None,
                    Organization.suspension_reason: None,
                }
            )
            .where(
                (Organization.id == organization_id)
                & (Organization.suspended_at == org["suspended_at"])
            )
            .returning(Organization.id)
        )
        if not lifted:
            raise Conflict(f"{org['name']}'s suspension changed meanwhile.", "organizationId")
        current = await standing(organization_id, actor.now)
        status = None if current is None else current.status
        await actor.audit(
            "organization.suspension_lift",
            target_type="Organization",
            target_id=organization_id,
            organization_id=organization_id,
            before={
                "suspended_at": org["suspended_at"].isoformat(),
                "suspended_by": org["suspended_by"],
                "reason": org["suspension_reason"],
            },
            after={"certification": None if status is None else status.value},
        )
        still_due = status == CertificationStatus.PAST_DUE
        await _email_saa(
            organization_id,
            f"{org['name']}: accounts no longer suspended",
            f"The program operator lifted the suspension of {org['name']}'s accounts on "
            f"{actor.now:%Y-%m-%d %H:%M} UTC: they can sign in again.\n"
            + (
                "\nIts user accounts certification is still past due: until you certify, "
                "accounts, entitlements and roles cannot be changed (CERT-4). Please "
                "certify now.\n"
                if still_due
                else ""
            ),
            "organization.suspension_lifted",
            actor.now,
        )


# --- reminders and past-due notices (the certification job) -----------------------------------

REMINDER_DAYS = (7, 14, 30)  # **decision**: reminders 30, 14 and 7 days before the due date

_TO_NOTIFY = f"""
SELECT o.id AS organization, o.name AS name, a.email AS email, a.first_name AS first_name
FROM organization o
JOIN account a ON a.organization = o.id AND a.user_type = 'SAA' AND a.status <> 'DELETED'
WHERE {_REQUIRED_CONDITION}
  AND NOT EXISTS (SELECT 1 FROM certification c WHERE c.organization = o.id AND c.period = {{}})
  AND NOT EXISTS (SELECT 1 FROM certification_notice n
                  WHERE n.organization = o.id AND n.period = {{}} AND n.kind = {{}})
"""


def notice_due(period: dict[str, Any], now: datetime) -> str | None:
    """The one notice due now: past due, or the nearest reminder threshold crossed. A
    threshold missed while the job was not running is not sent late on top of a later one."""
    if now > period["due_at"]:
        return "PAST_DUE"
    left = period["due_at"] - now
    for days in REMINDER_DAYS:
        if left <= timedelta(days=days):
            return f"DAYS_{days}"
    return None


async def send_notices(now: datetime) -> int:
    """Email the SAA of every required, uncertified organization the notice due now, each
    (period, organization, kind) once. Four statements whatever the number of organizations."""
    period = await current_period(now)
    if period is None:
        return 0
    kind = notice_due(period, now)
    if kind is None:
        return 0
    async with write_transaction():
        at = judged_at(period, now)
        rows = await Organization.raw(_TO_NOTIFY, at, at, period["id"], period["id"], kind)
        if not rows:
            return 0
        await CertificationNotice.insert(
            *[
                CertificationNotice(
                    period=period["id"], organization=r["organization"], kind=kind, sent_at=now
                )
                for r in rows
            ]
        )
        due = f"{period['due_at']:%Y-%m-%d}"
        if kind == "PAST_DUE":
            subject = "User accounts certification {year} is past due: {name}"
            body = (
                "Hello {first},\n\n{name} has not certified its user accounts for {year}, "
                "due {due}. Until you certify, accounts, entitlements and roles cannot be "
                "changed (CERT-4), and the operator may suspend its accounts.\n"
            )
        else:
            subject = "Reminder: user accounts certification {year} due {due}: {name}"
            body = "Hello {first},\n\n{name} must certify its user accounts by {due}.\n"
        await outbox.enqueue_many(
            [
                (
                    r["email"],
                    subject.format(year=period["year"], due=due, name=r["name"]),
                    body.format(
                        first=r["first_name"], year=period["year"], due=due, name=r["name"]
                    ),
                )
                for r in rows
            ],
            kind=f"certification_{kind.lower()}",
            now=now,
        )
    return len(rows)
