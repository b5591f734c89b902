"""The drafts job: drafts untouched for 30 days go (REQ-3)."""

from __future__ import annotations

from datetime import datetime

from entitle.db import write_transaction
from entitle.enums import (
    RequestStatus,
)
from entitle.models import (
    Request,
    RequestEvent,
    RequestPasscode,
)
from entitle.services import audit
from entitle.services.requests.common import DRAFT_LIFETIME


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
