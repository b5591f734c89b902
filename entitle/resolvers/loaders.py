"""Per-request DataLoaders: every relation resolves in one statement per batch.

Built inside `get_context` for each request: aiodataloader binds to the running event
loop when constructed, and a loader's cache must never be shared across viewers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

import strawberry
from aiodataloader import DataLoader
from piccolo.columns import Column
from piccolo.table import Table

from entitle.models import (
    Account,
    Application,
    AuditEvent,
    Grant,
    Identifier,
    IdentifierAssignment,
    Individual,
    IndividualAssociation,
    Organization,
    Privilege,
    PrivilegeAvailability,
    Role,
    RoleAssignment,
    RoleGrant,
)
from entitle.resolvers.batching import BatchScheduler, ScheduledLoader

Row = dict[str, Any]
PRIVILEGE, APPLICATION = "privilege__", "application__"


def with_catalog(privilege_fk: Column) -> list[Column]:
    """The privilege and application columns behind a privilege foreign key, prefixed:
    rows carry their catalog entries, so `privilege` and `application` need no loader."""
    return [
        *(
            getattr(privilege_fk, c._meta.name).as_alias(PRIVILEGE + c._meta.name)
            for c in Privilege.all_columns()
        ),
        *(
            getattr(privilege_fk.application, c._meta.name).as_alias(APPLICATION + c._meta.name)
            for c in Application.all_columns()
        ),
    ]


def part(row: Row, prefix: str) -> Row | None:
    """The columns of `row` under `prefix`, unprefixed; None when the row has none."""
    found = {k[len(prefix) :]: v for k, v in row.items() if k.startswith(prefix)}
    return found or None


T = TypeVar("T")


class RowByIdLoader(ScheduledLoader):
    """One row per primary key, or None."""

    def __init__(self, scheduler: BatchScheduler, table: type[Table], *columns: Column) -> None:
        super().__init__(scheduler)
        self.table = table
        self.columns = columns

    async def load_batch(self, keys: Sequence[int]) -> list[Row | None]:
        rows = await self.table.select(*self.columns).where(self.table.id.is_in(list(keys)))
        by_id = {row["id"]: row for row in rows}
        return [by_id.get(key) for key in keys]


class RowsByKeyLoader(ScheduledLoader):
    """All rows whose `key` column equals each key, in `order_by` order."""

    def __init__(
        self,
        scheduler: BatchScheduler,
        key: Column,
        *columns: Column,
        order_by: Column | None = None,
    ) -> None:
        super().__init__(scheduler)
        self.key = key
        self.columns = columns
        self.order_by = order_by

    async def load_batch(self, keys: Sequence[Hashable]) -> list[list[Row]]:
        query = self.key._meta.table.select(*self.columns, self.key.as_alias("_key")).where(
            self.key.is_in(list(keys))
        )
        if self.order_by is not None:
            query = query.order_by(self.order_by)
        grouped: dict[Hashable, list[Row]] = defaultdict(list)
        for row in await query:
            grouped[row.pop("_key")].append(row)
        return [grouped.get(key, []) for key in keys]


class Loaders:
    """The loaders of one request, named <Result>By<Key>."""

    def __init__(self) -> None:
        s = self.scheduler = BatchScheduler()
        self.organization_by_id = RowByIdLoader(s, Organization, *Organization.all_columns())
        self.account_by_id = RowByIdLoader(
            s, Account, *Account.all_columns(exclude=[Account.password_hash])
        )
        self.application_by_id = RowByIdLoader(s, Application, *Application.all_columns())
        self.privilege_by_id = RowByIdLoader(
            s,
            Privilege,
            *Privilege.all_columns(),
            *(
                getattr(Privilege.application, c._meta.name).as_alias(APPLICATION + c._meta.name)
                for c in Application.all_columns()
            ),
        )
        self.individual_by_id = RowByIdLoader(s, Individual, *Individual.all_columns())
        self.identifier_by_id = RowByIdLoader(s, Identifier, *Identifier.all_columns())
        self.audit_event_by_id = RowByIdLoader(s, AuditEvent, *AuditEvent.all_columns())
        self.grants_by_account = RowsByKeyLoader(
            s,
            Grant.account,
            *Grant.all_columns(),
            *with_catalog(Grant.privilege),
            order_by=Grant.privilege,
        )
        self.privileges_by_application = RowsByKeyLoader(
            s, Privilege.application, *Privilege.all_columns(), order_by=Privilege.position
        )
        self.org_types_by_privilege = RowsByKeyLoader(
            s, PrivilegeAvailability.privilege, PrivilegeAvailability.org_type
        )
        self.identifiers_by_account = RowsByKeyLoader(
            s,
            IdentifierAssignment.account,
            IdentifierAssignment.identifier.id.as_alias("id"),
            IdentifierAssignment.identifier.organization.as_alias("organization"),
            IdentifierAssignment.identifier.kind.as_alias("kind"),
            IdentifierAssignment.identifier.value.as_alias("value"),
            order_by=IdentifierAssignment.identifier,
        )
        self.identifiers_by_organization = RowsByKeyLoader(
            s, Identifier.organization, *Identifier.all_columns(), order_by=Identifier.value
        )
        self.role_by_id = RowByIdLoader(s, Role, *Role.all_columns())
        self.grants_by_role = RowsByKeyLoader(
            s,
            RoleGrant.role,
            RoleGrant.privilege,
            RoleGrant.level,
            *with_catalog(RoleGrant.privilege),
            order_by=RoleGrant.privilege,
        )
        self.roles_by_account = RowsByKeyLoader(
            s,
            RoleAssignment.account,
            *(
                getattr(RoleAssignment.role, c._meta.name).as_alias(c._meta.name)
                for c in Role.all_columns()
            ),
            order_by=RoleAssignment.role,
        )
        self.organizations_by_individual = RowsByKeyLoader(
            s, IndividualAssociation.individual, IndividualAssociation.organization
        )


async def load_visible(
    info: strawberry.Info, loader: DataLoader, pk: int, build: Callable[[Row], T]
) -> T | None:
    """The object with primary key `pk`, or None when it is missing or the viewer may not
    read it: the two answers are the same on purpose."""
    row = await loader.load(pk)
    if row is None:
        return None
    resource = build(row)
    return resource if info.context.authz.can("read", resource) else None
