"""SAA requests (REQ-1..REQ-10) and authorized signatories (ORG-5)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from entitle import enums
from entitle.authz.actor import Viewer
from entitle.authz.facts import RequestFacts, SignatoryFacts
from entitle.authz.guards import STRUCTURAL, field
from entitle.schema.errors import UserError
from entitle.schema.node import Node

if TYPE_CHECKING:
    from entitle.schema.accounts import Account

AccountT = Annotated["Account", strawberry.lazy("entitle.schema.accounts")]


RequestType = strawberry.enum(
    enums.RequestType,
    description="REQ-1: Replace SAA; REQ-2: Update SAA; ORG-3: New Organization SAA agreement.",
)


RequestStatus = strawberry.enum(enums.RequestStatus, description="REQ-3: request statuses.")
SaaDisposition = strawberry.enum(
    enums.SaaDisposition, description="REQ-1: what becomes of the current SAA's account."
)
SignatorySource = strawberry.enum(
    enums.SignatorySource, description="ORG-5: where an authorized signatory comes from."
)


@strawberry.enum(description="REQ-10: request categories (SAA requests are all one).")
class RequestCategory(Enum):
    ACCOUNT_MANAGEMENT = "ACCOUNT_MANAGEMENT"


@strawberry.enum(description="REQ-10: Active (draft or pending) or Completed (everything else).")
class RequestTab(Enum):
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"


@strawberry.enum(description="REQ-4, REQ-6: a decision on a request.")
class RequestDecision(Enum):
    APPROVE = "APPROVE"
    DENY = "DENY"
    SEND_BACK = "SEND_BACK"


@strawberry.type(description="ORG-5: a person who may approve an organization's SAA requests.")
class AuthorizedSignatory(Node):
    name: str = field()
    title: str = field()
    email: str | None = field(description="May be missing; the requester then supplies one.")
    source: SignatorySource = field()
    organization_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> AuthorizedSignatory:
        return cls(
            pk=row["id"],
            organization_id=row["organization"],
            name=row["name"],
            title=row["title"],
            email=row["email"],
            source=SignatorySource(row["source"]),
        )

    def authz_facts(self, viewer: Viewer) -> SignatoryFacts:
        return SignatoryFacts(own_org=self.organization_id == viewer.organization_id)


# The history is part of its request: whoever may read the request (the `history` field's
# guard) reads all of it.
@strawberry.type(description="REQ-3: one transition of a request, with who made it.")
class RequestEvent:
    at: datetime = field(STRUCTURAL)
    from_status: RequestStatus | None = field(STRUCTURAL)
    to_status: RequestStatus = field(STRUCTURAL)
    actor: str = field(
        STRUCTURAL, description='The user ID of the account, or "signatory" (by passcode).'
    )
    reason: str | None = field(STRUCTURAL)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> RequestEvent:
        return cls(
            at=row["at"],
            from_status=RequestStatus(row["from_status"]) if row["from_status"] else None,
            to_status=RequestStatus(row["to_status"]),
            actor=row["actor_label"],
            reason=row["reason"],
        )


@strawberry.type(description="A Replace SAA or Update SAA request (REQ-1..REQ-10).")
class Request(Node):
    type: RequestType = field()
    status: RequestStatus = field()
    category: RequestCategory = field(description="REQ-10.")
    organization_name: str = field()
    requester_name: str | None = field()
    saa_disposition: SaaDisposition | None = field()
    new_saa_name: str | None = field(
        description="The chosen account's name, or the new account's (REPLACE_SAA)."
    )
    new_first_name: str | None = field(
        description="REPLACE_SAA: the new account's; UPDATE_SAA: the SAA's new first name."
    )
    new_last_name: str | None = field()
    new_email: str | None = field()
    new_phone: str | None = field()
    signatory_name: str | None = field()
    signatory_title: str | None = field()
    signatory_email: str | None = field()
    signatory_added_by_hand: bool = field()
    explanation: str | None = field(
        description="ORG-3: why the signatory is also the new SAA (a sole proprietor)."
    )
    contact_email: str | None = field(description="ORG-3: who made the agreement.")
    justification1: str | None = field(description="REQ-5.")
    justification2: str | None = field(description="REQ-5.")
    signatory_reason: str | None = field(description="REQ-4: why denied or sent back.")
    operator_reason: str | None = field(description="REQ-6: why denied or sent back.")
    created_at: datetime = field()
    updated_at: datetime = field()
    sent_at: datetime | None = field()
    completed_at: datetime | None = field()
    organization_id: strawberry.Private[int]
    requester_id: strawberry.Private[int | None]
    new_saa_account_id: strawberry.Private[int | None]
    by_passcode: strawberry.Private[bool]

    @classmethod
    def from_row(cls, row: dict[str, Any], *, by_passcode: bool = False) -> Request:
        requester = " ".join(filter(None, (row["requester_first"], row["requester_last"])))
        if row["new_saa_account"] is not None:
            new_saa = " ".join(filter(None, (row["saa_first"], row["saa_last"])))
        else:
            new_saa = " ".join(filter(None, (row["new_first_name"], row["new_last_name"])))
        return cls(
            pk=row["id"],
            type=RequestType(row["request_type"]),
            status=RequestStatus(row["status"]),
            category=RequestCategory.ACCOUNT_MANAGEMENT,
            organization_name=row["organization_name"],
            requester_name=requester or None,
            saa_disposition=SaaDisposition(row["saa_disposition"])
            if row["saa_disposition"]
            else None,
            new_saa_name=new_saa or None,
            new_first_name=row["new_first_name"],
            new_last_name=row["new_last_name"],
            new_email=row["new_email"],
            new_phone=row["new_phone"],
            signatory_name=row["signatory_name"],
            signatory_title=row["signatory_title"],
            signatory_email=row["signatory_email"],
            signatory_added_by_hand=row["signatory_added_by_hand"],
            explanation=row["explanation"],
            contact_email=row["requester_email"],
            justification1=row["justification_1"],
            justification2=row["justification_2"],
            signatory_reason=row["signatory_reason"],
            operator_reason=row["operator_reason"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            sent_at=row["sent_at"],
            completed_at=row["completed_at"],
            organization_id=row["organization"],
            requester_id=row["requester"],
            new_saa_account_id=row["new_saa_account"],
            by_passcode=by_passcode,
        )

    def authz_facts(self, viewer: Viewer) -> RequestFacts:
        return RequestFacts(
            mine=self.requester_id is not None and self.requester_id == viewer.account_id,
            request_type=self.type.value,
            by_passcode=self.by_passcode,
        )

    @field(description="The new SAA's account, when the viewer may see it.")
    async def new_saa(self, info: strawberry.Info) -> AccountT | None:
        from entitle.resolvers.accounts import account_by_pk

        if self.new_saa_account_id is None:
            return None
        return await account_by_pk(info, self.new_saa_account_id)

    @field(description="REQ-3: every transition, oldest first.")
    async def history(self, info: strawberry.Info) -> list[RequestEvent]:
        from entitle.resolvers.requests import loaders

        rows = await loaders(info).events_by_request.load(self.pk)
        return [RequestEvent.from_row(r) for r in rows]


@strawberry.input(description="REQ-10: narrow the request list.")
class RequestFilter:
    types: list[RequestType] | None = None
    categories: list[RequestCategory] | None = None
    statuses: list[RequestStatus] | None = None


@strawberry.input(description="What a requester fills in; saving replaces the whole form.")
class RequestDetailsInput:
    saa_disposition: SaaDisposition | None = None
    new_saa_account_id: strawberry.ID | None = strawberry.field(
        default=None, description="REQ-1: an account of the organization becomes the SAA..."
    )
    new_first_name: str | None = strawberry.field(
        default=None,
        description="...or a new account with these details (REPLACE_SAA); the SAA's new "
        "name and email (UPDATE_SAA).",
    )
    new_last_name: str | None = None
    new_email: str | None = None
    new_phone: str | None = None
    signatory_id: strawberry.ID | None = strawberry.field(
        default=None, description="One of the organization's authorized signatories..."
    )
    signatory_name: str | None = strawberry.field(
        default=None, description="...or one added by hand when none is on file (ORG-5)."
    )
    signatory_title: str | None = None
    signatory_email: str | None = strawberry.field(
        default=None,
        description="The signatory's email, when the one chosen has none on file (ORG-5).",
    )


@strawberry.input
class RequestCreateInput(RequestDetailsInput):
    type: RequestType


@strawberry.input
class RequestSaveInput(RequestDetailsInput):
    request_id: strawberry.ID


@strawberry.input
class RequestIdInput:
    request_id: strawberry.ID


@strawberry.input(description="REQ-4, REQ-5: the signatory's decision, by passcode.")
class RequestSignatoryDecideInput:
    passcode: str
    decision: RequestDecision
    acknowledge_agreement: bool = strawberry.field(
        description="Every decision acknowledges the entitlement agreement."
    )
    reason: str | None = strawberry.field(
        default=None, description="Required to deny or send back."
    )
    justification1: str | None = None
    justification2: str | None = None


@strawberry.input(description="REQ-6: the operator's review.")
class RequestReviewInput:
    request_id: strawberry.ID
    decision: RequestDecision
    reason: str | None = strawberry.field(
        default=None, description="Required to deny or send back."
    )


@strawberry.type
class RequestPayload:
    request: Request | None = field(STRUCTURAL)
    errors: list[UserError] = field(STRUCTURAL)


@strawberry.type
class RequestCreatePayload(RequestPayload):
    pass


@strawberry.type
class RequestSavePayload(RequestPayload):
    pass


@strawberry.type
class RequestSendPayload(RequestPayload):
    pass


@strawberry.type
class RequestRecallPayload(RequestPayload):
    pass


@strawberry.type
class RequestCancelPayload(RequestPayload):
    pass


@strawberry.type
class RequestSignatoryDecidePayload(RequestPayload):
    pass


@strawberry.type
class RequestReviewPayload(RequestPayload):
    pass


@strawberry.input
class AuthorizedSignatoryDetailsInput:
    name: str
    title: str
    source: SignatorySource
    email: str | None = None


@strawberry.input
class AuthorizedSignatoryCreateInput(AuthorizedSignatoryDetailsInput):
    organization_id: strawberry.ID


@strawberry.input
class AuthorizedSignatoryUpdateInput(AuthorizedSignatoryDetailsInput):
    signatory_id: strawberry.ID


@strawberry.input
class AuthorizedSignatoryDeleteInput:
    signatory_id: strawberry.ID


@strawberry.type
class AuthorizedSignatoryPayload:
    signatory: AuthorizedSignatory | None = field(STRUCTURAL)
    errors: list[UserError] = field(STRUCTURAL)


@strawberry.type
class AuthorizedSignatoryCreatePayload(AuthorizedSignatoryPayload):
    pass


@strawberry.type
class AuthorizedSignatoryUpdatePayload(AuthorizedSignatoryPayload):
    pass


@strawberry.type
class AuthorizedSignatoryDeletePayload:
    errors: list[UserError] = field(STRUCTURAL)


@strawberry.input(description="ORG-3: a new organization designates its first SAA.")
class RequestNewOrganizationSaaCreateInput:
    organization_number: str = strawberry.field(
        description="The Organization ID# the operator registered."
    )
    new_first_name: str
    new_last_name: str
    new_email: str
    new_phone: str
    signatory_name: str
    signatory_title: str
    signatory_email: str
    contact_email: str = strawberry.field(description="Where the workflow's emails go.")
    explanation: str | None = strawberry.field(
        default=None, description="Required when the signatory is also the new SAA."
    )


@strawberry.type
class RequestNewOrganizationSaaCreatePayload:
    errors: list[UserError] = field(STRUCTURAL)
