"""The audit log (REP-2): the SAA reads their organization's, the operator all."""

from __future__ import annotations

import strawberry

from entitle.authz.facts import AuditEventFacts
from entitle.authz.guards import SIGNED_IN, field
from entitle.models import AuditEvent as AuditEventTable
from entitle.resolvers.loaders import load_visible
from entitle.resolvers.mutations import decode
from entitle.resolvers.pagination import paginate
from entitle.schema.audit import AuditEvent
from entitle.schema.pagination import Connection
from entitle.services.errors import DomainError


async def audit_event_by_pk(info: strawberry.Info, pk: int) -> AuditEvent | None:
    return await load_visible(info, info.context.loaders.audit_event_by_id, pk, AuditEvent.from_row)


@strawberry.input
class AuditEventFilter:
    action: str | None = strawberry.field(default=None, description="Exactly this action.")
    target_id: strawberry.ID | None = strawberry.field(
        default=None, description="Events about this account."
    )


@strawberry.type
class AuditQuery:
    @field(SIGNED_IN, description="Newest first. The SAA: their organization; the operator: all.")
    async def audit_events(
        self,
        info: strawberry.Info,
        first: int = 50,
        after: str | None = None,
        filter: AuditEventFilter | None = None,
    ) -> Connection[AuditEvent]:
        conditions = []
        if filter and filter.action:
            conditions.append(AuditEventTable.action == filter.action)
        if filter and filter.target_id:
            try:
                target = decode(filter.target_id, "Account", "targetId")
            except DomainError:
                target = 0
            conditions += [
                AuditEventTable.target_type == "Account",
                AuditEventTable.target_id == str(target),
            ]
        return await paginate(
            info,
            AuditEventTable,
            columns=AuditEventTable.all_columns(),
            conditions=conditions,
            where=info.context.authz.where("read", AuditEventFacts),
            order=(AuditEventTable.id,),
            descending=True,
            first=first,
            after=after,
            node=AuditEvent.from_row,
        )
