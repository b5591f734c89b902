"""Certification: periods (CERT-1), statuses, the SAA's certification (CERT-3), the
operator's suspension of a past-due organization (CERT-4)."""

from __future__ import annotations

import strawberry

from entitle.authz.guards import SIGNED_IN, field
from entitle.enums import CertificationStatus, UserType
from entitle.models import CertificationPeriod as PeriodTable
from entitle.resolvers.mutations import actor_of, attempt, decode
from entitle.resolvers.organizations import organization_by_pk
from entitle.schema.certification import (
    CertificationPeriod,
    CertificationPeriodOpenInput,
    CertificationPeriodOpenPayload,
    OrganizationCertification,
    OrganizationCertifyInput,
    OrganizationCertifyPayload,
    OrganizationSuspendInput,
    OrganizationSuspendPayload,
    OrganizationSuspensionLiftInput,
    OrganizationSuspensionLiftPayload,
)
from entitle.schema.node import pk_of
from entitle.schema.organizations import Organization
from entitle.services import certification


async def certification_period_by_pk(info: strawberry.Info, pk: int) -> CertificationPeriod | None:
    row = await PeriodTable.select().where(PeriodTable.id == pk).first()
    if row is None:
        return None
    period = CertificationPeriod.from_row(row)
    return period if info.context.authz.can("read", period) else None


@strawberry.type
class CertificationQuery:
    @field(
        SIGNED_IN,
        description="CERT-1 (operator): the certification periods, latest first. One a year, "
        "so a plain list; others get an empty one.",
    )
    async def certification_periods(self, info: strawberry.Info) -> list[CertificationPeriod]:
        rows = await PeriodTable.select().order_by(PeriodTable.year, ascending=False)
        return info.context.authz.visible([CertificationPeriod.from_row(r) for r in rows])

    @field(
        SIGNED_IN,
        description="CERT-1, CERT-4: for an SAA whose organization has yet to certify (OPEN "
        "or PAST_DUE), what is due and by when, for a banner; null for everyone else.",
    )
    async def certification_due(self, info: strawberry.Info) -> OrganizationCertification | None:
        viewer = info.context.viewer
        if viewer.profile.user_type != UserType.SAA or viewer.organization_id is None:
            return None
        due = await standing_of_or_none(info, viewer.organization_id)
        if due is None or due.status.value not in (
            CertificationStatus.OPEN,
            CertificationStatus.PAST_DUE,
        ):
            return None
        return due


async def standing_of_or_none(
    info: strawberry.Info, organization_id: int
) -> OrganizationCertification | None:
    now = info.context.runtime.clock.now()
    loader = info.context.loaders.certification_standing_by_organization
    standing = await loader.load((organization_id, now))
    if standing is None:
        return None
    return OrganizationCertification.from_standing(organization_id, standing, now)


@strawberry.type
class CertificationMutation:
    @field(
        SIGNED_IN,
        description="CERT-1 (operator): open the year's certification period with its due date.",
    )
    async def certification_period_open(
        self, info: strawberry.Info, input: CertificationPeriodOpenInput
    ) -> CertificationPeriodOpenPayload:
        pk, errors = await attempt(
            info,
            lambda: certification.open_period(actor_of(info), input.starts_at, input.due_at),
        )
        if errors:
            return CertificationPeriodOpenPayload(certification_period=None, errors=errors)
        return CertificationPeriodOpenPayload(
            certification_period=await certification_period_by_pk(info, pk), errors=[]
        )

    @field(
        SIGNED_IN,
        description="CERT-3 (the organization's SAA): certify its accounts for the current "
        "period, accepting the terms; a confirmation is emailed.",
    )
    async def organization_certify(
        self, info: strawberry.Info, input: OrganizationCertifyInput
    ) -> OrganizationCertifyPayload:
        _, errors = await attempt(
            info,
            lambda: certification.certify(
                actor_of(info),
                decode(input.organization_id, "Organization", "organizationId"),
                input.accept_terms,
            ),
        )
        if errors:
            return OrganizationCertifyPayload(certification=None, errors=errors)
        organization_id = pk_of(input.organization_id, "Organization")
        return OrganizationCertifyPayload(
            certification=await standing_of_or_none(info, organization_id), errors=[]
        )

    @field(
        SIGNED_IN,
        description="CERT-4, G 18.2 (operator): suspend all the accounts of an organization "
        "whose certification is past due: its sessions end and none can sign in until the "
        "operator lifts it. Not the operator's own organization; the SAA is emailed.",
    )
    async def organization_suspend(
        self, info: strawberry.Info, input: OrganizationSuspendInput
    ) -> OrganizationSuspendPayload:
        _, errors = await attempt(
            info,
            lambda: certification.suspend(
                actor_of(info),
                decode(input.organization_id, "Organization", "organizationId"),
                input.reason,
            ),
        )
        if errors:
            return OrganizationSuspendPayload(organization=None, errors=errors)
        return OrganizationSuspendPayload(
            organization=await _organization(info, input.organization_id), errors=[]
        )

    @field(
        SIGNED_IN,
        description="CERT-4, G 18.2 (operator): lift an organization's suspension; its "
        "accounts are as they were before it. Certifying does not lift it. The SAA is emailed.",
    )
    async def organization_suspension_lift(
        self, info: strawberry.Info, input: OrganizationSuspensionLiftInput
    ) -> OrganizationSuspensionLiftPayload:
        _, errors = await attempt(
            info,
            lambda: certification.lift_suspension(
                actor_of(info), decode(input.organization_id, "Organization", "organizationId")
            ),
        )
        if errors:
            return OrganizationSuspensionLiftPayload(organization=None, errors=errors)
        return OrganizationSuspensionLiftPayload(
            organization=await _organization(info, input.organization_id), errors=[]
        )


async def _organization(info: strawberry.Info, global_id: strawberry.ID) -> Organization | None:
    return await organization_by_pk(info, pk_of(global_id, "Organization"))
