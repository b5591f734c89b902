"""SAA requests and authorized signatories: reads, the requester's, the signatory's and
the operator's mutations. Thin: rules live in services/requests/ and requests.polar."""

from __future__ import annotations

import functools
from typing import Any

import strawberry
from piccolo.columns.combination import Combinable

from entitle import enums
from entitle.authz.facts import RequestFacts
from entitle.authz.guards import PUBLIC, SIGNED_IN, field
from entitle.models import AuthorizedSignatory as SignatoryTable
from entitle.models import Request as RequestTable
from entitle.models import RequestEvent as RequestEventTable
from entitle.resolvers.loaders import RowByIdLoader, RowsByKeyLoader, load_visible
from entitle.resolvers.mutations import actor_of, attempt, decode
from entitle.resolvers.pagination import paginate
from entitle.schema import requests as types
from entitle.schema.node import pk_of
from entitle.schema.pagination import Connection
from entitle.services import requests
from entitle.services.errors import DomainError


@functools.cache
def request_columns() -> tuple[Any, ...]:
    """The request's columns and the names it shows, joined: one statement for a page.
    Built once: piccolo deep-copies a foreign key for every joined column."""
    return (
        *RequestTable.all_columns(),
        RequestTable.organization.name.as_alias("organization_name"),
        RequestTable.requester.first_name.as_alias("requester_first"),
        RequestTable.requester.last_name.as_alias("requester_last"),
        RequestTable.new_saa_account.first_name.as_alias("saa_first"),
        RequestTable.new_saa_account.last_name.as_alias("saa_last"),
    )


class RequestLoaders:
    def __init__(self, scheduler) -> None:
        self.request_by_id = RowByIdLoader(scheduler, RequestTable, *request_columns())
        self.events_by_request = RowsByKeyLoader(
            scheduler,
            RequestEventTable.request,
            *RequestEventTable.all_columns(),
            order_by=RequestEventTable.id,
        )


def loaders(info: strawberry.Info) -> RequestLoaders:
    """This request's request loaders, kept with the others so `forget_reads` drops them."""
    shared = info.context.loaders
    found = shared.__dict__.get("_requests")
    if found is None:
        found = shared.__dict__["_requests"] = RequestLoaders(shared.scheduler)
    return found


def _one_of(column, values) -> Combinable:
    return column.is_in([v.value for v in values]) if values else RequestTable.id.is_null()


async def request_by_pk(info: strawberry.Info, pk: int) -> types.Request | None:
    return await load_visible(info, loaders(info).request_by_id, pk, types.Request.from_row)


async def signatory_by_pk(info: strawberry.Info, pk: int) -> types.AuthorizedSignatory | None:
    row = await SignatoryTable.select().where(SignatoryTable.id == pk).first()
    if row is None:
        return None
    signatory = types.AuthorizedSignatory.from_row(row)
    return signatory if info.context.authz.can("read", signatory) else None


async def request_by_passcode(info: strawberry.Info, pk: int) -> types.Request | None:
    """The request a valid passcode opened: readable by the signatory without an account."""
    row = await loaders(info).request_by_id.load(pk)
    return None if row is None else types.Request.from_row(row, by_passcode=True)


async def list_requests(
    info: strawberry.Info,
    *,
    first: int,
    after: str | None,
    tab: types.RequestTab | None,
    filter: types.RequestFilter | None,
) -> Connection[types.Request]:
    conditions = []
    if tab is not None:
        active = [s.value for s in enums.ACTIVE_REQUEST_STATUSES]
        conditions.append(
            RequestTable.status.is_in(active)
            if tab is types.RequestTab.ACTIVE
            else RequestTable.status.not_in(active)
        )
    if filter is not None:
        # An empty list matches nothing, as `categories: []` does (piccolo refuses is_in([])).
        if filter.types is not None:
            conditions.append(_one_of(RequestTable.request_type, filter.types))
        if filter.statuses is not None:
            conditions.append(_one_of(RequestTable.status, filter.statuses))
        if filter.categories is not None and (
            types.RequestCategory.ACCOUNT_MANAGEMENT not in filter.categories
        ):
            conditions.append(RequestTable.id.is_null())  # every SAA request is one category
    return await paginate(
        info,
        RequestTable,
        columns=request_columns(),
        conditions=conditions,
        where=info.context.authz.where("read", RequestFacts),
        order=(RequestTable.id,),
        descending=True,
        first=first,
        after=after,
        node=types.Request.from_row,
    )


def _details(input: types.RequestDetailsInput) -> requests.RequestDetails:
    return requests.RequestDetails(
        saa_disposition=enums.SaaDisposition(input.saa_disposition.value)
        if input.saa_disposition
        else None,
        new_saa_account_id=decode(input.new_saa_account_id, "Account", "newSaaAccountId")
        if input.new_saa_account_id
        else None,
        new_first_name=input.new_first_name,
        new_last_name=input.new_last_name,
        new_email=input.new_email,
        new_phone=input.new_phone,
        signatory_id=decode(input.signatory_id, "AuthorizedSignatory", "signatoryId")
        if input.signatory_id
        else None,
        signatory_name=input.signatory_name,
        signatory_title=input.signatory_title,
        signatory_email=input.signatory_email,
    )


def _request_id(global_id: strawberry.ID) -> int:
    return decode(global_id, "Request", "requestId")


async def _respond(info: strawberry.Info, payload: type, operation) -> Any:
    """Run the operation, then read the request back as the viewer now sees it."""
    pk, errors = await attempt(info, operation)
    request = None if errors or pk is None else await request_by_pk(info, pk)
    return payload(request=request, errors=errors)


def _signatory_details(input: types.AuthorizedSignatoryDetailsInput) -> requests.SignatoryDetails:
    return requests.SignatoryDetails(
        name=input.name,
        title=input.title,
        email=input.email,
        source=enums.SignatorySource(input.source.value),
    )


@strawberry.type
class RequestQuery:
    @field(SIGNED_IN, description="A request by ID; null when missing or not visible (REQ-9).")
    async def request(self, info: strawberry.Info, id: strawberry.ID) -> types.Request | None:
        pk = pk_of(id, "Request")
        return None if pk is None else await request_by_pk(info, pk)

    @field(
        SIGNED_IN,
        description="REQ-9, REQ-10: the requests the viewer may see, newest first; the "
        "operator's review queue is `filter: {statuses: [PENDING_OPERATOR]}`.",
    )
    async def requests(
        self,
        info: strawberry.Info,
        first: int = 20,
        after: str | None = None,
        tab: types.RequestTab | None = None,
        filter: types.RequestFilter | None = None,
    ) -> Connection[types.Request]:
        return await list_requests(info, first=first, after=after, tab=tab, filter=filter)

    @field(
        PUBLIC,
        description="REQ-4: the request a signatory's passcode opens, without an account; null "
        "when the passcode is wrong, used or expired.",
    )
    async def request_for_signatory(
        self, info: strawberry.Info, passcode: str
    ) -> types.Request | None:
        now = info.context.runtime.clock.now()
        try:
            code = await requests.request_for_passcode(passcode, now)
        except DomainError:
            return None
        return await request_by_passcode(info, code["request"])

    @field(
        SIGNED_IN,
        description="ORG-5: an organization's authorized signatories (the viewer's own when "
        "no organization is given).",
    )
    async def authorized_signatories(
        self, info: strawberry.Info, organization_id: strawberry.ID | None = None
    ) -> list[types.AuthorizedSignatory]:
        org = (
            pk_of(organization_id, "Organization")
            if organization_id is not None
            else info.context.viewer.organization_id
        )
        rows = (
            await SignatoryTable.select()
            .where(SignatoryTable.organization == (org or 0))
            .order_by(SignatoryTable.name)
        )
        # A handful per organization: filtered here rather than in SQL.
        return info.context.authz.visible([types.AuthorizedSignatory.from_row(r) for r in rows])


@strawberry.type
class RequestMutation:
    @field(SIGNED_IN, description="REQ-1, REQ-2: start a Replace SAA or Update SAA draft.")
    async def request_create(
        self, info: strawberry.Info, input: types.RequestCreateInput
    ) -> types.RequestCreatePayload:
        return await _respond(
            info,
            types.RequestCreatePayload,
            lambda: requests.create(
                actor_of(info), enums.RequestType(input.type.value), _details(input)
            ),
        )

    @field(SIGNED_IN, description="REQ-3: save & edit a draft (the whole form).")
    async def request_save(
        self, info: strawberry.Info, input: types.RequestSaveInput
    ) -> types.RequestSavePayload:
        return await _respond(
            info,
            types.RequestSavePayload,
            lambda: requests.save(actor_of(info), _request_id(input.request_id), _details(input)),
        )

    @field(SIGNED_IN, description="REQ-1, REQ-4: send a draft to its signatory.")
    async def request_send(
        self, info: strawberry.Info, input: types.RequestIdInput
    ) -> types.RequestSendPayload:
        return await _respond(
            info,
            types.RequestSendPayload,
            lambda: requests.send(actor_of(info), _request_id(input.request_id)),
        )

    @field(SIGNED_IN, description="REQ-3: recall a pending request to DRAFT.")
    async def request_recall(
        self, info: strawberry.Info, input: types.RequestIdInput
    ) -> types.RequestRecallPayload:
        return await _respond(
            info,
            types.RequestRecallPayload,
            lambda: requests.recall(actor_of(info), _request_id(input.request_id)),
        )

    @field(SIGNED_IN, description="REQ-3: cancel a draft.")
    async def request_cancel(
        self, info: strawberry.Info, input: types.RequestIdInput
    ) -> types.RequestCancelPayload:
        return await _respond(
            info,
            types.RequestCancelPayload,
            lambda: requests.cancel(actor_of(info), _request_id(input.request_id)),
        )

    @field(
        PUBLIC,
        description="REQ-4, REQ-5, REQ-6: the signatory approves, denies or sends back with "
        "the one-time passcode alone.",
    )
    async def request_signatory_decide(
        self, info: strawberry.Info, input: types.RequestSignatoryDecideInput
    ) -> types.RequestSignatoryDecidePayload:
        context = info.context
        pk, errors = await attempt(
            info,
            lambda: requests.signatory_decide(
                context.runtime.settings,
                context.runtime.clock.now(),
                context.request_id,
                input.passcode,
                requests.SignatoryDecision(
                    decision=input.decision.value,
                    acknowledge_agreement=input.acknowledge_agreement,
                    reason=input.reason,
                    justification_1=input.justification1,
                    justification_2=input.justification2,
                ),
            ),
        )
        request = None if errors else await request_by_passcode(info, pk)
        return types.RequestSignatoryDecidePayload(request=request, errors=errors)

    @field(SIGNED_IN, description="REQ-6 (operator): approve, deny or send back.")
    async def request_review(
        self, info: strawberry.Info, input: types.RequestReviewInput
    ) -> types.RequestReviewPayload:
        return await _respond(
            info,
            types.RequestReviewPayload,
            lambda: requests.operator_decide(
                actor_of(info), _request_id(input.request_id), input.decision.value, input.reason
            ),
        )

    @field(
        PUBLIC,
        description="ORG-3: a new organization's SAA agreement, made without an account; its "
        "signatory gets a passcode, then the operator reviews it and creates the SAA account.",
    )
    async def request_new_organization_saa_create(
        self, info: strawberry.Info, input: types.RequestNewOrganizationSaaCreateInput
    ) -> types.RequestNewOrganizationSaaCreatePayload:
        context = info.context
        _, errors = await attempt(
            info,
            lambda: requests.create_new_organization_agreement(
                context.runtime.settings,
                context.runtime.clock.now(),
                context.request_id,
                requests.NewOrganizationAgreement(
                    organization_number=input.organization_number,
                    new_first_name=input.new_first_name,
                    new_last_name=input.new_last_name,
                    new_email=input.new_email,
                    new_phone=input.new_phone,
                    signatory_name=input.signatory_name,
                    signatory_title=input.signatory_title,
                    signatory_email=input.signatory_email,
                    contact_email=input.contact_email,
                    explanation=input.explanation,
                ),
            ),
        )
        # The maker has no account: what happens next arrives by email.
        return types.RequestNewOrganizationSaaCreatePayload(errors=errors)

    @field(SIGNED_IN, description="ORG-5 (operator): record an authorized signatory.")
    async def authorized_signatory_create(
        self, info: strawberry.Info, input: types.AuthorizedSignatoryCreateInput
    ) -> types.AuthorizedSignatoryCreatePayload:
        pk, errors = await attempt(
            info,
            lambda: requests.create_signatory(
                actor_of(info),
                decode(input.organization_id, "Organization", "organizationId"),
                _signatory_details(input),
            ),
        )
        signatory = None if errors else await signatory_by_pk(info, pk)
        return types.AuthorizedSignatoryCreatePayload(signatory=signatory, errors=errors)

    @field(SIGNED_IN, description="ORG-5 (operator): correct an authorized signatory.")
    async def authorized_signatory_update(
        self, info: strawberry.Info, input: types.AuthorizedSignatoryUpdateInput
    ) -> types.AuthorizedSignatoryUpdatePayload:
        pk, errors = await attempt(
            info,
            lambda: requests.update_signatory(
                actor_of(info),
                decode(input.signatory_id, "AuthorizedSignatory", "signatoryId"),
                _signatory_details(input),
            ),
        )
        signatory = None if errors else await signatory_by_pk(info, pk)
        return types.AuthorizedSignatoryUpdatePayload(signatory=signatory, errors=errors)

    @field(SIGNED_IN, description="ORG-5 (operator): remove an authorized signatory.")
    async def authorized_signatory_delete(
        self, info: strawberry.Info, input: types.AuthorizedSignatoryDeleteInput
    ) -> types.AuthorizedSignatoryDeletePayload:
        _, errors = await attempt(
            info,
            lambda: requests.delete_signatory(
                actor_of(info), decode(input.signatory_id, "AuthorizedSignatory", "signatoryId")
            ),
        )
        return types.AuthorizedSignatoryDeletePayload(errors=errors)
