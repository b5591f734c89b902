from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from entitle.authz.actor import Viewer
from entitle.authz.facts import GrantFacts, relation_of
from entitle.authz.guards import field
from entitle.resolvers.loaders import APPLICATION, PRIVILEGE, part
from entitle.schema.accounts import Account, GrantSource, GrantSourceKind
from entitle.schema.enums import PrivilegeLevel

if TYPE_CHECKING:
    from entitle.schema.catalog import Privilege

PrivilegeT = Annotated["Privilege", strawberry.lazy("entitle.schema.catalog")]


def catalog_row(row: dict[str, Any]) -> dict[str, Any] | None:
    """The privilege (with its application) joined onto a grant row, if the query did."""
    privilege = part(row, PRIVILEGE)
    return (
        None
        if privilege is None
        else {
            **privilege,
            **{APPLICATION + k: v for k, v in (part(row, APPLICATION) or {}).items()},
        }
    )


def joined(row: dict[str, Any]) -> dict[str, Any] | None:
    """`row` when its query joined the privilege on, else None."""
    return row if PRIVILEGE + "id" in row else None


def privilege_of(info: strawberry.Info, pk: int, row: dict[str, Any] | None):
    """The privilege, if visible: from a joined row, else through its loader.

    A plain function on purpose: thousands of grants in a response then cost no task each.
    A response names a few dozen privileges thousands of times, so each is built and
    judged once per request.
    """
    built = info.context.loaders.privileges
    if pk in built:
        return built[pk]
    if row is None:
        from entitle.resolvers.catalog import privilege_by_pk

        return privilege_by_pk(info, pk)
    from entitle.schema.catalog import Privilege

    privilege = Privilege.from_row(catalog_row(row))
    built[pk] = privilege if info.context.authz.can("read", privilege) else None
    return built[pk]


@strawberry.type(description="A privilege held by an account at USER or ADMIN level.")
class Grant:
    level: PrivilegeLevel = field()
    granted_at: datetime = field()
    privilege_id: strawberry.Private[int]
    account_id: strawberry.Private[int]
    organization_id: strawberry.Private[int]
    privilege_row: strawberry.Private[dict[str, Any] | None] = None

    @classmethod
    def from_row(cls, row: dict[str, Any], account: Account) -> Grant:
        return cls(
            privilege_row=joined(row),
            level=PrivilegeLevel(row["level"]),
            granted_at=row["granted_at"],
            privilege_id=row["privilege"],
            account_id=account.pk,
            organization_id=account.organization_id,
        )

    def authz_facts(self, viewer: Viewer) -> GrantFacts:
        return GrantFacts(
            holder=relation_of(viewer, self.account_id, self.organization_id),
            administered=self.privilege_id in viewer.administered,
        )

    @field()
    def privilege(self, info: strawberry.Info) -> PrivilegeT | None:
        return privilege_of(info, self.privilege_id, self.privilege_row)


@strawberry.type(description="ENT-8: a privilege the account holds, by any route.")
class EffectiveGrant(Grant):
    source_list: strawberry.Private[list[GrantSource]]

    @classmethod
    def merge(cls, rows: list[dict[str, Any]], account: Account) -> list[EffectiveGrant]:
        """One entry per privilege at the highest level of all its sources (rows with a
        `role` key come through that role)."""
        merged: dict[int, EffectiveGrant] = {}
        for row in rows:
            role = row.get("role")
            source = GrantSource(
                kind=GrantSourceKind.ROLE if role else GrantSourceKind.DIRECT,
                level=PrivilegeLevel(row["level"]),
                role_id=role,
            )
            current = merged.get(row["privilege"])
            if current is None:
                merged[row["privilege"]] = cls(
                    privilege_row=joined(row),
                    level=source.level,
                    granted_at=row["granted_at"],
                    privilege_id=row["privilege"],
                    account_id=account.pk,
                    organization_id=account.organization_id,
                    source_list=[source],
                )
            else:
                current.source_list.append(source)
                if source.level == PrivilegeLevel.ADMIN:
                    current.level = PrivilegeLevel.ADMIN
        return list(merged.values())

    @field(description="Every route this privilege reaches the account by.")
    def sources(self) -> list[GrantSource]:
        return self.source_list
