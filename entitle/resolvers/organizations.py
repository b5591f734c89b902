"""Organizations: reads, those without an SAA (ORG-7), and a new SAA (ORG-6)."""

from __future__ import annotations

import strawberry

from entitle.authz.facts import OrganizationFacts
from entitle.authz.guards import SIGNED_IN, field
from entitle.enums import OrgClass
from entitle.errors import Forbidden as ForbiddenField
from entitle.models import Account as AccountTable
from entitle.models import Organization as OrganizationTable
from entitle.resolvers.accounts import account_by_pk
from entitle.resolvers.loaders import load_visible
from entitle.resolvers.mutations import actor_of, attempt, decode
from entitle.resolvers.pagination import paginate
from entitle.resolvers.text import contains
from entitle.schema.node import pk_of
from entitle.schema.organizations import (
    Organization,
    OrganizationSaaSetInput,
    OrganizationSaaSetPayload,
)
from entitle.schema.pagination import Connection
from entitle.services import organizations


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


async def list_organizations_without_saa(
    info: strawberry.Info, *, first: int, after: str | None
) -> Connection[Organization]:
    """ORG-7: organizations with no SAA serving, the operator's own left out (it is the
    one that restores SAAs), by name."""
    if not info.context.authz.allows("read_saa_vacancy", OrganizationFacts(own=False)):
        raise ForbiddenField("Only the operator follows organizations without an SAA (ORG-7).")
    connection = await paginate(
        info,
        OrganizationTable,
        columns=OrganizationTable.all_columns(),
        conditions=[
            OrganizationTable.org_class != OrgClass.OPERATOR,
            OrganizationTable.id.not_in(
                AccountTable.select(AccountTable.organization).where(organizations.serving_saa())
            ),
        ],
        where=info.context.authz.where("read", OrganizationFacts),
        order=(OrganizationTable.name, OrganizationTable.id),
        first=first,
        after=after,
        node=Organization.from_row,
    )
    # The page is what lacks an SAA, so `daysWithoutSaa` needs no further statement.
    serving = info.context.loaders.serving_saa_by_organization
    for edge in connection.edges:
        serving.prime(edge.node.pk, False)
    return connection


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

    @field(
        SIGNED_IN,
        description="ORG-7 (operator): organizations without an SAA, by name, with how long.",
    )
    async def organizations_without_saa(
        self, info: strawberry.Info, first: int = 20, after: str | None = None
    ) -> Connection[Organization]:
        return await list_organizations_without_saa(info, first=first, after=after)


@strawberry.type
class OrganizationMutation:
    @field(
        SIGNED_IN,
        description="ORG-6 (operator): make a person's account the SAA of an organization "
        "that has none; its accounts may sign in again.",
    )
    async def organization_saa_set(
        self, info: strawberry.Info, input: OrganizationSaaSetInput
    ) -> OrganizationSaaSetPayload:
        organization_id = pk_of(input.organization_id, "Organization")
        account_id = pk_of(input.account_id, "Account")

        def run():
            return organizations.set_saa(
                actor_of(info),
                decode(input.organization_id, "Organization", "organizationId"),
                decode(input.account_id, "Account", "accountId"),
            )

        _, errors = await attempt(info, run)
        if errors:
            return OrganizationSaaSetPayload(organization=None, account=None, errors=errors)
        return OrganizationSaaSetPayload(
            organization=await organization_by_pk(info, organization_id),
            account=await account_by_pk(info, account_id),
            errors=[],
        )
