"""Fulfilment in one transaction: the old SAA steps down, the new one takes over (REQ-7)."""

from __future__ import annotations

from datetime import datetime

from entitle.db import UNIQUE_VIOLATIONS
from entitle.enums import (
    AccountKind,
    AccountStatus,
    PrivilegeLevel,
    RequestType,
    SaaDisposition,
    UserType,
)
from entitle.models import (
    Account,
    Grant,
    Organization,
    Request,
    RoleAssignment,
    RoleGrant,
    Session,
)
from entitle.services import accounts, audit, organizations
from entitle.services.errors import Conflict
from entitle.settings import Settings


async def fulfil(row: dict, *, now: datetime, settings: Settings, granted_by: int | None) -> None:
    """REQ-7, inside the caller's transaction. The old SAA steps down before the new one
    steps up, so the one-SAA index (ORG-1) holds after every statement; a request whose
    organization's SAA changed since it was sent fails with CONFLICT, and so does the
    loser of two approvals racing (the conditional update finds nothing to change, or
    the unique index refuses the second SAA)."""
    if row["request_type"] == RequestType.UPDATE_SAA:
        changes = {
            k: row[f"new_{k}"] for k in ("first_name", "last_name", "email") if row[f"new_{k}"]
        }
        current = await Account.select(*(getattr(Account, k) for k in changes)).where(
            Account.id == row["requester"]
        )
        done = (
            await Account.update(changes)
            .where(
                (Account.id == row["requester"])
                & (Account.user_type == UserType.SAA)
                & (Account.status != AccountStatus.DELETED)
            )
            .returning(Account.id)
        )
        if not done:
            raise Conflict("The requester is no longer the SAA.", "requestId")
        await _audit_account(
            row,
            "account.update",
            row["requester"],
            granted_by,
            before={k: current[0][k] for k in changes if current[0][k] != changes[k]},
            after={k: v for k, v in changes.items() if current[0][k] != v},
            now=now,
        )
        return
    org = (
        await Organization.select(Organization.name, Organization.org_type)
        .where(Organization.id == row["organization"])
        .first()
    )
    old = row["current_saa"]
    try:
        if old is None:
            if await Account.exists().where(
                (Account.organization == row["organization"]) & organizations.serving_saa()
            ):
                raise Conflict(
                    "The organization has an SAA since this request was sent (ORG-1).",
                    "requestId",
                )
        else:
            await _step_down(row, old, now, granted_by)
        new_id = row["new_saa_account"]
        if new_id is None:
            new_id = await _create_new_saa(row, now)
        promoted = (
            await Account.update({Account.user_type: UserType.SAA})
            .where(
                (Account.id == new_id)
                & (Account.organization == row["organization"])
                # The account created just now is a draft until activated below (ACC-3).
                # A disabled account is not handed the organization by a signatory alone.
                & Account.status.not_in(
                    [
                        AccountStatus.DELETED,
                        AccountStatus.DISABLED_BY_ADMIN,
                        AccountStatus.DISABLED_BY_OPERATOR,
                    ]
                    + ([AccountStatus.DRAFT] if row["new_saa_account"] is not None else [])
                )
            )
            .returning(Account.id)
        )
        if not promoted:
            raise Conflict("The new SAA's account can no longer be the SAA.", "requestId")
    except UNIQUE_VIOLATIONS as exc:
        raise Conflict(
            "Another request replaced this SAA a moment ago (ORG-1).", "requestId"
        ) from exc
    await organizations.grant_admin_on_everything(
        new_id, org["org_type"], granted_by=granted_by, now=now
    )
    await Organization.update({Organization.saa_vacated_at: None}).where(
        Organization.id == row["organization"]
    )
    if row["new_saa_account"] is None:
        created = await Account.select(*accounts.ACCOUNT_COLUMNS).where(Account.id == new_id)
        # ACC-3: the new SAA gets the user ID and the password link in two emails.
        await accounts.activate_draft(created[0], settings, now=now)
    await Request.update({Request.new_saa_account: new_id}).where(Request.id == row["id"])
    await audit.record(
        audit.AuditEntry(
            action="account.saa_replaced",
            target_type="Account",
            target_id=str(new_id),
            actor_id=granted_by,
            actor_label=f"request:{row['id']}",
            organization_id=row["organization"],
            before={"saa": old, "disposition": row["saa_disposition"]},
            after={"saa": new_id},
        ),
        at=now,
        request_id=None,
    )


async def _audit_account(
    row: dict,
    action: str,
    account_id: int,
    actor_id: int | None,
    *,
    before: dict,
    after: dict,
    now: datetime,
) -> None:
    """REP-2: what a fulfilment changed on an account, in the account's own history."""
    await audit.record(
        audit.AuditEntry(
            action=action,
            target_type="Account",
            target_id=str(account_id),
            actor_id=actor_id,
            actor_label=f"request:{row['id']}",
            organization_id=row["organization"],
            before=before,
            after=after,
        ),
        at=now,
        request_id=None,
    )


async def _step_down(row: dict, old: int, now: datetime, actor_id: int | None) -> None:
    """The current SAA is converted to a user keeping only USER-level grants, or deleted."""
    if row["saa_disposition"] == SaaDisposition.DELETE:
        values = {
            Account.user_type: UserType.USER,
            Account.status: AccountStatus.DELETED,
            Account.deleted_at: now,
            Account.deleted_reason: f"Replaced as SAA by request {row['id']}",
        }
    else:
        values = {Account.user_type: UserType.USER}
    stepped = (
        await Account.update(values)
        .where(
            (Account.id == old)
            & (Account.user_type == UserType.SAA)
            & (Account.status != AccountStatus.DELETED)
        )
        .returning(Account.id)
    )
    if not stepped:
        raise Conflict(
            "The organization's SAA changed since this request was sent (ORG-1).", "requestId"
        )
    if row["saa_disposition"] == SaaDisposition.DELETE:
        await Session.update({Session.ended_at: now}).where(
            (Session.account == old) & Session.ended_at.is_null()
        )
        await _audit_account(
            row,
            "account.delete",
            old,
            actor_id,
            before={"user_type": UserType.SAA},
            after={"user_type": UserType.USER, "status": AccountStatus.DELETED},
            now=now,
        )
        return
    dropped = await Grant.select(Grant.privilege.code.as_alias("code")).where(
        (Grant.account == old) & (Grant.level == PrivilegeLevel.ADMIN)
    )
    await _audit_account(
        row,
        "account.saa_stepped_down",
        old,
        actor_id,
        before={"user_type": UserType.SAA, "admin_grants": sorted(g["code"] for g in dropped)},
        after={"user_type": UserType.USER},
        now=now,
    )
    await Grant.delete().where((Grant.account == old) & (Grant.level == PrivilegeLevel.ADMIN))
    # ROLE-6: a role with ADMIN grants would keep them an AA; a user account holds none.
    await RoleAssignment.delete().where(
        (RoleAssignment.account == old)
        & RoleAssignment.role.is_in(
            RoleGrant.select(RoleGrant.role).where(RoleGrant.level == PrivilegeLevel.ADMIN)
        )
    )


async def _create_new_saa(row: dict, now: datetime) -> int:
    user_id = await accounts.suggest_user_id(row["new_first_name"], row["new_last_name"])
    created = (
        await Account.insert(
            Account(
                user_id=user_id,
                organization=row["organization"],
                first_name=row["new_first_name"],
                last_name=row["new_last_name"],
                email=row["new_email"],
                phone=row["new_phone"],
                kind=AccountKind.HUMAN,
                status=AccountStatus.DRAFT,
                created_at=now,
            )
        ).returning(Account.id)
    )[0]
    return created["id"]
