"""The account lifecycle: create, activate, edit, disable, enable, delete (ACC-1..ACC-11)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

from entitle.authz.facts import OrganizationFacts, account_facts
from entitle.db import UNIQUE_VIOLATIONS, write_transaction
from entitle.enums import AccountKind, AccountStatus, OrgClass, UserType
from entitle.models import Account, Grant, Organization, Session
from entitle.models.accounts import READ_COLUMNS
from entitle.services import certification, organizations, outbox, tokens, validation
from entitle.services.actor import Actor
from entitle.services.errors import Conflict, Forbidden, Invalid, NotFound
from entitle.settings import Settings

ACCOUNT_COLUMNS = READ_COLUMNS
# What the audit log keeps of an account: never a password hash.
AUDITED = (
    "user_id",
    "first_name",
    "middle_name",
    "last_name",
    "email",
    "phone",
    "cell_phone",
    "title",
    "department",
    "kind",
    "user_type",
    "status",
    "activation_date",
)
CONTACT_FIELDS = frozenset({"phone", "cell_phone", "title", "department"})


def snapshot(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (row[k].isoformat() if isinstance(row[k], date) else row[k]) for k in AUDITED}


@dataclass
class AccountDetails:
    """Fields an admin types for a new account (ACC-1) or changes on one (ACC-5)."""

    first_name: str | None = None
    middle_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    cell_phone: str | None = None
    title: str | None = None
    department: str | None = None


def _clean(details: AccountDetails, given: set[str]) -> dict[str, Any]:
    """Validate the fields named in `given`; required fields may not be cleared."""
    rules = {
        "first_name": lambda v: validation.text(v, "firstName", required=True, max_length=100),
        "middle_name": lambda v: validation.text(v, "middleName", required=False, max_length=100),
        "last_name": lambda v: validation.text(v, "lastName", required=True, max_length=100),
        "email": validation.email,
        "phone": lambda v: validation.phone(v, "phone", required=True),
        "cell_phone": lambda v: validation.phone(v, "cellPhone", required=False),
        "title": lambda v: validation.text(v, "title", required=False, max_length=100),
        "department": lambda v: validation.text(v, "department", required=False, max_length=100),
    }
    return {name: rules[name](getattr(details, name)) for name in rules if name in given}


async def load_for(actor: Actor, account_id: int, action: str, *, field: str = "accountId") -> dict:
    """The account row, once the policy allows `action` on it.

    An account the viewer may not see is NOT_FOUND, exactly like a missing one.
    """
    return (await load_all_for(actor, [account_id], action, field=field))[account_id]


async def load_all_for(
    actor: Actor, account_ids: list[int], action: str, *, field: str = "accountId"
) -> dict[int, dict]:
    """`load_for` for many accounts in one statement, checked one by one."""
    rows = {
        r["id"]: r
        for r in await Account.select(*ACCOUNT_COLUMNS).where(Account.id.is_in(list(account_ids)))
    }
    for account_id in account_ids:
        row = rows.get(account_id)
        facts = None if row is None else account_facts(actor.viewer, row)
        if facts is None or not actor.authz.allows("read", facts):
            raise NotFound("No such account.", field)
        if not actor.authz.allows(action, facts):
            if row["status"] == AccountStatus.DELETED:
                raise Forbidden("A deleted account can only be read (ACC-11).", field)
            raise Forbidden(f"You may not {action.replace('_', ' ')} this account.", field)
    return rows


def _ascii_letters(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return re.sub(r"[^a-z]", "", decomposed.encode("ascii", "ignore").decode().lower())


async def suggest_user_id(first_name: str, last_name: str) -> str:
    """ACC-1: a user ID from first and last name, unique across the whole platform."""
    first, last = _ascii_letters(first_name), _ascii_letters(last_name)
    if not last and not first:
        raise Invalid("A user ID needs letters in the first or last name.", "lastName")
    base = f"{first[:1]}{last}"[:56] or first[:56]
    base = base if len(base) >= 3 else f"{base}user"
    taken = {
        r["user_id"]
        for r in await Account.select(Account.user_id).where(Account.user_id.like(f"{base}%"))
    }
    if base not in taken:
        return base
    return next(f"{base}{n}" for n in range(2, len(taken) + 3) if f"{base}{n}" not in taken)


@dataclass
class NewAccount(AccountDetails):
    organization_id: int | None = None
    user_id: str | None = None
    kind: AccountKind = AccountKind.HUMAN
    activation_date: date | None = None


async def create_account(actor: Actor, new: NewAccount) -> int:
    """ACC-1, ACC-2, ACC-9: a DRAFT account in an organization the actor may create in."""
    await certification.check_not_past_due(actor)  # CERT-4
    organization_id = new.organization_id or actor.viewer.organization_id
    machine = new.kind is not AccountKind.HUMAN
    given = {f.name for f in fields(AccountDetails)}
    values = _clean(new, given)
    activation = validation.activation_date(new.activation_date, actor.now.date())
    async with write_transaction():
        org = (
            await Organization.select(Organization.id, Organization.org_class)
            .where(Organization.id == (organization_id or 0))
            .first()
        )
        facts = OrganizationFacts(own=org is not None and org["id"] == actor.viewer.organization_id)
        if org is None or not actor.authz.allows("read", facts):
            raise NotFound("No such organization.", "organizationId")
        action = "create_machine_account" if machine else "create_account"
        if not actor.authz.allows(action, facts):
            message = (
                "Only the operator creates machine accounts (ACC-9)."
                if machine
                else ("You may not create accounts in this organization.")
            )
            raise Forbidden(message, "kind" if machine else "organizationId")
        if new.kind is AccountKind.FTP and org["org_class"] == OrgClass.OPERATOR:
            raise Invalid("The operator's own organization has no FTP accounts.", "kind")
        user_id = (
            validation.user_id(new.user_id)
            if new.user_id
            else await suggest_user_id(values["first_name"], values["last_name"])
        )
        if await Account.exists().where(Account.user_id == user_id):
            raise Conflict("That user ID is taken; user IDs are unique platform-wide.", "userId")
        row = Account(
            user_id=user_id,
            organization=org["id"],
            kind=new.kind,
            status=AccountStatus.DRAFT,
            created_by=actor.viewer.account_id,
            created_at=actor.now,
            activation_date=activation,
            **values,
        )
        try:
            inserted = await Account.insert(row).returning(*ACCOUNT_COLUMNS)
        except UNIQUE_VIOLATIONS as exc:
            # Lost a race with a concurrent create of the same user ID.
            raise Conflict(
                "That user ID is taken; user IDs are unique platform-wide.", "userId"
            ) from exc
        await actor.audit(
            "account.create",
            target_type="Account",
            target_id=inserted[0]["id"],
            organization_id=org["id"],
            after=snapshot(inserted[0]),
        )
        return inserted[0]["id"]


async def activate(actor: Actor, account_id: int) -> None:
    """ACC-3: a draft with at least one entitlement becomes ACTIVE; its owner gets two emails."""
    await certification.check_not_past_due(actor)  # CERT-4: edit account access
    async with write_transaction():
        row = await load_for(actor, account_id, "activate")
        await activate_draft(row, actor.settings, now=actor.now)
        await actor.audit(
            "account.activate",
            target_type="Account",
            target_id=account_id,
            organization_id=row["organization"],
            before={"status": row["status"]},
            after={"status": AccountStatus.ACTIVE},
        )


async def activate_draft(row: dict, settings: Settings, *, now: datetime) -> None:
    """ACC-3 for one draft row, inside the caller's transaction: the mutation and the
    drafts job's scheduled activation (ACC-2) both go through here."""
    if row["status"] != AccountStatus.DRAFT:
        raise Invalid("Only a draft account can be activated.", "accountId")
    if not await Grant.exists().where(Grant.account == row["id"]):
        raise Invalid("Grant at least one entitlement before activating (ACC-3).", "accountId")
    await Account.update({Account.status: AccountStatus.ACTIVE, Account.activated_at: now}).where(
        Account.id == row["id"]
    )
    if row["kind"] != AccountKind.HUMAN:
        return  # machine credentials are issued by the operator, not by email
    token = await tokens.issue_link(
        row["id"],
        "ACTIVATION",
        now=now,
        valid_for=timedelta(hours=settings.activation_link_hours),
    )
    # ACC-3: two separate emails, so one intercepted message is not enough to take over.
    await outbox.enqueue(
        to=row["email"],
        subject="Your new account",
        body=(
            f"Hello {row['first_name']},\n\nAn account was created for you.\n"
            f"Your user ID is: {row['user_id']}\n\n"
            "A separate email brings the link to set your password."
        ),
        kind="account.activated.user_id",
        now=now,
    )
    await outbox.enqueue(
        to=row["email"],
        subject="Set your password",
        body=(
            f"Hello {row['first_name']},\n\nSet your password within "
            f"{settings.activation_link_hours} hours with this single-use link:\n"
            f"{settings.public_url}/activate?token={token}\n"
        ),
        kind="account.activated.password_link",
        now=now,
    )


async def update(actor: Actor, account_id: int, details: AccountDetails, given: set[str]) -> None:
    """ACC-5: contact fields alone need `update_contact`; names and email need `update`."""
    await certification.check_not_past_due(actor)  # CERT-4
    if not given:
        raise Invalid("Nothing to change.", None)
    values = _clean(details, given)
    action = "update_contact" if given <= CONTACT_FIELDS else "update"
    async with write_transaction():
        row = await load_for(actor, account_id, action)
        await Account.update(values).where(Account.id == account_id)
        changed = {k: v for k, v in values.items() if row[k] != v}
        if "email" in changed:
            # AUTH-1: links go to the account's email; those sent to the old one stop working.
            await tokens.retire_links(account_id, now=actor.now)
        await actor.audit(
            "account.update",
            target_type="Account",
            target_id=account_id,
            organization_id=row["organization"],
            before={k: row[k] for k in changed},
            after=changed,
        )


DISABLED = (AccountStatus.DISABLED_BY_ADMIN, AccountStatus.DISABLED_BY_OPERATOR)


async def _set_status(
    actor: Actor,
    account_id: int,
    action: str,
    status: Callable[[dict], AccountStatus],
    values: dict,
    *,
    reason: str | None = None,
    end_sessions: bool = False,
) -> None:
    """One status change (ACC-4): authorize, check the current status, write, audit."""
    async with write_transaction():
        row = await load_for(actor, account_id, action)
        new_status = status(row)
        await Account.update({Account.status: new_status, **values}).where(Account.id == account_id)
        if end_sessions:
            await Session.update({Session.ended_at: actor.now}).where(
                (Session.account == account_id) & Session.ended_at.is_null()
            )
        if new_status == AccountStatus.DELETED and row["user_type"] == UserType.SAA:
            await organizations.mark_saa_vacated([row["organization"]], actor.now)
        after = {"status": new_status} | ({"reason": reason} if reason else {})
        await actor.audit(
            f"account.{action}",
            target_type="Account",
            target_id=account_id,
            organization_id=row["organization"],
            before={"status": row["status"]},
            after=after,
        )


async def disable(actor: Actor, account_id: int, reason: str | None) -> None:
    """ACC-6: by an admin of the organization, or by the operator (DISABLED_BY_OPERATOR)."""
    reason = validation.text(reason, "reason", required=False, max_length=500)

    def status(row: dict) -> AccountStatus:
        if row["status"] in DISABLED:
            raise Invalid("The account is already disabled.", "accountId")
        # ACC-3, ACC-6: only an account in use is disabled. A draft is not (enabling it
        # would make it ACTIVE without activation: no entitlement check, no emails); it is
        # deleted, or expires (ACC-2).
        if row["status"] not in (
            AccountStatus.ACTIVE,
            AccountStatus.PASSWORD_LOCKOUT,
            AccountStatus.SECURITY_QUESTION_LOCKOUT,
        ):
            raise Invalid("Only an active or locked-out account can be disabled.", "accountId")
        if actor.viewer.profile.operator:
            return AccountStatus.DISABLED_BY_OPERATOR
        return AccountStatus.DISABLED_BY_ADMIN

    values = {
        Account.disabled_by: actor.viewer.account_id,
        Account.disabled_at: actor.now,
        Account.disabled_reason: reason,
    }
    await _set_status(
        actor, account_id, "disable", status, values, reason=reason, end_sessions=True
    )


async def enable(actor: Actor, account_id: int) -> None:
    """ACC-6: only accounts disabled by an admin; the operator's own disables by the operator."""
    await certification.check_not_past_due(actor)  # CERT-4: edit account access

    def status(row: dict) -> AccountStatus:
        if row["status"] not in DISABLED:
            raise Invalid("Only a disabled account can be enabled.", "accountId")
        if row["activated_at"] is None:
            # ACC-3: a draft disabled before drafts were refused was never activated.
            raise Invalid("A never-activated account is activated, not enabled.", "accountId")
        return AccountStatus.ACTIVE

    values = {Account.disabled_by: None, Account.disabled_at: None, Account.disabled_reason: None}
    await _set_status(actor, account_id, "enable", status, values)


async def delete(actor: Actor, account_id: int, reason: str | None) -> None:
    """ACC-6, ACC-7: permanent; the row stays for audit, visible to the SAA and operator."""
    reason = validation.text(reason, "reason", required=True, max_length=500)
    values = {
        Account.deleted_by: actor.viewer.account_id,
        Account.deleted_at: actor.now,
        Account.deleted_reason: reason,
    }
    await _set_status(
        actor,
        account_id,
        "delete",
        lambda _row: AccountStatus.DELETED,
        values,
        reason=reason,
        end_sessions=True,
    )
