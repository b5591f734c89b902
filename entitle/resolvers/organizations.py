"""Organization reads."""

from __future__ import annotations

import strawberry

from entitle.authz.facts import OrganizationFacts
from entitle.models import Organization as OrganizationTable
from entitle.resolvers.pagination import paginate
from entitle.schema.organizations import Organization
from entitle.schema.pagination import Connection


async def organization_by_pk(info: strawberry.Info, pk: int) -> Organization | None:
    row = await info.context.loaders.organization_by_id.load(pk)
    if row is None:
        return None
    organization = Organization.from_row(row)
    return organization if info.context.authz.can("read", organization) else None


async def list_organizations(
    info: strawberry.Info, *, first: int, after: str | None, text: str | None
) -> Connection[Organization]:
    conditions = [OrganizationTable.name.ilike(f"%{text.strip()}%")] if text else []
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
