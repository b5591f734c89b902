"""The requester's side: drafts, send, recall, cancel (REQ-1..REQ-3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from entitle.authz.facts import OrganizationFacts, RequestFacts
from entitle.db import write_transaction
from entitle.enums import (
    AccountKind,
    AccountStatus,
    RequestStatus,
    RequestType,
    SaaDisposition,
    UserType,
)
from entitle.models import (
    Account,
    AuthorizedSignatory,
    Request,
)
from entitle.services import accounts, organizations, validation
from entitle.services.actor import Actor
from entitle.services.errors import Forbidden, Invalid, NotFound
from entitle.services.requests.common import PENDING, same_email
from entitle.services.requests.passcodes import issue_passcode, retire_passcodes
from entitle.services.requests.transitions import actor_entry, transition


@dataclass
class RequestDetails:
    """What a requester fills in. Saving replaces the draft's details with these whole,
    like a form saved with every field."""

    saa_disposition: SaaDisposition | None = None
    new_saa_account_id: int | None = None
    new_first_name: str | None = None
    new_last_name: str | None = None
    new_email: str | None = None
    new_phone: str | None = None
    signatory_id: int | None = None
    signatory_name: str | None = None
    signatory_title: str | None = None
    signatory_email: str | None = None


def request_facts(viewer_account_id: int | None, row: dict, by_passcode: bool = False):
    return RequestFacts(
        mine=row["requester"] is not None and row["requester"] == viewer_account_id,
        request_type=row["request_type"],
        by_passcode=by_passcode,
    )


async def load_for(actor: Actor, request_id: int, action: str) -> dict:
    """The request row once the policy allows `action`; hidden reads as missing."""
    row = await Request.select().where(Request.id == request_id).first()
    facts = None if row is None else request_facts(actor.viewer.account_id, row)
    if facts is None or not actor.authz.allows("read", facts):
        raise NotFound("No such request.", "requestId")
    if not actor.authz.allows(action, facts):
        raise Forbidden("You may not do this with this request.", "requestId")
    return row


async def _details_values(
    request_type: str, organization_id: int, details: RequestDetails
) -> dict[str, Any]:
    """Validate what was typed and resolve the accounts and signatory it names, all of
    the request's own organization (an account of another one reads as missing)."""
    values: dict[str, Any] = {
        "saa_disposition": None,
        "new_saa_account": None,
        "new_first_name": validation.text(
            details.new_first_name, "newFirstName", required=False, max_length=100
        ),
        "new_last_name": validation.text(
            details.new_last_name, "newLastName", required=False, max_length=100
        ),
        "new_email": validation.email(details.new_email, "newEmail") if details.new_email else None,
        "new_phone": validation.phone(details.new_phone, "newPhone", required=False),
        "signatory": None,
        "signatory_name": None,
        "signatory_title": None,
        "signatory_email": None,
        "signatory_added_by_hand": False,
    }
    if request_type == RequestType.REPLACE_SAA:
        values["saa_disposition"] = details.saa_disposition
        if details.new_saa_account_id is not None:
            account = await _account_of(organization_id, details.new_saa_account_id)
            _check_new_saa(account)
            values["new_saa_account"] = account["id"]
    elif details.saa_disposition is not None or details.new_saa_account_id is not None:
        raise Invalid("An Update SAA request changes only the SAA's name and email.", None)
    typed_email = (
        validation.email(details.signatory_email, "signatoryEmail")
        if details.signatory_email
        else None
    )
    if details.signatory_id is not None:
        signatory = (
            await AuthorizedSignatory.select()
            .where(AuthorizedSignatory.id == details.signatory_id)
            .first()
        )
        if signatory is None or signatory["organization"] != organization_id:
            raise NotFound("No such signatory of this organization.", "signatoryId")
        values |= {
            "signatory": signatory["id"],
            "signatory_name": signatory["name"],
            "signatory_title": signatory["title"],
            # ORG-5: the requester supplies the email only when none is on file.
            "signatory_email": signatory["email"] or typed_email,
        }
    elif details.signatory_name or details.signatory_title or typed_email:
        values |= {
            "signatory_name": validation.text(
                details.signatory_name, "signatoryName", required=False, max_length=200
            ),
            "signatory_title": validation.text(
                details.signatory_title, "signatoryTitle", required=False, max_length=100
            ),
            "signatory_email": typed_email,
            "signatory_added_by_hand": True,
        }
    return values


async def _account_of(organization_id: int, account_id: int) -> dict:
    account = (
        await Account.select(*accounts.ACCOUNT_COLUMNS).where(Account.id == account_id).first()
    )
    if account is None or account["organization"] != organization_id:
        raise NotFound("No such account in this organization.", "newSaaAccountId")
    return account


def _check_new_saa(account: dict) -> None:
    if account["status"] == AccountStatus.DELETED:
        raise Invalid("A deleted account cannot become the SAA (ACC-7).", "newSaaAccountId")
    if account["status"] == AccountStatus.DRAFT:
        raise Invalid("A draft account cannot become the SAA.", "newSaaAccountId")
    if account["status"] in (AccountStatus.DISABLED_BY_ADMIN, AccountStatus.DISABLED_BY_OPERATOR):
        raise Invalid(
            "A disabled account cannot become the SAA; it must be enabled first.",
            "newSaaAccountId",
        )
    if account["kind"] != AccountKind.HUMAN:
        raise Invalid("An SAA is a person; a machine account cannot be one.", "newSaaAccountId")
    if account["user_type"] == UserType.SAA:
        raise Invalid("That account is the SAA already.", "newSaaAccountId")


async def create(actor: Actor, request_type: RequestType, details: RequestDetails) -> int:
    """REQ-1, REQ-2: a DRAFT in the requester's organization."""
    if request_type is RequestType.NEW_ORGANIZATION_SAA:
        raise Invalid("A new organization's agreement is made without an account (ORG-3).", "type")
    organization_id = actor.viewer.organization_id or 0
    action = (
        "request_replace_saa" if request_type is RequestType.REPLACE_SAA else "request_update_saa"
    )
    if not actor.authz.allows(action, OrganizationFacts(own=True)):
        message = (
            "Only the SAA asks to update their own name or email (REQ-2)."
            if request_type is RequestType.UPDATE_SAA
            else "You may not ask to replace this organization's SAA (REQ-1)."
        )
        raise Forbidden(message, None)
    values = await _details_values(request_type, organization_id, details)
    async with write_transaction():
        row = (
            await Request.insert(
                Request(
                    request_type=request_type,
                    status=RequestStatus.DRAFT,
                    organization=organization_id,
                    requester=actor.viewer.account_id,
                    created_at=actor.now,
                    updated_at=actor.now,
                    **values,
                )
            ).returning(*Request.all_columns())
        )[0]
        await transition(actor_entry(actor), row, None, RequestStatus.DRAFT, now=actor.now)
        return row["id"]


async def save(actor: Actor, request_id: int, details: RequestDetails) -> int:
    """REQ-3 "Save & edit": a DRAFT keeps what was typed."""
    async with write_transaction():
        row = await load_for(actor, request_id, "edit")
        if row["status"] != RequestStatus.DRAFT:
            raise Invalid("Only a draft can be edited; recall it first.", "requestId")
        values = await _details_values(row["request_type"], row["organization"], details)
        await Request.update({**values, Request.updated_at: actor.now}).where(
            Request.id == request_id
        )
        await actor.audit(
            "request.save",
            target_type="Request",
            target_id=request_id,
            organization_id=row["organization"],
            after={k: v for k, v in values.items() if v is not None},
        )
        return request_id


async def cancel(actor: Actor, request_id: int) -> int:
    """REQ-3: the requester ends a draft for good."""
    async with write_transaction():
        row = await load_for(actor, request_id, "edit")
        if row["status"] != RequestStatus.DRAFT:
            raise Invalid("Only a draft can be cancelled; recall it first.", "requestId")
        await transition(
            actor_entry(actor), row, RequestStatus.DRAFT, RequestStatus.CANCELLED, now=actor.now
        )
        return request_id


async def recall(actor: Actor, request_id: int) -> int:
    """REQ-3: a pending request goes back to DRAFT with its data; its passcode dies."""
    async with write_transaction():
        row = await load_for(actor, request_id, "edit")
        if row["status"] not in PENDING:
            raise Invalid("Only a pending request can be recalled.", "requestId")
        await retire_passcodes(request_id, actor.now)
        await transition(actor_entry(actor), row, row["status"], RequestStatus.DRAFT, now=actor.now)
        return request_id


async def send(actor: Actor, request_id: int) -> int:
    """REQ-1, REQ-2, REQ-4: a complete DRAFT goes to its signatory with a passcode."""
    async with write_transaction():
        row = await load_for(actor, request_id, "edit")
        if row["status"] != RequestStatus.DRAFT:
            raise Invalid("This request was sent already.", "requestId")
        requester = await _account_of(row["organization"], row["requester"])
        current = (
            await Account.select(Account.id)
            .where((Account.organization == row["organization"]) & organizations.serving_saa())
            .first()
        )
        await _check_complete(row, requester, current)
        await Request.update(
            {
                Request.current_saa: current["id"] if current else None,
                Request.sent_at: actor.now,
                Request.signatory_reason: None,
                Request.operator_reason: None,
                Request.justification_1: None,
                Request.justification_2: None,
            }
        ).where(Request.id == request_id)
        row = await Request.select().where(Request.id == request_id).first()
        passcode = await issue_passcode(request_id, actor.now)
        await transition(
            actor_entry(actor),
            row,
            RequestStatus.DRAFT,
            RequestStatus.PENDING_SIGNATORY,
            now=actor.now,
            settings=actor.settings,
            passcode=passcode,
        )
        return request_id


async def _check_complete(row: dict, requester: dict, current: dict | None) -> None:
    """What sending needs, beyond what saving checked."""
    kind = row["request_type"]
    if kind == RequestType.UPDATE_SAA:
        # REQ-2: only the serving SAA, for their own account.
        if current is None or current["id"] != requester["id"]:
            raise Forbidden("Only the SAA asks to update their own name or email.", None)
        if not any(row[k] for k in ("new_first_name", "new_last_name", "new_email")):
            raise Invalid("Give a new name or a new email.", "newFirstName")
    else:
        if current is not None and row["saa_disposition"] is None:
            raise Invalid("Say what becomes of the current SAA (REQ-1).", "saaDisposition")
        if row["new_saa_account"] is not None:
            if any(row[k] for k in ("new_first_name", "new_last_name", "new_email")):
                raise Invalid("Choose an account or a new one, not both.", "newSaaAccountId")
            _check_new_saa(await _account_of(row["organization"], row["new_saa_account"]))
        else:
            for key, field in (
                ("new_first_name", "newFirstName"),
                ("new_last_name", "newLastName"),
                ("new_email", "newEmail"),
                ("new_phone", "newPhone"),
            ):
                if not row[key]:
                    raise Invalid(
                        "Choose the new SAA among the accounts or give a new account's "
                        "first and last name, email and phone (REQ-1).",
                        field,
                    )
    on_file = await AuthorizedSignatory.select(
        AuthorizedSignatory.id, AuthorizedSignatory.email
    ).where(AuthorizedSignatory.organization == row["organization"])
    if row["signatory_added_by_hand"]:
        # REQ-1, ORG-5: a signatory is added only when none is on file.
        if on_file:
            raise Invalid("Choose one of the organization's signatories.", "signatoryId")
        if not row["signatory_name"] or not row["signatory_title"]:
            raise Invalid("Give the signatory's name and title.", "signatoryName")
    elif row["signatory"] is None:
        raise Invalid("Choose an authorized signatory (REQ-1).", "signatoryId")
    if not row["signatory_email"]:
        raise Invalid("The signatory has no email on file: give one (ORG-5).", "signatoryEmail")
    # REQ-1: not themselves when another signatory exists.
    if same_email(row["signatory_email"], requester["email"]) and len(on_file) > 1:
        raise Invalid("Choose another signatory than yourself (REQ-1).", "signatoryId")
