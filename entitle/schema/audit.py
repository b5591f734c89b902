from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.scalars import JSON

from entitle.authz.actor import Viewer
from entitle.authz.facts import AuditEventFacts
from entitle.authz.guards import field
from entitle.schema.node import Node, to_global_id

if TYPE_CHECKING:
    from entitle.schema.accounts import Account

AccountT = Annotated["Account", strawberry.lazy("entitle.schema.accounts")]
NODE_TYPES = frozenset({"Account", "Organization", "Individual", "Identifier", "Privilege"})


def _json(value: Any) -> Any:
    # piccolo hands JSON columns back as text unless the query asked to decode them.
    return json.loads(value) if isinstance(value, str) else value


@strawberry.type(description="One entry of the append-only audit log (REP-2).")
class AuditEvent(Node):
    occurred_at: datetime = field()
    action: str = field(description="What was done, as object.verb: `account.disable`.")
    target_type: str = field()
    actor_label: str = field(description="The actor's user ID, or who acted without an account.")
    request_id: str | None = field(description="The request that did it, as in the server log.")
    before: JSON | None = field(description="Changed values before; secrets never appear.")
    after: JSON | None = field(description="Changed values after; secrets never appear.")
    raw_target_id: strawberry.Private[str | None]
    actor_id: strawberry.Private[int | None]
    organization_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> AuditEvent:
        return cls(
            pk=row["id"],
            occurred_at=row["occurred_at"],
            action=row["action"],
            target_type=row["target_type"],
            actor_label=row["actor_label"],
            request_id=row["request_id"],
            before=_json(row["before"]),
            after=_json(row["after"]),
            raw_target_id=row["target_id"],
            actor_id=row["actor_id"],
            organization_id=row["organization_id"],
        )

    def authz_facts(self, viewer: Viewer) -> AuditEventFacts:
        return AuditEventFacts(
            own_org=self.organization_id == viewer.organization_id,
            about_request=self.target_type == "Request",
        )

    @field(description="The target's global ID when it is an object of this API.")
    def target_id(self) -> strawberry.ID | None:
        if self.raw_target_id is None or not self.raw_target_id.isdigit():
            return None
        if self.target_type not in NODE_TYPES:
            return strawberry.ID(self.raw_target_id)
        return strawberry.ID(to_global_id(self.target_type, int(self.raw_target_id)))

    @field(description="The acting account, when the viewer may see it.")
    async def actor(self, info: strawberry.Info) -> AccountT | None:
        from entitle.resolvers.accounts import account_by_pk

        return None if self.actor_id is None else await account_by_pk(info, self.actor_id)
