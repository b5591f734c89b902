"""Every transition: history, audit and emails (REQ-3, REQ-8)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from entitle.enums import (
    RequestStatus,
    RequestType,
)
from entitle.models import (
    Account,
    Request,
    RequestEvent,
)
from entitle.services import audit, outbox
from entitle.services.actor import Actor
from entitle.services.errors import Conflict
from entitle.services.requests.common import PASSCODE_VALID_FOR, TYPE_NAMES
from entitle.settings import Settings


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


async def transition(
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
        # Only from the status the caller read (REQ-3): two decisions racing on PostgreSQL
        # (approve and deny, two approvals, a recall and an approval) would otherwise both
        # write; the later one waits for the first's row lock, finds the status changed,
        # and rolls back whatever it did before (a fulfilment included).
        moved = (
            await Request.update(values)
            .where((Request.id == row["id"]) & (Request.status == from_status))
            .returning(Request.id)
        )
        if not moved:
            raise Conflict(
                "This request changed while you acted on it; reload it and try again.",
                "requestId",
            )
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
