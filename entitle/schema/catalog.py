from __future__ import annotations

from typing import Any

import strawberry

from entitle.authz.actor import Viewer
from entitle.authz.facts import ApplicationFacts, PrivilegeFacts
from entitle.authz.guards import field
from entitle.resolvers.loaders import APPLICATION, part
from entitle.schema.enums import IdentifierKind, OrgType
from entitle.schema.node import Node


@strawberry.type(description="A parent entry of the entitlement catalog (ENT-1).")
class Application(Node):
    code: str = field()
    name: str = field()
    description: str = field()

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Application:
        return cls(pk=row["id"], code=row["code"], name=row["name"], description=row["description"])

    def authz_facts(self, viewer: Viewer) -> ApplicationFacts:
        return ApplicationFacts()

    @field(description="The application's privileges available to the viewer's organization.")
    async def privileges(self, info: strawberry.Info) -> list[Privilege]:
        rows = await info.context.loaders.privileges_by_application.load(self.pk)
        return info.context.authz.visible([Privilege.from_row(r) for r in rows])


@strawberry.type(
    description="A child entry of the catalog, granted at USER or ADMIN level (ENT-1)."
)
class Privilege(Node):
    code: str = field()
    name: str = field()
    description: str = field()
    sensitive: bool = field(description="Opens SSN, date of birth, fingerprints or CJI (ENT-3).")
    identifier_kind: IdentifierKind | None = field(
        description="The identifier this privilege goes with (ENT-5)."
    )
    application_id: strawberry.Private[int]
    parent_id: strawberry.Private[int | None]
    application_row: strawberry.Private[dict[str, Any] | None] = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Privilege:
        """A privilege row; its application comes along when the query joined it."""
        return cls(
            application_row=part(row, APPLICATION),
            pk=row["id"],
            code=row["code"],
            name=row["name"],
            description=row["description"],
            sensitive=row["sensitive"],
            identifier_kind=IdentifierKind(row["identifier_kind"])
            if row["identifier_kind"]
            else None,
            application_id=row["application"],
            parent_id=row["parent"],
        )

    def authz_facts(self, viewer: Viewer) -> PrivilegeFacts:
        return PrivilegeFacts(available=self.pk in viewer.available)

    @field()
    def application(self, info: strawberry.Info) -> Application:
        # Plain `def`: answers at once from the joined row, or hands back an awaitable.
        if self.application_row is not None:
            return Application.from_row(self.application_row)
        return self._load_application(info)

    async def _load_application(self, info: strawberry.Info) -> Application:
        row = await info.context.loaders.application_by_id.load(self.application_id)
        return Application.from_row(row)

    @field(description="The privilege this one is a child of (ENT-4).")
    async def parent(self, info: strawberry.Info) -> Privilege | None:
        from entitle.resolvers.catalog import privilege_by_pk

        if self.parent_id is None:
            return None
        return await privilege_by_pk(info, self.parent_id)

    @field(description="The organization types this privilege is available to (ORG-2).")
    async def available_to(self, info: strawberry.Info) -> list[OrgType]:
        rows = await info.context.loaders.org_types_by_privilege.load(self.pk)
        return sorted(OrgType(r["org_type"]) for r in rows)
