"""Sign-in, sign-out and turning a bearer token into a Viewer (AUTH-5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from entitle.authz.actor import Profile, Viewer
from entitle.db import write_transaction
from entitle.enums import AccountStatus, OrgClass, PrivilegeLevel, UserType
from entitle.models import (
    Account,
    Grant,
    IdentifierAssignment,
    PrivilegeAvailability,
    RoleAssignment,
    RoleGrant,
    Session,
)
from entitle.services import audit, catalog, tokens
from entitle.services.passwords import MAX_PASSWORD_LENGTH, Passwords

# Idle sessions are extended at most this often, so a busy client does not write per request.
TOUCH_INTERVAL = timedelta(seconds=60)


class SignInRefused(Exception):
    """Unknown user ID, wrong password or an account that may not sign in: one answer for all."""


@dataclass(frozen=True)
class SignedIn:
    token: str
    account_id: int
    session_id: int


async def login(
    user_id: str, password: str, *, passwords: Passwords, now: datetime, request_id: str | None
) -> SignedIn:
    if len(password) > MAX_PASSWORD_LENGTH or len(user_id) > 64:
        raise SignInRefused
    row = (
        await Account.select(
            Account.id, Account.user_id, Account.status, Account.password_hash, Account.organization
        )
        .where(Account.user_id == user_id.strip().lower())
        .first()
    )
    # Verify even for an unknown user ID so both answers cost the same time.
    valid = passwords.verify(row["password_hash"] if row else None, password)
    if row is None or not valid or row["status"] != AccountStatus.ACTIVE:
        raise SignInRefused
    token = tokens.new_token()
    async with write_transaction():
        session_id = (
            await Session.insert(
                Session(
                    token_hash=tokens.digest(token),
                    account=row["id"],
                    created_at=now,
                    last_seen_at=now,
                )
            ).returning(Session.id)
        )[0]["id"]
        await Account.update({Account.last_sign_in_at: now}).where(Account.id == row["id"])
        await audit.record(
            audit.AuditEntry(
                action="session.login",
                target_type="Account",
                target_id=str(row["id"]),
                actor_id=row["id"],
                actor_label=row["user_id"],
                organization_id=row["organization"],
            ),
            at=now,
            request_id=request_id,
        )
    return SignedIn(token=token, account_id=row["id"], session_id=session_id)


async def logout(
    viewer: Viewer, *, everywhere: bool, now: datetime, request_id: str | None
) -> None:
    async with write_transaction():
        query = Session.update({Session.ended_at: now}).where(Session.ended_at.is_null())
        if everywhere:
            await query.where(Session.account == viewer.account_id)
        else:
            await query.where(Session.id == viewer.session_id)
        await audit.record(
            audit.AuditEntry(
                action="session.logout_everywhere" if everywhere else "session.logout",
                target_type="Account",
                target_id=str(viewer.account_id),
                actor_id=viewer.account_id,
                actor_label=viewer.user_id or "",
                organization_id=viewer.organization_id,
            ),
            at=now,
            request_id=request_id,
        )


async def authenticate(token: str, *, now: datetime, idle: timedelta) -> Viewer | None:
    """The viewer a bearer token stands for, or None when it is unknown, ended or idle too long."""
    if not token or len(token) > 128:
        return None
    row = (
        await Session.select(
            Session.id,
            Session.last_seen_at,
            Session.account.id.as_alias("account_id"),
            Session.account.user_id.as_alias("user_id"),
            Session.account.status.as_alias("status"),
            Session.account.kind.as_alias("kind"),
            Session.account.user_type.as_alias("user_type"),
            Session.account.organization.id.as_alias("organization_id"),
            Session.account.organization.org_type.as_alias("org_type"),
            Session.account.organization.org_class.as_alias("org_class"),
        )
        .where((Session.token_hash == tokens.digest(token)) & Session.ended_at.is_null())
        .first()
    )
    if row is None or row["status"] != AccountStatus.ACTIVE:
        return None
    if now - row["last_seen_at"] > idle:
        return None
    if now - row["last_seen_at"] > TOUCH_INTERVAL:
        await Session.update({Session.last_seen_at: now}).where(Session.id == row["id"])
    return await _viewer(row)


async def _viewer(row: dict) -> Viewer:
    grants = await Grant.select(
        Grant.privilege,
        Grant.level,
        Grant.privilege.code.as_alias("code"),
        Grant.privilege.sensitive.as_alias("sensitive"),
        Grant.privilege.application.code.as_alias("application_code"),
    ).where(Grant.account == row["account_id"])
    # ENT-8: what roles give counts as much as what is granted directly.
    grants += await RoleGrant.select(
        RoleGrant.role,
        RoleGrant.privilege,
        RoleGrant.level,
        RoleGrant.privilege.code.as_alias("code"),
        RoleGrant.privilege.sensitive.as_alias("sensitive"),
        RoleGrant.privilege.application.code.as_alias("application_code"),
    ).where(
        RoleGrant.role.is_in(
            RoleAssignment.select(RoleAssignment.role).where(
                RoleAssignment.account == row["account_id"]
            )
        )
        & (RoleGrant.role.status == "ACTIVE")
    )
    available = await PrivilegeAvailability.select(PrivilegeAvailability.privilege).where(
        PrivilegeAvailability.org_type == row["org_type"]
    )
    identifiers = await IdentifierAssignment.select(IdentifierAssignment.identifier).where(
        IdentifierAssignment.account == row["account_id"]
    )
    codes = {g["code"] for g in grants}
    available_ids = frozenset(a["privilege"] for a in available)
    is_saa = row["user_type"] == UserType.SAA
    profile = Profile(
        signed_in=True,
        operator=row["org_class"] == OrgClass.OPERATOR,
        user_type=row["user_type"],
        machine=row["kind"] != "HUMAN",
        manages_accounts=is_saa or catalog.MANAGE_ACCESS in codes,
        assigns_roles=is_saa or catalog.ASSIGN_ROLES in codes,
        reads_individuals=any(g["application_code"] == catalog.REGISTRATION_APP for g in grants),
        sensitive=tuple(sorted(g["code"] for g in grants if g["sensitive"])),
    )
    return Viewer(
        profile=profile,
        account_id=row["account_id"],
        organization_id=row["organization_id"],
        org_type=row["org_type"],
        org_class=row["org_class"],
        user_id=row["user_id"],
        session_id=row["id"],
        # ENT-2: the SAA administers every privilege available to the organization's type.
        administered=available_ids
        if is_saa
        else frozenset(g["privilege"] for g in grants if g["level"] == PrivilegeLevel.ADMIN),
        identifiers=frozenset(i["identifier"] for i in identifiers),
        roles=frozenset(g["role"] for g in grants if "role" in g),
        available=available_ids,
    )
