"""Types of the account reports: the accounts certification report (CERT-2), the account
details report and saved "My Reports" (REP-1)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from entitle.authz.actor import Viewer
from entitle.authz.facts import SavedReportFacts
from entitle.authz.guards import STRUCTURAL, field
from entitle.schema.errors import UserError
from entitle.schema.node import Node
from entitle.schema.pagination import Connection
from entitle.services.reports import columns, definition
from entitle.services.reports.definition import Definition, Filter
from entitle.services.reports.scope import Scope

if TYPE_CHECKING:
    from entitle.schema.accounts import Account

AccountT = Annotated["Account", strawberry.lazy("entitle.schema.accounts")]

AccountReportColumn = strawberry.enum(
    columns.Column,
    description="A column of the account reports (CERT-2, REP-1); the three counts are the "
    "guide's sub-tables, whose rows an account's `roles`, `grants` and `effectiveGrants` list.",
)
ReportColumnKind = strawberry.enum(
    columns.Kind, description="How a column is filtered and grouped: dates by their UTC day."
)
ReportFilterOperator = strawberry.enum(
    definition.Operator,
    description="Text: EQUALS, NOT_EQUALS, CONTAINS, STARTS_WITH (any case), IS_EMPTY, "
    "IS_NOT_EMPTY. Choices: EQUALS, NOT_EQUALS. Dates (YYYY-MM-DD, a UTC day): EQUALS, "
    "NOT_EQUALS, LESS_THAN (before the day), GREATER_THAN (after it), IS_EMPTY, IS_NOT_EMPTY. "
    "Counts: EQUALS, NOT_EQUALS, LESS_THAN, GREATER_THAN.",
)


@strawberry.input(description="One condition on a column; a report's filters all apply.")
class AccountReportFilterInput:
    column: AccountReportColumn
    operator: ReportFilterOperator
    value: str | None = strawberry.field(
        default=None, description="Omitted for IS_EMPTY and IS_NOT_EMPTY."
    )


@strawberry.input(description="What a report shows; every part is optional.")
class AccountReportInput:
    columns: list[AccountReportColumn] | None = strawberry.field(
        default=None, description="The columns shown and exported, in order; a default set."
    )
    filters: list[AccountReportFilterInput] | None = None
    group_by: list[AccountReportColumn] | None = strawberry.field(
        default=None,
        description="Up to three columns; rows come ordered by them, and `groups` counts them.",
    )
    include_deleted: bool = strawberry.field(
        default=False, description="CERT-2: deleted accounts are left out unless asked for."
    )

    def to_definition(self, prefix: str = "definition") -> Definition:
        """The validated definition, or Invalid naming the bad part."""
        return Definition.validated(
            columns=list(self.columns or []),
            filters=[Filter(f.column, f.operator, f.value) for f in self.filters or []],
            group_by=list(self.group_by or []),
            include_deleted=self.include_deleted,
            field_prefix=prefix,
        )


def definition_of(given: AccountReportInput | None, prefix: str = "definition") -> Definition:
    return (given or AccountReportInput()).to_definition(prefix)


@strawberry.type
class AccountReportFilter:
    column: AccountReportColumn = field(STRUCTURAL)
    operator: ReportFilterOperator = field(STRUCTURAL)
    value: str | None = field(STRUCTURAL)


@strawberry.type(description="A report's definition, as run or saved.")
class AccountReportDefinition:
    columns: list[AccountReportColumn] = field(STRUCTURAL)
    filters: list[AccountReportFilter] = field(STRUCTURAL)
    group_by: list[AccountReportColumn] = field(STRUCTURAL)
    include_deleted: bool = field(STRUCTURAL)

    @classmethod
    def of(cls, given: Definition) -> AccountReportDefinition:
        return cls(
            columns=list(given.columns),
            filters=[
                AccountReportFilter(column=f.column, operator=f.operator, value=f.value)
                for f in given.filters
            ],
            group_by=list(given.group_by),
            include_deleted=given.include_deleted,
        )


@strawberry.type(description="A column shown, with its heading.")
class AccountReportColumnInfo:
    column: AccountReportColumn = field(STRUCTURAL)
    label: str = field(STRUCTURAL, description="The heading, as in the CSV export.")
    kind: ReportColumnKind = field(STRUCTURAL)


@strawberry.type(description="A column's value: text, a count, or a date-time in UTC.")
class AccountReportCell:
    column: AccountReportColumn = field(STRUCTURAL)
    value: str | None = field(STRUCTURAL)


@strawberry.type(description="One account: the chosen columns' values, and the account.")
class AccountReportRow:
    cells: list[AccountReportCell] = field(STRUCTURAL)
    account_id: strawberry.Private[int]

    @field(
        STRUCTURAL,
        description="The account, for its roles, `grants` (outside roles) and "
        "`effectiveGrants` (all, with level): the report's three sub-tables.",
    )
    async def account(self, info: strawberry.Info) -> AccountT | None:
        from entitle.resolvers.accounts import account_by_pk

        return await account_by_pk(info, self.account_id)


@strawberry.type(description="A group of a grouped report: its values and how many rows.")
class AccountReportGroup:
    values: list[AccountReportCell] = field(
        STRUCTURAL, description="One per group-by column; dates are UTC days (YYYY-MM-DD)."
    )
    count: int = field(STRUCTURAL)


@strawberry.type(
    description="CERT-2, REP-1: one row per account in the report's scope, always current "
    "data. Readable by whoever could open the report, so its fields carry no further rule."
)
class AccountReport:
    definition: AccountReportDefinition = field(STRUCTURAL)
    scope: strawberry.Private[Scope]
    spec: strawberry.Private[Definition]

    @classmethod
    def of(cls, scope: Scope, spec: Definition) -> AccountReport:
        return cls(definition=AccountReportDefinition.of(spec), scope=scope, spec=spec)

    @field(STRUCTURAL, description="The chosen columns, in order, with their headings.")
    def columns(self) -> list[AccountReportColumnInfo]:
        return [
            AccountReportColumnInfo(
                column=c, label=columns.SPECS[c].label, kind=columns.SPECS[c].kind
            )
            for c in self.spec.columns
        ]

    @field(
        STRUCTURAL,
        description="The rows, ordered by the group-by columns, then user ID; `first` at most "
        "the page size limit.",
    )
    async def rows(
        self, info: strawberry.Info, first: int = 50, after: str | None = None
    ) -> Connection[AccountReportRow]:
        from entitle.resolvers.reports import report_rows

        return await report_rows(info, self, first=first, after=after)

    @field(STRUCTURAL, description="The groups in order with their counts; empty when ungrouped.")
    async def groups(self, info: strawberry.Info, first: int = 100) -> list[AccountReportGroup]:
        from entitle.resolvers.reports import report_groups

        return await report_groups(info, self, first=first)


@strawberry.type(description='REP-1: a saved account details report, in "My Reports".')
class SavedReport(Node):
    name: str = field()
    definition: AccountReportDefinition = field()
    created_at: datetime = field()
    updated_at: datetime = field()
    owner_id: strawberry.Private[int]
    spec: strawberry.Private[Definition]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> SavedReport:
        spec = Definition.from_json(row["definition"])
        return cls(
            pk=row["id"],
            name=row["name"],
            definition=AccountReportDefinition.of(spec),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            owner_id=row["owner"],
            spec=spec,
        )

    def authz_facts(self, viewer: Viewer) -> SavedReportFacts:
        return SavedReportFacts(owned=self.owner_id == viewer.account_id)

    @field(description="The report on current data, over what its owner now administers.")
    async def report(self, info: strawberry.Info) -> AccountReport:
        from entitle.resolvers.reports import account_details_report

        return account_details_report(info, self.spec)


@strawberry.input(description='REP-1: save a report to "My Reports".')
class SavedReportCreateInput:
    name: str = strawberry.field(description="1 to 100 characters, unique among yours.")
    definition: AccountReportInput


@strawberry.input(description="REP-1: rename a saved report or change what it shows.")
class SavedReportUpdateInput:
    saved_report_id: strawberry.ID
    name: str | None = None
    definition: AccountReportInput | None = None


@strawberry.input
class SavedReportDeleteInput:
    saved_report_id: strawberry.ID


@strawberry.type
class SavedReportPayload:
    saved_report: SavedReport | None = field(STRUCTURAL)
    errors: list[UserError] = field(STRUCTURAL)


@strawberry.type
class SavedReportDeletePayload:
    deleted_saved_report_id: strawberry.ID | None = field(STRUCTURAL)
    errors: list[UserError] = field(STRUCTURAL)
