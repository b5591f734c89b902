"""SAA requests: Replace SAA (REQ-1), Update SAA (REQ-2), their workflow (REQ-3..REQ-8) and
the organizations' authorized signatories (ORG-5).

Every transition is one write transaction that checks the status it starts from, writes
the new one, records the history row and the audit event, and queues the emails
(REQ-8). A refused transition raises before anything is written, or rolls back whole.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from entitle.authz.facts import OrganizationFacts, RequestFacts, SignatoryFacts
from entitle.db import UNIQUE_VIOLATIONS, write_transaction
from entitle.enums import (
    AccountKind,
    AccountStatus,
    PrivilegeLevel,
    RequestStatus,
    RequestType,
    SaaDisposition,
    SignatorySource,
    UserType,
)
from entitle.models import (
    Account,
    AuthorizedSignatory,
    Grant,
    Organization,
    Request,
    RequestEvent,
    RequestPasscode,
    RoleAssignment,
    RoleGrant,
    Session,
)
from entitle.services import accounts, audit, organizations, outbox, tokens, validation
from entitle.services.actor import Actor
from entitle.services.errors import AlreadyUsed, Conflict, Expired, Forbidden, Invalid, NotFound
from entitle.settings import Settings

DRAFT_LIFETIME = timedelta(days=30)  # REQ-3
PASSCODE_VALID_FOR = timedelta(days=14)  # REQ-4 **decision**: two weeks to decide
SIGNATORY = "signatory"  # the audit's actor label for a decision made with a passcode
PENDING = (RequestStatus.PENDING_SIGNATORY, RequestStatus.PENDING_OPERATOR)
TYPE_NAMES = {
    RequestType.REPLACE_SAA: "Replace SAA",
    RequestType.UPDATE_SAA: "Update SAA",
    RequestType.NEW_ORGANIZATION_SAA: "New Organization SAA",
}

# --- authorized signatories (ORG-5) -------------------------------------------------------


@dataclass
class SignatoryDetails:
    name: str | None = None
    title: str | None = None
    email: str | None = None
    source: SignatorySource | None = None


def _clean_signatory(details: SignatoryDetails) -> dict[str, Any]:
    if details.source is None:
        raise Invalid("source is required.", "source")
    return {
        "name": validation.text(details.name, "name", required=True, max_length=200),
        "title": validation.text(details.title, "title", required=True, max_length=100),
        # ORG-5: a signatory may lack an email address.
        "email": validation.email(details.email) if details.email else None,
        "source": details.source,
    }


async def _organization_for(actor: Actor, organization_id: int, action: str, facts) -> dict:
    org = (
        await Organization.select(
            Organization.id, Organization.name, Organization.org_type, Organization.org_class
        )
        .where(Organization.id == organization_id)
        .first()
    )
    own = OrganizationFacts(own=org is not None and org["id"] == actor.viewer.organization_id)
    if org is None or not actor.authz.allows("read", own):
        raise NotFound("No such organization.", "organizationId")
    if not actor.authz.allows(action, facts(org)):
        raise Forbidden("Only the operator keeps the authorized signatories (ORG-5).", None)
    return org


def _signatory_facts(actor: Actor, organization_id: int) -> SignatoryFacts:
    return SignatoryFacts(own_org=organization_id == actor.viewer.organization_id)


async def create_signatory(actor: Actor, organization_id: int, details: SignatoryDetails) -> int:
    """ORG-5: the operator records a signatory from a filing or the contact system."""
    values = _clean_signatory(details)
    async with write_transaction():
        await _organization_for(
            actor, organization_id, "manage", lambda o: _signatory_facts(actor, o["id"])
        )
        row = (
            await AuthorizedSignatory.insert(
                AuthorizedSignatory(organization=organization_id, created_at=actor.now, **values)
            ).returning(AuthorizedSignatory.id)
        )[0]
        await actor.audit(
            "signatory.create",
            target_type="AuthorizedSignatory",
            target_id=row["id"],
            organization_id=organization_id,
            after=values,
        )
        return row["id"]


async def _load_signatory(actor: Actor, signatory_id: int, action: str) -> dict:
    row = await AuthorizedSignatory.select().where(AuthorizedSignatory.id == signatory_id).first()
    facts = None if row is None else _signatory_facts(actor, row["organization"])
    if facts is None or not actor.authz.allows("read", facts):
        raise NotFound("No such signatory.", "signatoryId")
    if not actor.authz.allows(action, facts):
        raise Forbidden("Only the operator keeps the authorized signatories (ORG-5).", None)
    return row


async def update_signatory(actor: Actor, signatory_id: int, details: SignatoryDetails) -> int:
    values = _clean_signatory(details)
    async with write_transaction():
        row = await _load_signatory(actor, signatory_id, "manage")
        await AuthorizedSignatory.update(values).where(AuthorizedSignatory.id == signatory_id)
        await actor.audit(
            "signatory.update",
            target_type="AuthorizedSignatory",
            target_id=signatory_id,
            organization_id=row["organization"],
            before={k: row[k] for k in values},
            after=values,
        )
        return signatory_id


async def delete_signatory(actor: Actor, signatory_id: int) -> None:
    """Requests keep the copy of the signatory they were sent to."""
    async with write_transaction():
        row = await _load_signatory(actor, signatory_id, "manage")
        await AuthorizedSignatory.delete().where(AuthorizedSignatory.id == signatory_id)
        await actor.audit(
            "signatory.delete",
            target_type="AuthorizedSignatory",
            target_id=signatory_id,
            organization_id=row["organization"],
            before={k: row[k] for k in ("name", "title", "email", "source")},
        )


# --- the requester's side: drafts, send, recall, cancel (REQ-1..REQ-3) ---------------------


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


def _same_email(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.strip().lower() == b.strip().lower()


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
        await _transition(actor_entry(actor), row, None, RequestStatus.DRAFT, now=actor.now)
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
        await _transition(
            actor_entry(actor), row, RequestStatus.DRAFT, RequestStatus.CANCELLED, now=actor.now
        )
        return request_id


async def recall(actor: Actor, request_id: int) -> int:
    """REQ-3: a pending request goes back to DRAFT with its data; its passcode dies."""
    async with write_transaction():
        row = await load_for(actor, request_id, "edit")
        if row["status"] not in PENDING:
            raise Invalid("Only a pending request can be recalled.", "requestId")
        await _retire_passcodes(request_id, actor.now)
        await _transition(
            actor_entry(actor), row, row["status"], RequestStatus.DRAFT, now=actor.now
        )
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
        passcode = await _new_passcode(request_id, actor.now)
        await _transition(
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
    if _same_email(row["signatory_email"], requester["email"]) and len(on_file) > 1:
        raise Invalid("Choose another signatory than yourself (REQ-1).", "signatoryId")


# --- ORG-3: a new organization's first SAA -------------------------------------------------


@dataclass
class NewOrganizationAgreement:
    organization_number: str
    new_first_name: str | None
    new_last_name: str | None
    new_email: str | None
    new_phone: str | None
    signatory_name: str | None
    signatory_title: str | None
    signatory_email: str | None
    contact_email: str | None
    explanation: str | None = None


async def create_new_organization_agreement(
    settings: Settings, now: datetime, request_id_audit: str | None, form: NewOrganizationAgreement
) -> int:
    """ORG-3: made without an account for an organization the operator registered that
    has no SAA yet; it goes straight to its signatory, then always to the operator, who
    creates the SAA account."""
    values = {
        "new_first_name": validation.text(
            form.new_first_name, "newFirstName", required=True, max_length=100
        ),
        "new_last_name": validation.text(
            form.new_last_name, "newLastName", required=True, max_length=100
        ),
        "new_email": validation.email(form.new_email, "newEmail"),
        "new_phone": validation.phone(form.new_phone, "newPhone", required=True),
        "signatory_name": validation.text(
            form.signatory_name, "signatoryName", required=True, max_length=200
        ),
        "signatory_title": validation.text(
            form.signatory_title, "signatoryTitle", required=True, max_length=100
        ),
        "signatory_email": validation.email(form.signatory_email, "signatoryEmail"),
        "requester_email": validation.email(form.contact_email, "contactEmail"),
        "explanation": validation.text(
            form.explanation, "explanation", required=False, max_length=2000
        ),
    }
    # ORG-3: signatory and SAA are different people unless explained (a sole proprietor).
    if _same_email(values["new_email"], values["signatory_email"]) and not values["explanation"]:
        raise Invalid("The signatory is also the new SAA: explain why (ORG-3).", "explanation")
    async with write_transaction():
        org = (
            await Organization.select(Organization.id, Organization.org_class)
            .where(Organization.number == (form.organization_number or "").strip()[:16])
            .first()
        )
        # One answer for "no such organization" and "it has an SAA": the form is public.
        if (
            org is None
            or org["org_class"] == "OPERATOR"
            or await Account.exists().where(
                (Account.organization == org["id"]) & organizations.serving_saa()
            )
        ):
            raise NotFound(
                "No organization waiting for its first SAA has this number.",
                "organizationNumber",
            )
        row = (
            await Request.insert(
                Request(
                    request_type=RequestType.NEW_ORGANIZATION_SAA,
                    status=RequestStatus.PENDING_SIGNATORY,
                    organization=org["id"],
                    requester=None,
                    created_at=now,
                    updated_at=now,
                    sent_at=now,
                    **values,
                )
            ).returning(*Request.all_columns())
        )[0]
        passcode = await _new_passcode(row["id"], now)
        who = Who(f"contact:{values['requester_email']}", None, request_id_audit)
        await _transition(
            who,
            row,
            None,
            RequestStatus.PENDING_SIGNATORY,
            now=now,
            settings=settings,
            passcode=passcode,
        )
        return row["id"]


# --- the signatory's side (REQ-4, REQ-5) ---------------------------------------------------


def new_passcode() -> str:
    # 120 random bits, in groups a person can copy from an email.
    raw = secrets.token_hex(15).upper()
    return "-".join(raw[i : i + 5] for i in range(0, len(raw), 5))


def normalize_passcode(passcode: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", passcode.upper())


def _passcode_digest(passcode: str) -> str:
    return tokens.digest(normalize_passcode(passcode))


async def _new_passcode(request_id: int, now: datetime) -> str:
    await _retire_passcodes(request_id, now)
    passcode = new_passcode()
    await RequestPasscode.insert(
        RequestPasscode(
            request=request_id,
            code_hash=_passcode_digest(passcode),
            created_at=now,
            expires_at=now + PASSCODE_VALID_FOR,
        )
    )
    return passcode


async def _retire_passcodes(request_id: int, now: datetime) -> None:
    await RequestPasscode.update({RequestPasscode.used_at: now}).where(
        (RequestPasscode.request == request_id) & RequestPasscode.used_at.is_null()
    )


async def request_for_passcode(passcode: str, now: datetime) -> dict:
    """The passcode's row joined with its request's id; the same INVALID for anything
    unknown, so guessing tells nothing."""
    row = None
    if passcode and len(passcode) <= 64:
        row = (
            await RequestPasscode.select(
                RequestPasscode.id,
                RequestPasscode.request,
                RequestPasscode.expires_at,
                RequestPasscode.used_at,
            )
            .where(RequestPasscode.code_hash == _passcode_digest(passcode))
            .first()
        )
    if row is None:
        raise Invalid("This passcode is not valid.", "passcode")
    if row["used_at"] is not None:
        raise AlreadyUsed("This passcode was used already.", "passcode")
    if now >= row["expires_at"]:
        raise Expired("This passcode has expired.", "passcode")
    return row


class Decision:
    APPROVE = "APPROVE"
    DENY = "DENY"
    SEND_BACK = "SEND_BACK"


@dataclass
class SignatoryDecision:
    decision: str
    acknowledge_agreement: bool
    reason: str | None = None
    justification_1: str | None = None
    justification_2: str | None = None


async def justification_required(row: dict) -> bool:
    """REQ-5: the requester's email is the signatory's, or the new SAA's is and the
    organization has other signatories."""
    if row["requester"] is not None:
        requester = await Account.select(Account.email).where(Account.id == row["requester"])
        if requester and _same_email(requester[0]["email"], row["signatory_email"]):
            return True
    new_email = row["new_email"]
    if row["new_saa_account"] is not None:
        new = await Account.select(Account.email).where(Account.id == row["new_saa_account"])
        new_email = new[0]["email"] if new else None
    if row["request_type"] == RequestType.REPLACE_SAA and _same_email(
        new_email, row["signatory_email"]
    ):
        others = await AuthorizedSignatory.count().where(
            AuthorizedSignatory.organization == row["organization"]
        )
        return others > 1
    return False


async def signatory_decide(
    settings: Settings,
    now: datetime,
    request_id_audit: str | None,
    passcode: str,
    decision: SignatoryDecision,
) -> int:
    """REQ-4, REQ-5, REQ-6: approve (fulfilled at once or routed to the operator), deny
    or send back. The passcode is spent by the decision, in the same transaction."""
    if not decision.acknowledge_agreement:
        raise Invalid(
            "Acknowledge the entitlement agreement with every decision (REQ-4).",
            "acknowledgeAgreement",
        )
    reason = validation.text(
        decision.reason,
        "reason",
        required=decision.decision != Decision.APPROVE,
        max_length=2000,
    )
    justifications = [
        validation.text(j, f"justification{n}", required=False, max_length=2000)
        for n, j in ((1, decision.justification_1), (2, decision.justification_2))
    ]
    async with write_transaction():
        code = await request_for_passcode(passcode, now)
        claimed = (
            await RequestPasscode.update({RequestPasscode.used_at: now})
            .where((RequestPasscode.id == code["id"]) & RequestPasscode.used_at.is_null())
            .returning(RequestPasscode.id)
        )
        if not claimed:  # another decision spent it a moment ago
            raise AlreadyUsed("This passcode was used already.", "passcode")
        row = await Request.select().where(Request.id == code["request"]).first()
        if row["status"] != RequestStatus.PENDING_SIGNATORY:
            raise Invalid("This request no longer waits for a signatory.", "passcode")
        who = Who(SIGNATORY, None, request_id_audit)
        _check_can_send_back(row, decision.decision)
        if decision.decision == Decision.DENY:
            await Request.update({Request.signatory_reason: reason}).where(Request.id == row["id"])
            await _transition(
                who, row, row["status"], RequestStatus.DENIED_BY_SIGNATORY, now=now, reason=reason
            )
            return row["id"]
        if decision.decision == Decision.SEND_BACK:
            await Request.update({Request.signatory_reason: reason}).where(Request.id == row["id"])
            await _transition(who, row, row["status"], RequestStatus.DRAFT, now=now, reason=reason)
            return row["id"]
        required = await justification_required(row)
        if required and not all(justifications):
            missing = 1 if not justifications[0] else 2
            raise Invalid(
                "Write both justification comments: your email is the requester's or the "
                "new SAA's (REQ-5).",
                f"justification{missing}",
            )
        given = [j for j in justifications if j]
        await Request.update(
            {
                Request.justification_1: justifications[0],
                Request.justification_2: justifications[1],
            }
        ).where(Request.id == row["id"])
        # REQ-6 **decision**: the operator reviews what a signatory justified, a signatory
        # typed in by the requester, and a new SAA account to create.
        review = (
            # ORG-3: the operator creates a new organization's SAA account.
            row["request_type"] == RequestType.NEW_ORGANIZATION_SAA
            or bool(given)
            or row["signatory_added_by_hand"]
            or (row["request_type"] == RequestType.REPLACE_SAA and row["new_saa_account"] is None)
        )
        if review:
            await _transition(who, row, row["status"], RequestStatus.PENDING_OPERATOR, now=now)
        else:
            await _fulfil(row, now=now, settings=settings, granted_by=None)
            await _transition(who, row, row["status"], RequestStatus.APPROVED, now=now)
        return row["id"]


def _check_can_send_back(row: dict, decision: str) -> None:
    if decision == Decision.SEND_BACK and row["requester"] is None:
        raise Invalid(
            "An agreement made without an account has nobody to edit it: deny it with the "
            "reason instead (ORG-3).",
            "decision",
        )


# --- the operator's side (REQ-6) -----------------------------------------------------------


async def operator_decide(actor: Actor, request_id: int, decision: str, reason: str | None) -> int:
    reason = validation.text(
        reason, "reason", required=decision != Decision.APPROVE, max_length=2000
    )
    async with write_transaction():
        row = await load_for(actor, request_id, "review")
        if row["status"] != RequestStatus.PENDING_OPERATOR:
            raise Invalid("Only a request pending the operator's review is decided.", "requestId")
        who = actor_entry(actor)
        _check_can_send_back(row, decision)
        if decision == Decision.APPROVE:
            await _fulfil(
                row, now=actor.now, settings=actor.settings, granted_by=actor.viewer.account_id
            )
            await _keep_signatory_added_by_hand(actor, row)
            to = RequestStatus.APPROVED
        else:
            await Request.update({Request.operator_reason: reason}).where(Request.id == request_id)
            to = (
                RequestStatus.DENIED_BY_OPERATOR
                if decision == Decision.DENY
                else RequestStatus.DRAFT
            )
        await _transition(who, row, row["status"], to, now=actor.now, reason=reason)
        return request_id


async def _keep_signatory_added_by_hand(actor: Actor, row: dict) -> None:
    """ORG-5 **decision**: a signatory the requester typed in joins the organization's
    list once the operator has approved their decision, so the next requester finds them
    on file; an unreviewed one never does."""
    if (
        not row["signatory_added_by_hand"]
        or row["request_type"] == RequestType.NEW_ORGANIZATION_SAA
    ):
        return
    if await AuthorizedSignatory.exists().where(
        AuthorizedSignatory.organization == row["organization"]
    ):
        return
    await AuthorizedSignatory.insert(
        AuthorizedSignatory(
            organization=row["organization"],
            name=row["signatory_name"],
            title=row["signatory_title"],
            email=row["signatory_email"],
            source=SignatorySource.ADDED_BY_REQUESTER,
            created_at=actor.now,
        )
    )


# --- fulfilment (REQ-7) --------------------------------------------------------------------


async def _fulfil(row: dict, *, now: datetime, settings: Settings, granted_by: int | None) -> None:
    """REQ-7, inside the caller's transaction. The old SAA steps down before the new one
    steps up, so the one-SAA index (ORG-1) holds after every statement; a request whose
    organization's SAA changed since it was sent fails with CONFLICT, and so does the
    loser of two approvals racing (the conditional update finds nothing to change, or
    the unique index refuses the second SAA)."""
    if row["request_type"] == RequestType.UPDATE_SAA:
        changes = {
            k: row[f"new_{k}"] for k in ("first_name", "last_name", "email") if row[f"new_{k}"]
        }
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
            await _step_down(row, old, now)
        new_id = row["new_saa_account"]
        if new_id is None:
            new_id = await _create_new_saa(row, now)
        promoted = (
            await Account.update({Account.user_type: UserType.SAA})
            .where(
                (Account.id == new_id)
                & (Account.organization == row["organization"])
                # The account created just now is a draft until activated below (ACC-3).
                & Account.status.not_in(
                    [AccountStatus.DELETED]
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


async def _step_down(row: dict, old: int, now: datetime) -> None:
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
        return
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


# --- transitions: history, audit, emails (REQ-3, REQ-8) -----------------------------------


@dataclass(frozen=True)
class Who:
    """Who made a transition: an account, or the signatory by passcode."""

    label: str
    account_id: int | None
    request_id: str | None


def actor_entry(actor: Actor) -> Who:
    return Who(actor.viewer.user_id or "", actor.viewer.account_id, actor.request_id)


SUBJECTS = {
    RequestStatus.DRAFT: "{name} request saved as a draft",
    RequestStatus.CANCELLED: "{name} request cancelled",
    RequestStatus.PENDING_SIGNATORY: "{name} request submitted for your approval",
    RequestStatus.DENIED_BY_SIGNATORY: "SAA Request Denied by Authorized Signatory",
    RequestStatus.PENDING_OPERATOR: "{name} Request is Approved by Authorized Signatory",
    RequestStatus.DENIED_BY_OPERATOR: "{name} request denied by the program operator",
    RequestStatus.APPROVED: "{name} request approved and fulfilled",
}


async def _transition(
    who: Who,
    row: dict,
    from_status: str | None,
    to_status: RequestStatus,
    *,
    now: datetime,
    reason: str | None = None,
    settings: Settings | None = None,
    passcode: str | None = None,
) -> None:
    """Write the new status with its history row, audit event and emails."""
    values: dict[Any, Any] = {Request.status: to_status, Request.updated_at: now}
    if to_status in (
        RequestStatus.CANCELLED,
        RequestStatus.DENIED_BY_SIGNATORY,
        RequestStatus.DENIED_BY_OPERATOR,
        RequestStatus.APPROVED,
    ):
        values[Request.completed_at] = now
    if from_status is not None:
        await Request.update(values).where(Request.id == row["id"])
    await RequestEvent.insert(
        RequestEvent(
            request=row["id"],
            at=now,
            from_status=from_status,
            to_status=to_status,
            actor_label=who.label,
            actor=who.account_id,
            reason=reason,
        )
    )
    await audit.record(
        audit.AuditEntry(
            action="request.create" if from_status is None else "request.transition",
            target_type="Request",
            target_id=str(row["id"]),
            actor_id=who.account_id,
            actor_label=who.label,
            organization_id=row["organization"],
            before=None if from_status is None else {"status": from_status},
            after={"status": to_status} | ({"reason": reason} if reason else {}),
        ),
        at=now,
        request_id=who.request_id,
    )
    await _emails(
        row, from_status, to_status, now=now, reason=reason, settings=settings, passcode=passcode
    )


async def _emails(
    row: dict,
    from_status: str | None,
    to_status: RequestStatus,
    *,
    now: datetime,
    reason: str | None,
    settings: Settings | None,
    passcode: str | None,
) -> None:
    """REQ-8: the requester and, once the request reached them, the signatory."""
    name = TYPE_NAMES[RequestType(row["request_type"])]
    if from_status is None and to_status == RequestStatus.DRAFT:
        return  # creating a draft is the requester's own doing on screen; nothing to tell
    subject = SUBJECTS[to_status].format(name=name)
    if from_status == RequestStatus.PENDING_SIGNATORY and to_status == RequestStatus.DRAFT:
        subject = (
            f"SAA {'Replacement' if row['request_type'] == RequestType.REPLACE_SAA else 'Update'}"
            " Request Returned by Authorized Signatory"
        )
        if reason is None:
            subject = f"{name} request recalled by the requester"
    elif from_status == RequestStatus.PENDING_OPERATOR and to_status == RequestStatus.DRAFT:
        subject = (
            f"{name} request recalled by the requester"
            if reason is None
            else f"{name} request returned by the program operator"
        )
    status_line = f"Request {row['id']} ({name}) is now {to_status.value}."
    if reason:
        status_line += f"\nReason: {reason}"
    messages = []
    requester = None
    if row["requester"] is not None:
        requester = (
            await Account.select(Account.email, Account.first_name)
            .where(Account.id == row["requester"])
            .first()
        )
    elif row["requester_email"]:
        # ORG-3: the contact who made the agreement without an account.
        requester = {"email": row["requester_email"], "first_name": "there"}
    if requester:
        messages.append(
            (requester["email"], subject, f"Hello {requester['first_name']},\n\n{status_line}")
        )
    sent_before = row["sent_at"] is not None or to_status == RequestStatus.PENDING_SIGNATORY
    if row["signatory_email"] and sent_before:
        body = f"Hello {row['signatory_name']},\n\n{status_line}"
        if passcode is not None and settings is not None:
            body += (
                f"\n\nAs an authorized signatory, review it and approve, deny or send it "
                f"back with this one-time passcode (valid {PASSCODE_VALID_FOR.days} days):\n"
                f"Passcode: {passcode}\n{settings.public_url}/requests/sign\n"
            )
        messages.append((row["signatory_email"], subject, body))
    await outbox.enqueue_many(messages, kind=f"request.{to_status.value.lower()}", now=now)


# --- the drafts job (REQ-3) ----------------------------------------------------------------


async def expire_drafts(now: datetime) -> int:
    """REQ-3: DRAFTs untouched for 30 days are deleted (history goes with them; the
    audit log keeps that they existed)."""
    async with write_transaction():
        old = await Request.select(Request.id, Request.organization).where(
            (Request.status == RequestStatus.DRAFT) & (Request.updated_at <= now - DRAFT_LIFETIME)
        )
        if not old:
            return 0
        ids = [r["id"] for r in old]
        # Children first: SQLite enforces ON DELETE CASCADE only with foreign keys on.
        await RequestPasscode.delete().where(RequestPasscode.request.is_in(ids))
        await RequestEvent.delete().where(RequestEvent.request.is_in(ids))
        await Request.delete().where(Request.id.is_in(ids))
        await audit.record_many(
            [
                audit.AuditEntry(
                    action="request.draft_expired",
                    target_type="Request",
                    target_id=str(r["id"]),
                    actor_id=None,
                    actor_label="job:requests",
                    organization_id=r["organization"],
                )
                for r in old
            ],
            at=now,
            request_id=None,
        )
        return len(old)
