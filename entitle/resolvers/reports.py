"""The account reports: CERT-2 (on Organization), REP-1 and "My Reports"."""

from __future__ import annotations

import strawberry

from entitle.authz.facts import OrganizationFacts, SavedReportFacts
from entitle.authz.guards import SIGNED_IN, field
from entitle.errors import BadArgument
from entitle.errors import Forbidden as ForbiddenField
from entitle.models import SavedReport as SavedReportTable
from entitle.resolvers.mutations import actor_of, attempt, decode
from entitle.resolvers.pagination import check_first, connection
from entitle.schema.node import to_global_id
from entitle.schema.pagination import Connection, Edge, decode_cursor, encode_cursor
from entitle.schema.reports import (
    AccountReport,
    AccountReportCell,
    AccountReportGroup,
    AccountReportInput,
    AccountReportRow,
    SavedReport,
    SavedReportCreateInput,
    SavedReportDeleteInput,
    SavedReportDeletePayload,
    SavedReportPayload,
    SavedReportUpdateInput,
    definition_of,
)
from entitle.services.errors import Invalid
from entitle.services.reports import query, saved
from entitle.services.reports.columns import Column, display
from entitle.services.reports.definition import Definition
from entitle.services.reports.scope import Scope

GROUPS_LIMIT = 1_000


def validated(given: AccountReportInput | None) -> Definition:
    """A query's definition; a bad one is refused as BAD_USER_INPUT naming its part."""
    try:
        return definition_of(given)
    except Invalid as error:
        raise BadArgument(error.message, error.field) from None


def account_details_report(info: strawberry.Info, spec: Definition) -> AccountReport:
    """REP-1: over the accounts and entitlements the viewer administers now."""
    authz = info.context.authz
    if not authz.allows("report_accounts", OrganizationFacts(own=True)):
        raise ForbiddenField(
            "The account details report is for SAAs and account administrators (REP-1)."
        )
    return AccountReport.of(Scope.administered_by(authz), spec)


def certification_report(organization_id: int, spec: Definition) -> AccountReport:
    """CERT-2: every account of the organization (the field's guard decided who reads it)."""
    return AccountReport.of(Scope.whole_organization(organization_id), spec)


def _cells(columns: tuple[Column, ...], row: query.Row) -> list[AccountReportCell]:
    return [AccountReportCell(column=c, value=display(c, row.values[c])) for c in columns]


async def report_rows(
    info: strawberry.Info, report: AccountReport, *, first: int, after: str | None
) -> Connection[AccountReportRow]:
    check_first(info, first)
    position = None
    if after is not None:
        position = decode_cursor(after)
        if not query.cursor_fits(report.spec, position):
            raise BadArgument("`after` is not a cursor of this report.", "after")
    rows, more = await query.page(report.scope, report.spec, first=first, after=position)
    edges = [
        Edge(
            cursor=encode_cursor(row.key),
            node=AccountReportRow(
                cells=_cells(report.spec.columns, row), account_id=row.account_id
            ),
        )
        for row in rows
    ]

    async def count() -> int:
        return await query.count(report.scope, report.spec)

    return connection(edges, has_next=more, has_previous=after is not None, count=count)


async def report_groups(
    info: strawberry.Info, report: AccountReport, *, first: int
) -> list[AccountReportGroup]:
    if first < 0 or first > GROUPS_LIMIT:
        raise BadArgument(f"`first` must be between 0 and {GROUPS_LIMIT}.", "first")
    groups = await query.groups(report.scope, report.spec, first=first)
    return [
        AccountReportGroup(
            values=[
                AccountReportCell(column=c, value=None if v == "" else str(v))
                for c, v in zip(report.spec.group_by, g.values, strict=True)
            ],
            count=g.count,
        )
        for g in groups
    ]


async def saved_report_by_pk(info: strawberry.Info, pk: int) -> SavedReport | None:
    row = await SavedReportTable.select().where(SavedReportTable.id == pk).first()
    if row is None:
        return None
    report = SavedReport.from_row(row)
    return report if info.context.authz.can("read", report) else None


@strawberry.type
class ReportQuery:
    @field(
        SIGNED_IN,
        description="REP-1 (SAAs, and AAs who may use account management): the account "
        "details report over the accounts and entitlements the viewer administers.",
    )
    def account_details_report(
        self, info: strawberry.Info, definition: AccountReportInput | None = None
    ) -> AccountReport:
        return account_details_report(info, validated(definition))

    @field(SIGNED_IN, description='REP-1: the viewer\'s saved reports ("My Reports"), by name.')
    async def my_reports(self, info: strawberry.Info) -> list[SavedReport]:
        rows = await (
            SavedReportTable.select()
            .where(info.context.authz.where("read", SavedReportFacts))
            .order_by(SavedReportTable.name)
        )
        return info.context.authz.visible([SavedReport.from_row(r) for r in rows])


def _saved_id(global_id: strawberry.ID) -> int:
    return decode(global_id, "SavedReport", "savedReportId")


async def _payload(info: strawberry.Info, pk: int | None, errors: list) -> SavedReportPayload:
    if errors:
        return SavedReportPayload(saved_report=None, errors=errors)
    return SavedReportPayload(saved_report=await saved_report_by_pk(info, pk), errors=[])


@strawberry.type
class ReportMutation:
    @field(SIGNED_IN, description='REP-1: save a report definition to "My Reports".')
    async def saved_report_create(
        self, info: strawberry.Info, input: SavedReportCreateInput
    ) -> SavedReportPayload:
        pk, errors = await attempt(
            info,
            lambda: saved.create(actor_of(info), input.name, definition_of(input.definition)),
        )
        return await _payload(info, pk, errors)

    @field(SIGNED_IN, description="REP-1: rename a saved report or change its definition.")
    async def saved_report_update(
        self, info: strawberry.Info, input: SavedReportUpdateInput
    ) -> SavedReportPayload:
        async def run() -> int:
            spec = None if input.definition is None else definition_of(input.definition)
            return await saved.update(
                actor_of(info), _saved_id(input.saved_report_id), input.name, spec
            )

        pk, errors = await attempt(info, run)
        return await _payload(info, pk, errors)

    @field(SIGNED_IN, description="REP-1: delete one of your saved reports.")
    async def saved_report_delete(
        self, info: strawberry.Info, input: SavedReportDeleteInput
    ) -> SavedReportDeletePayload:
        async def run() -> int:
            pk = _saved_id(input.saved_report_id)
            await saved.delete(actor_of(info), pk)
            return pk

        pk, errors = await attempt(info, run)
        return SavedReportDeletePayload(
            deleted_saved_report_id=None if errors else to_global_id("SavedReport", pk),
            errors=errors,
        )
