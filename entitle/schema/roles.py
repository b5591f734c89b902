from __future__ import annotations

import json
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.scalars import JSON

from entitle.authz.actor import Viewer
from entitle.authz.facts import RoleFacts, RoleTemplateFacts, RoleViewFacts
from entitle.authz.guards import STRUCTURAL, field
from entitle.schema.enums import AccountStatus, OrgClass, PrivilegeLevel
from entitle.schema.errors import UserError
from entitle.schema.grants import joined
from entitle.schema.node import Node
from entitle.schema.pagination import Connection
from entitle.services.roles import role_facts, role_type

if TYPE_CHECKING:
    from entitle.schema.accounts import Account, GrantInput
    from entitle.schema.catalog import Privilege
    from entitle.schema.organizations import Organization

AccountT = Annotated["Account", strawberry.lazy("entitle.schema.accounts")]
PrivilegeT = Annotated["Privilege", strawberry.lazy("entitle.schema.catalog")]
OrganizationT = Annotated["Organization", strawberry.lazy("entitle.schema.organizations")]
GrantInputT = Annotated["GrantInput", strawberry.lazy("entitle.schema.accounts")]


@strawberry.enum(description="ROLE-2: derived from the role's grants.")
class RoleType(Enum):
    USER = "USER"
    ADMIN = "ADMIN"
    INCOMPLETE = "INCOMPLETE"


@strawberry.enum(description="ROLE-2.")
class RoleStatus(Enum):
    ACTIVE = "ACTIVE"
    DELETED = "DELETED"


@strawberry.type(description="A privilege at a level, inside a role or a template.")
class RoleGrant:
    level: PrivilegeLevel = field(STRUCTURAL)
    privilege_id: strawberry.Private[int]
    privilege_row: strawberry.Private[dict[str, Any] | None] = None

    @field(STRUCTURAL)
    def privilege(self, info: strawberry.Info) -> PrivilegeT | None:
        from entitle.schema.grants import privilege_of

        return privilege_of(info, self.privilege_id, self.privilege_row)


@strawberry.type(description="A bundle of grants the SAA assigns to accounts (ROLE-1).")
class Role(Node):
    name: str = field(description="Unique in the organization, ignoring case; never changes.")
    description: str = field()
    status: RoleStatus = field()
    created_at: datetime = field()
    updated_at: datetime = field()
    deleted_reason: str | None = field()
    organization_id: strawberry.Private[int]
    grant_rows: strawberry.Private[list[dict[str, Any]]]
    held: strawberry.Private[bool]

    @classmethod
    def from_row(cls, row: dict[str, Any], grants: list[dict[str, Any]], viewer: Viewer) -> Role:
        return cls(
            pk=row["id"],
            name=row["name"],
            description=row["description"],
            status=RoleStatus(row["status"]),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            deleted_reason=row["deleted_reason"],
            organization_id=row["organization"],
            grant_rows=grants,
            held=row["id"] in viewer.roles,
        )

    def authz_facts(self, viewer: Viewer) -> RoleFacts:
        return role_facts(
            viewer,
            {"organization": self.organization_id, "status": self.status.value},
            {g["privilege"]: g["level"] for g in self.grant_rows},
            self.held,
        )

    @field(description="ROLE-2: USER, ADMIN or INCOMPLETE, from the grants.")
    def type(self) -> RoleType:
        return RoleType(role_type(g["level"] for g in self.grant_rows))

    @field()
    def grants(self) -> list[RoleGrant]:
        return [
            RoleGrant(
                level=PrivilegeLevel(g["level"]),
                privilege_id=g["privilege"],
                privilege_row=joined(g),
            )
            for g in self.grant_rows
        ]

    @field()
    async def organization(self, info: strawberry.Info) -> OrganizationT | None:
        from entitle.resolvers.organizations import organization_by_pk

        return await organization_by_pk(info, self.organization_id)

    @field(description="ROLE-10: the accounts holding this role that the viewer may see.")
    async def accounts(
        self, info: strawberry.Info, first: int = 20, after: str | None = None
    ) -> Connection[AccountT]:
        from entitle.resolvers.accounts import search_accounts
        from entitle.schema.accounts import AccountFilter

        # Every holder that still holds the role up (ROLE-9: all but deleted accounts), not
        # the search's default of ACTIVE only: a disabled holder would be hidden here while
        # it blocks the role's deletion.
        holding = AccountFilter(statuses=[s for s in AccountStatus if s.value != "DELETED"])
        return await search_accounts(
            info, first=first, after=after, filter=holding, role_id=self.pk
        )


@strawberry.type(description="ROLE-4: an operator-defined starting point for a role.")
class RoleTemplate(Node):
    name: str = field()
    description: str = field()
    org_class: OrgClass = field()
    grant_rows: strawberry.Private[list[dict[str, Any]]]

    def authz_facts(self, viewer: Viewer) -> RoleTemplateFacts:
        return RoleTemplateFacts(own_class=self.org_class.value == viewer.org_class)

    @field()
    def grants(self) -> list[RoleGrant]:
        return [
            RoleGrant(level=PrivilegeLevel(g["level"]), privilege_id=g["privilege"])
            for g in self.grant_rows
        ]


@strawberry.input(description="ROLE-1, ROLE-4: a new role, from scratch or from a template.")
class RoleCreateInput:
    name: str
    description: str | None = None
    grant: list[GrantInputT] = strawberry.field(default_factory=list)
    template_id: strawberry.ID | None = strawberry.field(
        default=None, description="Start from this template (ROLE-4)."
    )
    template_privilege_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Take only these of the template's privileges."
    )
    acknowledge_sensitive: bool = False


@strawberry.input(description="ROLE-1, ROLE-8: edit a role's description and grants.")
class RoleUpdateInput:
    role_id: strawberry.ID
    description: str | None = strawberry.UNSET
    grant: list[GrantInputT] = strawberry.field(default_factory=list)
    revoke: list[strawberry.ID] = strawberry.field(default_factory=list)
    import_from_role_id: strawberry.ID | None = None
    import_from_template_id: strawberry.ID | None = None
    import_privilege_ids: list[strawberry.ID] | None = None
    acknowledge_sensitive: bool = False


@strawberry.input(description="ROLE-9: only a role nobody holds.")
class RoleDeleteInput:
    role_id: strawberry.ID
    reason: str


@strawberry.input(description="ROLE-3, ROLE-6, ROLE-7: give the role to accounts.")
class RoleAssignInput:
    role_id: strawberry.ID
    account_ids: list[strawberry.ID]
    acknowledge_sensitive: bool = False


@strawberry.input
class RoleUnassignInput:
    role_id: strawberry.ID
    account_ids: list[strawberry.ID]


@strawberry.input(description="The same assignments, from the account's side.")
class AccountRolesUpdateInput:
    account_id: strawberry.ID
    assign: list[strawberry.ID] = strawberry.field(default_factory=list)
    unassign: list[strawberry.ID] = strawberry.field(default_factory=list)
    acknowledge_sensitive: bool = False


@strawberry.type
class RolePayload:
    role: Role | None = field(STRUCTURAL)
    errors: list[UserError] = field(STRUCTURAL)


@strawberry.type
class RoleCreatePayload(RolePayload):
    pass


@strawberry.type
class RoleUpdatePayload(RolePayload):
    pass


@strawberry.type
class RoleDeletePayload(RolePayload):
    pass


@strawberry.type
class RoleAssignPayload(RolePayload):
    pass


@strawberry.type
class RoleUnassignPayload(RolePayload):
    pass


@strawberry.input(description="ROLE-10: role search.")
class RoleFilter:
    text: str | None = strawberry.field(
        default=None, description='Name contains; "double quotes" exact; `%` is a wildcard.'
    )
    statuses: list[RoleStatus] | None = strawberry.field(
        default=None, description="Default: ACTIVE only."
    )
    types: list[RoleType] | None = None
    privilege_id: strawberry.ID | None = strawberry.field(
        default=None, description="Roles holding this privilege…"
    )
    level: PrivilegeLevel | None = strawberry.field(default=None, description="…at this level.")


@strawberry.enum(description="ROLE-10: role list orders.")
class RoleSort(Enum):
    RELEVANCE = "RELEVANCE"
    UPDATED = "UPDATED"
    NAME = "NAME"
    TYPE = "TYPE"
    ORG_CLASS = "ORG_CLASS"


def filter_to_json(filter: RoleFilter | None) -> dict[str, Any]:
    """A RoleFilter as stored in a saved view."""
    if filter is None:
        return {}
    return {
        "text": filter.text,
        "statuses": [s.value for s in filter.statuses or []] or None,
        "types": [t.value for t in filter.types or []] or None,
        "privilege_id": filter.privilege_id,
        "level": filter.level.value if filter.level else None,
    }


def filter_from_json(stored: dict[str, Any]) -> RoleFilter:
    return RoleFilter(
        text=stored.get("text"),
        statuses=[RoleStatus(s) for s in stored.get("statuses") or []] or None,
        types=[RoleType(t) for t in stored.get("types") or []] or None,
        privilege_id=stored.get("privilege_id"),
        level=PrivilegeLevel(stored["level"]) if stored.get("level") else None,
    )


@strawberry.type(description="ROLE-10: a saved role search; its roles are always current.")
class RoleView(Node):
    name: str = field()
    sort: RoleSort = field()
    filter_json: strawberry.Private[dict[str, Any]]
    account_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> RoleView:
        stored = row["filter"]
        return cls(
            pk=row["id"],
            name=row["name"],
            sort=RoleSort(row["sort"]),
            filter_json=json.loads(stored) if isinstance(stored, str) else stored,
            account_id=row["account"],
        )

    def authz_facts(self, viewer: Viewer) -> RoleViewFacts:
        return RoleViewFacts(own=self.account_id == viewer.account_id)

    @field(description="The saved filter, as given.")
    def filter(self) -> JSON:
        return {k: v for k, v in self.filter_json.items() if v is not None}

    @field(description="The roles this search finds now.")
    async def roles(
        self, info: strawberry.Info, first: int = 20, after: str | None = None
    ) -> Connection[Role]:
        from entitle.resolvers.roles import search_roles

        return await search_roles(
            info,
            first=first,
            after=after,
            filter=filter_from_json(self.filter_json),
            sort=self.sort,
        )


@strawberry.input
class RoleViewSaveInput:
    name: str
    filter: RoleFilter | None = None
    sort: RoleSort = RoleSort.RELEVANCE


@strawberry.input
class RoleViewDeleteInput:
    view_id: strawberry.ID


@strawberry.type
class RoleViewSavePayload:
    view: RoleView | None = field(STRUCTURAL)
    errors: list[UserError] = field(STRUCTURAL)


@strawberry.type
class RoleViewDeletePayload:
    errors: list[UserError] = field(STRUCTURAL)
