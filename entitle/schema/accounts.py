from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from entitle.authz.actor import Viewer
from entitle.authz.facts import AccountFacts, account_facts
from entitle.authz.guards import STRUCTURAL, field
from entitle.schema.enums import AccountKind, AccountStatus, OrgClass, PrivilegeLevel, UserType
from entitle.schema.errors import UserError
from entitle.schema.node import Node

if TYPE_CHECKING:
    from entitle.schema.grants import EffectiveGrant, Grant
    from entitle.schema.identifiers import Identifier
    from entitle.schema.organizations import Organization
    from entitle.schema.roles import Role

OrganizationT = Annotated["Organization", strawberry.lazy("entitle.schema.organizations")]
GrantT = Annotated["Grant", strawberry.lazy("entitle.schema.grants")]
IdentifierT = Annotated["Identifier", strawberry.lazy("entitle.schema.identifiers")]
EffectiveGrantT = Annotated["EffectiveGrant", strawberry.lazy("entitle.schema.grants")]
RoleT = Annotated["Role", strawberry.lazy("entitle.schema.roles")]


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
        return account_facts(
            viewer,
            {
                "id": self.pk,
                "organization": self.organization_id,
                "status": self.status.value,
                "kind": self.kind.value,
                "user_type": self.user_type.value,
            },
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

    @field(
        description="ENT-8: each privilege once, at the highest level held, with where it came "
        "from; an AA sees only those they administer."
    )
    async def effective_grants(self, info: strawberry.Info) -> list[EffectiveGrantT]:
        from entitle.schema.grants import EffectiveGrant

        loaders = info.context.loaders
        direct = await loaders.grants_by_account.load(self.pk)
        roles = [r for r in await loaders.roles_by_account.load(self.pk) if r["status"] == "ACTIVE"]
        by_role = await loaders.grants_by_role.load_many([r["id"] for r in roles])
        via_roles = [
            {**grant, "role": role["id"], "granted_at": role["updated_at"]}
            for role, grants in zip(roles, by_role, strict=True)
            for grant in grants
        ]
        return info.context.authz.visible(EffectiveGrant.merge(direct + via_roles, self))

    @field(description="Roles assigned to the account that the viewer may see.")
    async def roles(self, info: strawberry.Info) -> list[RoleT]:
        from entitle.schema.roles import Role

        loaders, viewer = info.context.loaders, info.context.viewer
        rows = await loaders.roles_by_account.load(self.pk)
        grants = await loaders.grants_by_role.load_many([r["id"] for r in rows])
        roles = [Role.from_row(r, g, viewer) for r, g in zip(rows, grants, strict=True)]
        return info.context.authz.visible(roles)

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
    org_classes: list[OrgClass] | None = strawberry.field(
        default=None, description="SAA and operator only (ACC-8)."
    )
    kinds: list[AccountKind] | None = strawberry.field(
        default=None, description="Machine accounts are visible to the SAA only (ACC-9)."
    )
    privilege_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Accounts holding every one of these privileges."
    )
    identifier_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Accounts holding every one of these identifiers."
    )


@strawberry.enum(description="Where an effective grant comes from (ENT-8).")
class GrantSourceKind(Enum):
    DIRECT = "DIRECT"
    ROLE = "ROLE"


@strawberry.type(description="One origin of an effective grant.")
class GrantSource:
    kind: GrantSourceKind = field(STRUCTURAL)
    level: PrivilegeLevel = field(STRUCTURAL)
    role_id: strawberry.Private[int | None] = None

    @field(STRUCTURAL, description="The role it comes through, when the viewer may see it.")
    async def role(self, info: strawberry.Info) -> RoleT | None:
        from entitle.resolvers.roles import role_by_pk

        return None if self.role_id is None else await role_by_pk(info, self.role_id)


@strawberry.input(description="A privilege at a level.")
class GrantInput:
    privilege_id: strawberry.ID
    level: PrivilegeLevel


@strawberry.input(description="ACC-1, ACC-2: a new DRAFT account.")
class AccountCreateInput:
    organization_id: strawberry.ID | None = strawberry.field(
        default=None, description="Default: the viewer's organization."
    )
    user_id: str | None = strawberry.field(
        default=None, description="Default: generated from first and last name."
    )
    first_name: str
    middle_name: str | None = None
    last_name: str
    email: str
    phone: str
    cell_phone: str | None = None
    title: str | None = None
    department: str | None = None
    activation_date: date | None = strawberry.field(
        default=None, description="At most 30 days ahead; the draft is activated that day."
    )
    kind: AccountKind = strawberry.field(
        default=AccountKind.HUMAN, description="Machine accounts: operator only (ACC-9)."
    )


@strawberry.input(description="ACC-5: only the fields given change.")
class AccountUpdateInput:
    account_id: strawberry.ID
    first_name: str | None = strawberry.UNSET
    middle_name: str | None = strawberry.UNSET
    last_name: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    cell_phone: str | None = strawberry.UNSET
    title: str | None = strawberry.UNSET
    department: str | None = strawberry.UNSET


@strawberry.input
class AccountActivateInput:
    account_id: strawberry.ID


@strawberry.input
class AccountDisableInput:
    account_id: strawberry.ID
    reason: str | None = None


@strawberry.input
class AccountEnableInput:
    account_id: strawberry.ID


@strawberry.input(description="ACC-7: deletion is permanent and needs a reason.")
class AccountDeleteInput:
    account_id: strawberry.ID
    reason: str


@strawberry.input(description="Change grants and identifiers of one account, all or nothing.")
class AccountEntitlementsUpdateInput:
    account_id: strawberry.ID
    grant: list[GrantInput] = strawberry.field(
        default_factory=list, description="Privileges to grant, or whose level to change."
    )
    revoke: list[strawberry.ID] = strawberry.field(default_factory=list)
    assign_identifiers: list[strawberry.ID] = strawberry.field(default_factory=list)
    unassign_identifiers: list[strawberry.ID] = strawberry.field(default_factory=list)
    acknowledge_sensitive: bool = strawberry.field(
        default=False, description="ENT-3: required to grant a sensitive privilege."
    )
    confirm_revocations: bool = strawberry.field(
        default=False, description="ENT-4: required when a revocation removes more."
    )


@strawberry.input(description="ENT-6: copy entitlements from another account of the organization.")
class AccountEntitlementsImportInput:
    account_id: strawberry.ID
    source_account_id: strawberry.ID
    privilege_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Default: every privilege of the source."
    )
    identifier_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Default: every identifier of the source."
    )
    acknowledge_sensitive: bool = False


@strawberry.type
class AccountPayload:
    account: Account | None = field(STRUCTURAL)
    errors: list[UserError] = field(STRUCTURAL)


@strawberry.type
class AccountCreatePayload(AccountPayload):
    pass


@strawberry.type
class AccountActivatePayload(AccountPayload):
    pass


@strawberry.type
class AccountUpdatePayload(AccountPayload):
    pass


@strawberry.type
class AccountDisablePayload(AccountPayload):
    pass


@strawberry.type
class AccountEnablePayload(AccountPayload):
    pass


@strawberry.type
class AccountDeletePayload(AccountPayload):
    pass


@strawberry.type
class AccountEntitlementsUpdatePayload(AccountPayload):
    pass


@strawberry.type
class AccountEntitlementsImportPayload(AccountPayload):
    pass


@strawberry.type
class AccountRolesUpdatePayload(AccountPayload):
    pass
