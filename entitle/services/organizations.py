"""An organization's SAA: lost when deleted (ORG-6), re-established by the operator; and
whether its accounts may sign in at all (ORG-6, CERT-4).

While an organization's SAA account is deleted, `organization.saa_vacated_at` holds when
that happened; while the operator suspends it (CERT-4, G 18.2, certification.py),
`organization.suspended_at` does. Sign-in asks `sign_in_blocked` and per-request
authentication embeds `sign_in_blocked_sql`, and both refuse every account of the
organization meanwhile. The operator's `set_saa` clears the vacancy; whatever else
designates an SAA must clear it too. ORG-7 counts the days from it.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from piccolo.columns import Column
from piccolo.custom_types import Combinable

from entitle.authz.facts import OrganizationFacts
from entitle.db import UNIQUE_VIOLATIONS, write_transaction
from entitle.enums import AccountKind, AccountStatus, OrgClass, PrivilegeLevel, UserType
from entitle.models import Account, Grant, Organization, PrivilegeAvailability
from entitle.services import outbox
from entitle.services.actor import Actor
from entitle.services.errors import Conflict, Forbidden, Invalid, NotFound

WITHOUT_SAA = "ORGANIZATION_WITHOUT_SAA"
SUSPENDED = "ORGANIZATION_SUSPENDED"


def sign_in_blocked_sql(alias: str = "organization") -> str:
    """ORG-6 or a suspension (CERT-4) as a condition for a hand-written query that joins
    `organization AS alias`: true while none of its accounts may sign in or use a session.

    For the session query, for example: `... JOIN organization o ON o.id = a.organization
    WHERE ... AND NOT ({sign_in_blocked_sql("o")})`.
    """
    return f"({alias}.saa_vacated_at IS NOT NULL OR {alias}.suspended_at IS NOT NULL)"


async def sign_in_blocked(organization_id: int) -> str | None:
    """Why none of the organization's accounts may sign in or use a session now, or None
    when they may: WITHOUT_SAA while its SAA account is deleted and the operator has not
    set a new one (ORG-6), SUSPENDED while the operator suspends it (CERT-4, G 18.2).

    One statement. The operator's own organization is never blocked (see mark_saa_vacated
    and certification.suspend).
    """
    row = (
        await Organization.select(Organization.saa_vacated_at, Organization.suspended_at)
        .where(Organization.id == organization_id)
        .first()
    )
    if row is None:
        return None
    if row["saa_vacated_at"] is not None:
        return WITHOUT_SAA
    if row["suspended_at"] is not None:
        return SUSPENDED
    return None


async def authorized(
    actor: Actor,
    organization_id: int,
    action: str,
    refusal: str,
    *columns: Column,
    refusal_field: str | None = None,
) -> dict:
    """The organization (its id and `columns`) on which the actor may `action`: NOT_FOUND
    when they may not even read it, as the graph hides it; FORBIDDEN, saying `refusal`, when
    they read it but may not act."""
    org = (
        await Organization.select(Organization.id, *columns)
        .where(Organization.id == organization_id)
        .first()
    )
    facts = OrganizationFacts(own=org is not None and org["id"] == actor.viewer.organization_id)
    if org is None or not actor.authz.allows("read", facts):
        raise NotFound("No such organization.", "organizationId")
    if not actor.authz.allows(action, facts):
        raise Forbidden(refusal, refusal_field)
    return org


def serving_saa() -> Combinable:
    """Accounts that are an organization's SAA: a deleted SAA no longer serves (ORG-1)."""
    return (Account.user_type == UserType.SAA) & (Account.status != AccountStatus.DELETED)


async def mark_saa_vacated(organization_ids: Collection[int], now: datetime) -> None:
    """ORG-6: the SAA of these organizations was just deleted; call inside the transaction
    that deletes it, whatever deleted it (an admin, the operator, the dormancy job).

    The operator's own organization is left out: it is the one that restores SAAs, so
    locking it out would leave nobody able to undo the lock.
    """
    if not organization_ids:
        return
    await Organization.update({Organization.saa_vacated_at: now}).where(
        Organization.id.is_in(sorted(organization_ids))
        & (Organization.org_class != OrgClass.OPERATOR)
        & Organization.saa_vacated_at.is_null()
    )


async def set_saa(actor: Actor, organization_id: int, account_id: int) -> None:
    """ORG-6, ORG-1: the operator makes a person's account the SAA of an organization that
    has none; its accounts may sign in again. All or nothing."""
    async with write_transaction():
        org = await authorized(
            actor,
            organization_id,
            "set_saa",
            "Only the operator establishes an SAA (ORG-6).",
            Organization.name,
            Organization.org_type,
            Organization.saa_vacated_at,
            refusal_field="organizationId",
        )
        account = (
            await Account.select(
                Account.id,
                Account.organization,
                Account.user_id,
                Account.first_name,
                Account.email,
                Account.kind,
                Account.user_type,
                Account.status,
            )
            .where(Account.id == account_id)
            .first()
        )
        if account is None or account["organization"] != organization_id:
            raise NotFound("No such account in this organization.", "accountId")
        if account["status"] == AccountStatus.DELETED:
            raise Forbidden("A deleted account can only be read (ACC-11).", "accountId")
        if account["status"] == AccountStatus.DRAFT:
            raise Invalid("Activate the draft before making it the SAA.", "accountId")
        if account["kind"] != AccountKind.HUMAN:
            raise Invalid("An SAA is a person; a machine account cannot be one.", "accountId")
        if await Account.exists().where((Account.organization == organization_id) & serving_saa()):
            raise Conflict("The organization has an SAA (ORG-1).", "organizationId")
        try:
            await Account.update({Account.user_type: UserType.SAA}).where(Account.id == account_id)
        except UNIQUE_VIOLATIONS as exc:
            # Another operator designated an SAA for this organization at the same moment.
            raise Conflict("The organization has an SAA (ORG-1).", "organizationId") from exc
        raised = await _admin_on_everything(actor, account_id, org["org_type"])
        await Organization.update({Organization.saa_vacated_at: None}).where(
            Organization.id == organization_id
        )
        vacated = org["saa_vacated_at"]
        await actor.audit(
            "account.saa_set",
            target_type="Account",
            target_id=account_id,
            organization_id=organization_id,
            before={
                "user_type": account["user_type"],
                "saa_vacated_at": vacated.isoformat() if vacated else None,
            },
            after={"user_type": UserType.SAA, "admin_granted": raised},
        )
        await outbox.enqueue(
            to=account["email"],
            subject=f"You are now the SAA of {org['name']}",
            body=(
                f"Hello {account['first_name']},\n\nThe program operator made your account "
                f"{account['user_id']} the Super Account Administrator of {org['name']}. "
                "You administer every privilege available to the organization, and its "
                "accounts can sign in again."
            ),
            kind="organization.saa_set",
            now=actor.now,
        )


async def _admin_on_everything(actor: Actor, account_id: int, org_type: str) -> list[str]:
    return await grant_admin_on_everything(
        account_id, org_type, granted_by=actor.viewer.account_id, now=actor.now
    )


async def grant_admin_on_everything(
    account_id: int, org_type: str, *, granted_by: int | None, now: datetime
) -> list[str]:
    """ENT-2, REQ-7: the SAA holds ADMIN on every privilege available to the organization's
    type. Two statements besides the read, however large the catalog; returns the codes
    granted or raised to ADMIN. `granted_by` is None when no account decided it (a
    signatory's approval, REQ-4)."""
    available = await PrivilegeAvailability.select(
        PrivilegeAvailability.privilege.as_alias("id"),
        PrivilegeAvailability.privilege.code.as_alias("code"),
    ).where(PrivilegeAvailability.org_type == org_type)
    held = {
        g["privilege"]: g["level"]
        for g in await Grant.select(Grant.privilege, Grant.level).where(Grant.account == account_id)
    }
    raised = [p for p in available if p["id"] in held and held[p["id"]] != PrivilegeLevel.ADMIN]
    missing = [p for p in available if p["id"] not in held]
    if raised:
        await Grant.update(
            {
                Grant.level: PrivilegeLevel.ADMIN,
                Grant.granted_by: granted_by,
                Grant.granted_at: now,
            }
        ).where((Grant.account == account_id) & Grant.privilege.is_in([p["id"] for p in raised]))
    if missing:
        await Grant.insert(
            *[
                Grant(
                    account=account_id,
                    privilege=p["id"],
                    level=PrivilegeLevel.ADMIN,
                    granted_by=granted_by,
                    granted_at=now,
                )
                for p in missing
            ]
        )
    return sorted(p["code"] for p in raised + missing)
