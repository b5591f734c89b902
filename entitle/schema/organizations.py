from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from entitle.authz.actor import Viewer
from entitle.authz.facts import OrganizationFacts
from entitle.authz.guards import STRUCTURAL, field, requires
from entitle.schema.enums import OrgClass, OrgType
from entitle.schema.errors import UserError
from entitle.schema.node import Node
from entitle.schema.pagination import Connection

if TYPE_CHECKING:
    from entitle.schema.accounts import Account, AccountFilter
    from entitle.schema.certification import OrganizationCertification, OrganizationSuspension
    from entitle.schema.identifiers import Identifier
    from entitle.schema.reports import AccountReport, AccountReportInput

AccountT = Annotated["Account", strawberry.lazy("entitle.schema.accounts")]
AccountFilterT = Annotated["AccountFilter", strawberry.lazy("entitle.schema.accounts")]
OrganizationCertificationT = Annotated[
    "OrganizationCertification", strawberry.lazy("entitle.schema.certification")
]
OrganizationSuspensionT = Annotated[
    "OrganizationSuspension", strawberry.lazy("entitle.schema.certification")
]
IdentifierT = Annotated["Identifier", strawberry.lazy("entitle.schema.identifiers")]
AccountReportT = Annotated["AccountReport", strawberry.lazy("entitle.schema.reports")]
AccountReportInputT = Annotated["AccountReportInput", strawberry.lazy("entitle.schema.reports")]


@strawberry.type(description="A firm, regulator or other organization in the program (ORG-2).")
class Organization(Node):
    number: str = field(description="Organization ID#.")
    name: str = field()
    org_type: OrgType = field(name="type")
    org_class: OrgClass = field()
    created_at: datetime = field()
    saa_vacated_at: datetime | None = requires(
        "read_saa_vacancy",
        description="ORG-6 (operator): when its SAA account was deleted; null while it has one "
        "or never had one. Its accounts may not sign in meanwhile.",
    )
    affiliate_of_id: strawberry.Private[int | None]
    suspended_at: strawberry.Private[datetime | None]
    suspended_by_id: strawberry.Private[int | None]
    suspension_reason: strawberry.Private[str | None]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Organization:
        return cls(
            pk=row["id"],
            number=row["number"],
            name=row["name"],
            org_type=OrgType(row["org_type"]),
            org_class=OrgClass(row["org_class"]),
            created_at=row["created_at"],
            saa_vacated_at=row["saa_vacated_at"],
            affiliate_of_id=row["affiliate_of"],
            suspended_at=row["suspended_at"],
            suspended_by_id=row["suspended_by"],
            suspension_reason=row["suspension_reason"],
        )

    def authz_facts(self, viewer: Viewer) -> OrganizationFacts:
        return OrganizationFacts(own=self.pk == viewer.organization_id)

    @field(description="The organization this one is an affiliate of, when the viewer may see it.")
    async def affiliate_of(self, info: strawberry.Info) -> Organization | None:
        from entitle.resolvers.organizations import organization_by_pk

        if self.affiliate_of_id is None:
            return None
        return await organization_by_pk(info, self.affiliate_of_id)

    @requires(
        "read_saa_vacancy",
        description="ORG-7 (operator): whole days without an SAA, since its SAA was deleted or, "
        "when it never had one, since the organization was created; null while it has one.",
    )
    async def days_without_saa(self, info: strawberry.Info) -> int | None:
        if await info.context.loaders.serving_saa_by_organization.load(self.pk):
            return None
        since = self.saa_vacated_at or self.created_at
        return (info.context.runtime.clock.now() - since).days

    @requires(
        "read_certification",
        description="CERT-1, CERT-4 (its SAA and AAs, the operator): where it stands in the "
        "current certification period; null before any period has started.",
    )
    async def certification(self, info: strawberry.Info) -> OrganizationCertificationT | None:
        from entitle.schema.certification import OrganizationCertification

        now = info.context.runtime.clock.now()
        loader = info.context.loaders.certification_standing_by_organization
        standing = await loader.load((self.pk, now))
        if standing is None:
            return None
        return OrganizationCertification.from_standing(self.pk, standing, now)

    @requires(
        "certification_report",
        description="CERT-2 (its SAA, the operator): the accounts certification report, one "
        "row per account with its roles and entitlements; deleted accounts only if asked.",
    )
    def certification_report(
        self, info: strawberry.Info, definition: AccountReportInputT | None = None
    ) -> AccountReportT | None:
        from entitle.resolvers.reports import certification_report, validated

        return certification_report(self.pk, validated(definition))

    @requires(
        "read_suspension",
        description="CERT-4, G 18.2 (the operator, its SAA and AAs): the operator's suspension "
        "of all its accounts; null when it is not suspended. Its accounts cannot sign in "
        "meanwhile, so in practice only the operator reads it set.",
    )
    def suspension(self) -> OrganizationSuspensionT | None:
        from entitle.schema.certification import OrganizationSuspension

        if self.suspended_at is None:
            return None
        return OrganizationSuspension(
            suspended_at=self.suspended_at,
            reason=self.suspension_reason or "",
            suspended_by_id=self.suspended_by_id,
        )

    @field(description="Accounts of this organization the viewer may see (ACC-8).")
    async def accounts(
        self,
        info: strawberry.Info,
        first: int = 20,
        after: str | None = None,
        filter: AccountFilterT | None = None,
    ) -> Connection[AccountT]:
        from entitle.resolvers.accounts import search_accounts

        return await search_accounts(
            info, first=first, after=after, filter=filter, organization_id=self.pk
        )

    @field(description="The organization's identifiers the viewer may see (ENT-5).")
    async def identifiers(self, info: strawberry.Info) -> list[IdentifierT]:
        from entitle.schema.identifiers import Identifier

        rows = await info.context.loaders.identifiers_by_organization.load(self.pk)
        return info.context.authz.visible([Identifier.from_row(r) for r in rows])


@strawberry.input(description="ORG-6: the account that becomes the organization's SAA.")
class OrganizationSaaSetInput:
    organization_id: strawberry.ID
    account_id: strawberry.ID = strawberry.field(
        description="A person's account of the organization, neither draft nor deleted."
    )


@strawberry.type
class OrganizationSaaSetPayload:
    organization: Organization | None = field(STRUCTURAL)
    account: AccountT | None = field(STRUCTURAL)
    errors: list[UserError] = field(STRUCTURAL)
