"""The signatory's side: one-time passcodes and decisions (REQ-4, REQ-5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from entitle.db import write_transaction
from entitle.enums import (
    RequestStatus,
    RequestType,
)
from entitle.models import (
    Account,
    AuthorizedSignatory,
    Request,
    RequestPasscode,
)
from entitle.services import validation
from entitle.services.errors import AlreadyUsed, Expired, Invalid
from entitle.services.requests.common import SIGNATORY, same_email
from entitle.services.requests.fulfilment import fulfil
from entitle.services.requests.passcodes import passcode_digest
from entitle.services.requests.transitions import Who, transition
from entitle.settings import Settings


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
            .where(RequestPasscode.code_hash == passcode_digest(passcode))
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
        if requester and same_email(requester[0]["email"], row["signatory_email"]):
            return True
    new_email = row["new_email"]
    if row["new_saa_account"] is not None:
        new = await Account.select(Account.email).where(Account.id == row["new_saa_account"])
        new_email = new[0]["email"] if new else None
    if row["request_type"] == RequestType.REPLACE_SAA and same_email(
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
        check_can_send_back(row, decision.decision)
        if decision.decision == Decision.DENY:
            await Request.update({Request.signatory_reason: reason}).where(Request.id == row["id"])
            await transition(
                who, row, row["status"], RequestStatus.DENIED_BY_SIGNATORY, now=now, reason=reason
            )
            return row["id"]
        if decision.decision == Decision.SEND_BACK:
            await Request.update({Request.signatory_reason: reason}).where(Request.id == row["id"])
            await transition(who, row, row["status"], RequestStatus.DRAFT, now=now, reason=reason)
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
            await transition(who, row, row["status"], RequestStatus.PENDING_OPERATOR, now=now)
        else:
            await fulfil(row, now=now, settings=settings, granted_by=None)
            await transition(who, row, row["status"], RequestStatus.APPROVED, now=now)
        return row["id"]


def check_can_send_back(row: dict, decision: str) -> None:
    if decision == Decision.SEND_BACK and row["requester"] is None:
        raise Invalid(
            "An agreement made without an account has nobody to edit it: deny it with the "
            "reason instead (ORG-3).",
            "decision",
        )
