from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from entitle.authz.actor import Viewer
from entitle.authz.facts import IdentifierFacts
from entitle.authz.guards import field
from entitle.schema.enums import IdentifierKind
from entitle.schema.node import Node

if TYPE_CHECKING:
    from entitle.schema.organizations import Organization

OrganizationT = Annotated["Organization", strawberry.lazy("entitle.schema.organizations")]


@strawberry.type(description="An organization identifier: TRACE MPID, EQUITY MPID or MSRB (ENT-5).")
class Identifier(Node):
    kind: IdentifierKind = field()
    value: str = field()
    organization_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Identifier:
        return cls(
            pk=row["id"],
            kind=IdentifierKind(row["kind"]),
            value=row["value"],
            organization_id=row["organization"],
        )

    def authz_facts(self, viewer: Viewer) -> IdentifierFacts:
        return IdentifierFacts(
            own_org=self.organization_id == viewer.organization_id,
            held=self.pk in viewer.identifiers,
        )

    @field()
    async def organization(self, info: strawberry.Info) -> OrganizationT | None:
        from entitle.resolvers.organizations import organization_by_pk

        return await organization_by_pk(info, self.organization_id)
