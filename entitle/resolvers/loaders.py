"""Per-request DataLoaders: every relation resolves in one statement per batch.

Built inside `get_context` for each request: aiodataloader binds to the running event
loop when constructed, and a loader's cache must never be shared across viewers.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from functools import cached_property
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
from entitle.models.accounts import READ_COLUMNS as ACCOUNT_READ_COLUMNS
from entitle.resolvers.batching import BatchScheduler, ScheduledLoader
from entitle.services import certification
from entitle.services.organizations import serving_saa

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


class ServingSaaLoader(ScheduledLoader):
    """Whether each organization has an SAA that is not deleted (ORG-1, ORG-7)."""

    async def load_batch(self, keys: Sequence[int]) -> list[bool]:
        rows = await Account.select(Account.organization).where(
            Account.organization.is_in(list(keys)) & serving_saa()
        )
        serving = {row["organization"] for row in rows}
        return [key in serving for key in keys]


class CertificationStandingLoader(ScheduledLoader):
    """Each organization's standing in the current certification period (CERT-1), keyed
    by (organization, now): three statements for a whole page of organizations."""

    async def load_batch(
        self, keys: Sequence[tuple[int, Any]]
    ) -> list[certification.Standing | None]:
        return await certification.standings([k[0] for k in keys], keys[0][1])


class Columns:
    """The column lists of the loaders, built once per process: piccolo builds a joined
    column by deep-copying its foreign key, which cost 7 ms per request when every
    request built them again (bench profile of `viewer { userId }`)."""

    def __init__(self) -> None:
        self.organization = tuple(Organization.all_columns())
        self.account = ACCOUNT_READ_COLUMNS
        self.application = tuple(Application.all_columns())
        self.privilege = (
            *Privilege.all_columns(),
            *(
                getattr(Privilege.application, c._meta.name).as_alias(APPLICATION + c._meta.name)
                for c in Application.all_columns()
            ),
        )
        self.individual = tuple(Individual.all_columns())
        self.identifier = tuple(Identifier.all_columns())
        self.audit_event = tuple(AuditEvent.all_columns())
        self.role = tuple(Role.all_columns())
        self.account_grant = (*Grant.all_columns(), *with_catalog(Grant.privilege))
        self.role_grant = (
            RoleGrant.privilege,
            RoleGrant.level,
            *with_catalog(RoleGrant.privilege),
        )
        self.identifier_of_assignment = (
            IdentifierAssignment.identifier.id.as_alias("id"),
            IdentifierAssignment.identifier.organization.as_alias("organization"),
            IdentifierAssignment.identifier.kind.as_alias("kind"),
            IdentifierAssignment.identifier.value.as_alias("value"),
        )
        self.role_of_assignment = tuple(
            getattr(RoleAssignment.role, c._meta.name).as_alias(c._meta.name)
            for c in Role.all_columns()
        )


@functools.cache
def columns() -> Columns:
    return Columns()


class Loaders:
    """The loaders of one request, named <Result>By<Key>, each made on first use: most
    requests touch two or three of them."""

    def __init__(self) -> None:
        self.scheduler = BatchScheduler()
        self.columns = columns()
        # Privileges built from rows that joined them, by id: None when not visible.
        self.privileges: dict[int, object] = {}

    @cached_property
    def organization_by_id(self) -> RowByIdLoader:
        return RowByIdLoader(self.scheduler, Organization, *self.columns.organization)

    @cached_property
    def serving_saa_by_organization(self) -> ServingSaaLoader:
        return ServingSaaLoader(self.scheduler)

    @cached_property
    def certification_standing_by_organization(self) -> CertificationStandingLoader:
        return CertificationStandingLoader(self.scheduler)

    @cached_property
    def account_by_id(self) -> RowByIdLoader:
        return RowByIdLoader(self.scheduler, Account, *self.columns.account)

    @cached_property
    def application_by_id(self) -> RowByIdLoader:
        return RowByIdLoader(self.scheduler, Application, *self.columns.application)

    @cached_property
    def privilege_by_id(self) -> RowByIdLoader:
        return RowByIdLoader(self.scheduler, Privilege, *self.columns.privilege)

    @cached_property
    def individual_by_id(self) -> RowByIdLoader:
        return RowByIdLoader(self.scheduler, Individual, *self.columns.individual)

    @cached_property
    def identifier_by_id(self) -> RowByIdLoader:
        return RowByIdLoader(self.scheduler, Identifier, *self.columns.identifier)

    @cached_property
    def audit_event_by_id(self) -> RowByIdLoader:
        return RowByIdLoader(self.scheduler, AuditEvent, *self.columns.audit_event)

    @cached_property
    def role_by_id(self) -> RowByIdLoader:
        return RowByIdLoader(self.scheduler, Role, *self.columns.role)

    @cached_property
    def grants_by_account(self) -> RowsByKeyLoader:
        return RowsByKeyLoader(
            self.scheduler, Grant.account, *self.columns.account_grant, order_by=Grant.privilege
        )

    @cached_property
    def privileges_by_application(self) -> RowsByKeyLoader:
        return RowsByKeyLoader(
            self.scheduler,
            Privilege.application,
            *Privilege.all_columns(),
            order_by=Privilege.position,
        )

    @cached_property
    def org_types_by_privilege(self) -> RowsByKeyLoader:
        return RowsByKeyLoader(
            self.scheduler, PrivilegeAvailability.privilege, PrivilegeAvailability.org_type
        )

    @cached_property
    def identifiers_by_account(self) -> RowsByKeyLoader:
        return RowsByKeyLoader(
            self.scheduler,
            IdentifierAssignment.account,
            *self.columns.identifier_of_assignment,
            order_by=IdentifierAssignment.identifier,
        )

    @cached_property
    def identifiers_by_organization(self) -> RowsByKeyLoader:
        return RowsByKeyLoader(
            self.scheduler,
            Identifier.organization,
            *self.columns.identifier,
            order_by=Identifier.value,
        )

    @cached_property
    def grants_by_role(self) -> RowsByKeyLoader:
        return RowsByKeyLoader(
            self.scheduler, RoleGrant.role, *self.columns.role_grant, order_by=RoleGrant.privilege
        )

    @cached_property
    def roles_by_account(self) -> RowsByKeyLoader:
        return RowsByKeyLoader(
            self.scheduler,
            RoleAssignment.account,
            *self.columns.role_of_assignment,
            order_by=RoleAssignment.role,
        )

    @cached_property
    def organizations_by_individual(self) -> RowsByKeyLoader:
        return RowsByKeyLoader(
            self.scheduler, IndividualAssociation.individual, IndividualAssociation.organization
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
