"""Types of the yearly user accounts certification (CERT-1, CERT-3, CERT-4) and of the
operator's suspension of a past-due organization (CERT-4, G 18.2)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from entitle.authz.actor import Viewer
from entitle.authz.facts import CertificationPeriodFacts
from entitle.authz.guards import STRUCTURAL, field
from entitle.schema.enums import CertificationStatus
from entitle.schema.errors import UserError
from entitle.schema.node import Node

if TYPE_CHECKING:
    from entitle.schema.accounts import Account
    from entitle.schema.organizations import Organization

AccountT = Annotated["Account", strawberry.lazy("entitle.schema.accounts")]
OrganizationT = Annotated["Organization", strawberry.lazy("entitle.schema.organizations")]


@strawberry.type(description="CERT-1 (operator): a yearly certification period.")
class CertificationPeriod(Node):
    year: int = field()
    starts_at: datetime = field()
    due_at: datetime = field(description="Required organizations certify by then (CERT-4).")
    created_at: datetime = field()

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> CertificationPeriod:
        return cls(
            pk=row["id"],
            year=row["year"],
            starts_at=row["starts_at"],
            due_at=row["due_at"],
            created_at=row["created_at"],
        )

    def authz_facts(self, viewer: Viewer) -> CertificationPeriodFacts:
        return CertificationPeriodFacts()


@strawberry.type(
    description="CERT-1, CERT-4: an organization's place in the current certification "
    "period. Readable where its organization's `certification` is (its SAA and AAs, the "
    "operator), so its fields carry no further rule."
)
class OrganizationCertification:
    status: CertificationStatus = field(STRUCTURAL)
    required: bool = field(
        STRUCTURAL,
        description="CERT-1: it has accounts besides its SAA, or one holds a CAT privilege.",
    )
    year: int = field(STRUCTURAL)
    starts_at: datetime = field(STRUCTURAL)
    due_at: datetime = field(STRUCTURAL)
    certified_at: datetime | None = field(STRUCTURAL, description="CERT-3: when the SAA certified.")
    days_left: int | None = field(
        STRUCTURAL,
        description="Whole days until the due date while certification is OPEN; else null.",
    )
    organization_id: strawberry.Private[int]
    certified_by_id: strawberry.Private[int | None]

    @classmethod
    def from_standing(
        cls, organization_id: int, standing: Any, now: datetime
    ) -> OrganizationCertification:
        period, certified = standing.period, standing.certification
        open_ = standing.status == "OPEN"
        return cls(
            status=CertificationStatus(standing.status),
            required=standing.required,
            year=period["year"],
            starts_at=period["starts_at"],
            due_at=period["due_at"],
            certified_at=certified["certified_at"] if certified else None,
            days_left=(period["due_at"] - now).days if open_ else None,
            organization_id=organization_id,
            certified_by_id=certified["certified_by"] if certified else None,
        )

    @field(STRUCTURAL, description="CERT-3: the SAA who certified, when the viewer may see them.")
    async def certified_by(self, info: strawberry.Info) -> AccountT | None:
        from entitle.resolvers.accounts import account_by_pk

        if self.certified_by_id is None:
            return None
        return await account_by_pk(info, self.certified_by_id)

    @field(STRUCTURAL)
    async def organization(self, info: strawberry.Info) -> OrganizationT | None:
        from entitle.resolvers.organizations import organization_by_pk

        return await organization_by_pk(info, self.organization_id)


@strawberry.input(description="CERT-1: open the year's period (the year is the start's).")
class CertificationPeriodOpenInput:
    starts_at: datetime
    due_at: datetime = strawberry.field(description="After the start and in the future.")


@strawberry.type
class CertificationPeriodOpenPayload:
    certification_period: CertificationPeriod | None = field(STRUCTURAL)
    errors: list[UserError] = field(STRUCTURAL)


@strawberry.input(description="CERT-3: the SAA certifies their organization's accounts.")
class OrganizationCertifyInput:
    organization_id: strawberry.ID
    accept_terms: bool = strawberry.field(description="Certifying requires accepting the terms.")


@strawberry.type
class OrganizationCertifyPayload:
    certification: OrganizationCertification | None = field(STRUCTURAL)
    errors: list[UserError] = field(STRUCTURAL)


@strawberry.type(
    description="CERT-4, G 18.2: the operator suspended all of an organization's accounts "
    "after its certification went past due; none can sign in until the operator lifts it. "
    "Readable where its organization's `suspension` is (the operator, its SAA and AAs), so "
    "its fields carry no further rule."
)
class OrganizationSuspension:
    suspended_at: datetime = field(STRUCTURAL)
    reason: str = field(STRUCTURAL, description="The operator's reason.")
    suspended_by_id: strawberry.Private[int | None]

    @field(STRUCTURAL, description="The operator who suspended it, when the viewer may see them.")
    async def suspended_by(self, info: strawberry.Info) -> AccountT | None:
        from entitle.resolvers.accounts import account_by_pk

        if self.suspended_by_id is None:
            return None
        return await account_by_pk(info, self.suspended_by_id)


@strawberry.input(
    description="CERT-4, G 18.2 (operator): suspend all the accounts of a past-due organization."
)
class OrganizationSuspendInput:
    organization_id: strawberry.ID
    reason: str = strawberry.field(description="Why; up to 500 characters, emailed to the SAA.")


@strawberry.type
class OrganizationSuspendPayload:
    organization: OrganizationT | None = field(STRUCTURAL)
    errors: list[UserError] = field(STRUCTURAL)


@strawberry.input(description="CERT-4, G 18.2 (operator): lift an organization's suspension.")
class OrganizationSuspensionLiftInput:
    organization_id: strawberry.ID


@strawberry.type
class OrganizationSuspensionLiftPayload:
    organization: OrganizationT | None = field(STRUCTURAL)
    errors: list[UserError] = field(STRUCTURAL)
