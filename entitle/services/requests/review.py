"""The operator's review of PENDING_OPERATOR requests (REQ-6)."""

from __future__ import annotations

from entitle.db import write_transaction
from entitle.enums import (
    RequestStatus,
    RequestType,
    SignatorySource,
)
from entitle.models import (
    AuthorizedSignatory,
    Request,
)
from entitle.services import validation
from entitle.services.actor import Actor
from entitle.services.errors import Invalid
from entitle.services.requests.drafts import load_for
from entitle.services.requests.fulfilment import fulfil
from entitle.services.requests.signatory import Decision, check_can_send_back
from entitle.services.requests.transitions import actor_entry, transition


async def operator_decide(actor: Actor, request_id: int, decision: str, reason: str | None) -> int:
    reason = validation.text(
        reason, "reason", required=decision != Decision.APPROVE, max_length=2000
    )
    async with write_transaction():
        row = await load_for(actor, request_id, "review")
        if row["status"] != RequestStatus.PENDING_OPERATOR:
            raise Invalid("Only a request pending the operator's review is decided.", "requestId")
        who = actor_entry(actor)
        check_can_send_back(row, decision)
        if decision == Decision.APPROVE:
            await fulfil(
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
        await transition(who, row, row["status"], to, now=actor.now, reason=reason)
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
    values = {
        "name": row["signatory_name"],
        "title": row["signatory_title"],
        "email": row["signatory_email"],
        "source": SignatorySource.ADDED_BY_REQUESTER,
    }
    inserted = await AuthorizedSignatory.insert(
        AuthorizedSignatory(organization=row["organization"], created_at=actor.now, **values)
    ).returning(AuthorizedSignatory.id)
    await actor.audit(
        "signatory.create",
        target_type="AuthorizedSignatory",
        target_id=inserted[0]["id"],
        organization_id=row["organization"],
        after=values | {"request": row["id"]},
    )
