"""Organization reads."""

from __future__ import annotations

import strawberry

from entitle.authz.facts import OrganizationFacts
from entitle.authz.guards import SIGNED_IN, field
from entitle.models import Organization as OrganizationTable
from entitle.resolvers.loaders import load_visible
from entitle.resolvers.pagination import paginate
from entitle.resolvers.text import contains
from entitle.schema.node import pk_of
from entitle.schema.organizations import Organization
from entitle.schema.pagination import Connection


async def organization_by_pk(info: strawberry.Info, pk: int) -> Organization | None:
    loader = info.context.loaders.organization_by_id
    return await load_visible(info, loader, pk, Organization.from_row)


async def list_organizations(
    info: strawberry.Info, *, first: int, after: str | None, text: str | None
) -> Connection[Organization]:
    conditions = [contains('"organization"."name"', text)] if text else []
    return await paginate(
        info,
        OrganizationTable,
        columns=OrganizationTable.all_columns(),
        conditions=conditions,
        where=info.context.authz.where("read", OrganizationFacts),
        order=(OrganizationTable.name, OrganizationTable.id),
        first=first,
        after=after,
        node=Organization.from_row,
    )


@strawberry.type
class OrganizationQuery:
    @field(SIGNED_IN)
    async def organization(self, info: strawberry.Info, id: strawberry.ID) -> Organization | None:
        pk = pk_of(id, "Organization")
        return None if pk is None else await organization_by_pk(info, pk)

    @field(SIGNED_IN, description="The operator sees every organization; others their own.")
    async def organizations(
        self,
        info: strawberry.Info,
        first: int = 20,
        after: str | None = None,
        text: str | None = None,
    ) -> Connection[Organization]:
        return await list_organizations(info, first=first, after=after, text=text)
