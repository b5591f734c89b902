from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from entitle.authz.actor import Viewer
from entitle.authz.facts import AccountFacts, relation_of
from entitle.authz.guards import field
from entitle.schema.enums import AccountKind, AccountStatus, UserType
from entitle.schema.node import Node

if TYPE_CHECKING:
    from entitle.schema.grants import Grant
    from entitle.schema.identifiers import Identifier
    from entitle.schema.organizations import Organization

OrganizationT = Annotated["Organization", strawberry.lazy("entitle.schema.organizations")]
GrantT = Annotated["Grant", strawberry.lazy("entitle.schema.grants")]
IdentifierT = Annotated["Identifier", strawberry.lazy("entitle.schema.identifiers")]


@strawberry.type(description="A sign-in account of an organization: a person or a machine.")
class Account(Node):
    user_id: str = field(description="The platform-wide unique sign-in name.")
    first_name: str = field()
    middle_name: str | None = field()
    last_name: str = field()
    email: str = field()
    phone: str = field()
    cell_phone: str | None = field()
    title: str | None = field()
    department: str | None = field()
    kind: AccountKind = field()
    user_type: UserType = field()
    status: AccountStatus = field()
    created_at: datetime = field()
    activation_date: date | None = field(description="ACC-2: when a draft is to be activated.")
    activated_at: datetime | None = field()
    last_sign_in_at: datetime | None = field(description="ACC-10.")
    disabled_at: datetime | None = field()
    deleted_at: datetime | None = field()
    deleted_reason: str | None = field()
    organization_id: strawberry.Private[int]
    created_by_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Account:
        return cls(
            pk=row["id"],
            organization_id=row["organization"],
            created_by_id=row["created_by"],
            user_id=row["user_id"],
            first_name=row["first_name"],
            middle_name=row["middle_name"],
            last_name=row["last_name"],
            email=row["email"],
            phone=row["phone"],
            cell_phone=row["cell_phone"],
            title=row["title"],
            department=row["department"],
            kind=AccountKind(row["kind"]),
            user_type=UserType(row["user_type"]),
            status=AccountStatus(row["status"]),
            created_at=row["created_at"],
            activation_date=row["activation_date"],
            activated_at=row["activated_at"],
            last_sign_in_at=row["last_sign_in_at"],
            disabled_at=row["disabled_at"],
            deleted_at=row["deleted_at"],
            deleted_reason=row["deleted_reason"],
        )

    def authz_facts(self, viewer: Viewer) -> AccountFacts:
        return AccountFacts(
            relation=relation_of(viewer, self.pk, self.organization_id),
            status=self.status.value,
            kind=self.kind.value,
            user_type=self.user_type.value,
        )

    @field()
    async def organization(self, info: strawberry.Info) -> OrganizationT | None:
        from entitle.resolvers.organizations import organization_by_pk

        return await organization_by_pk(info, self.organization_id)

    @field(description="The admin who created the account, when the viewer may see them.")
    async def created_by(self, info: strawberry.Info) -> Account | None:
        from entitle.resolvers.accounts import account_by_pk

        if self.created_by_id is None:
            return None
        return await account_by_pk(info, self.created_by_id)

    @field(description="Privileges held directly; an AA sees only those they administer (ACC-8).")
    async def grants(self, info: strawberry.Info) -> list[GrantT]:
        from entitle.schema.grants import Grant

        rows = await info.context.loaders.grants_by_account.load(self.pk)
        return info.context.authz.visible([Grant.from_row(r, self) for r in rows])

    @field(description="Identifiers assigned; an AA sees only those assigned to them (ENT-5).")
    async def identifiers(self, info: strawberry.Info) -> list[IdentifierT]:
        from entitle.schema.identifiers import Identifier

        rows = await info.context.loaders.identifiers_by_account.load(self.pk)
        return info.context.authz.visible([Identifier.from_row(r) for r in rows])


@strawberry.input(description="Account search (ACC-8). Every filter narrows the result.")
class AccountFilter:
    text: str | None = strawberry.field(
        default=None,
        description='Words matched in user ID, name and email; "double quotes" match exactly.',
    )
    statuses: list[AccountStatus] | None = strawberry.field(
        default=None, description="Default: ACTIVE only."
    )
    user_types: list[UserType] | None = None
    kinds: list[AccountKind] | None = strawberry.field(
        default=None, description="Machine accounts are visible to the SAA only (ACC-9)."
    )
    privilege_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Accounts holding every one of these privileges."
    )
    identifier_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Accounts holding every one of these identifiers."
    )
