"""Types of report exports (CERT-2, REP-1): asked for, prepared by a job, downloaded."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from entitle.authz.actor import Viewer
from entitle.authz.facts import ReportExportFacts
from entitle.authz.guards import STRUCTURAL, field, requires
from entitle.schema.errors import UserError
from entitle.schema.node import Node, to_global_id
from entitle.schema.reports import AccountReportDefinition, AccountReportInput
from entitle.services.reports import exports, query
from entitle.services.reports.definition import Definition

ReportKind = strawberry.enum(
    exports.ReportKind,
    description="CERTIFICATION: the accounts certification report (CERT-2); ACCOUNT_DETAILS: "
    "the account details report (REP-1).",
)
ExportFormat = strawberry.enum(
    exports.ExportFormat,
    description="QUICK: one line per account, with the three counts; ADVANCED: one line per "
    "row of one sub-table.",
)
ExportSubTable = strawberry.enum(
    query.SubTable,
    description="The guide's sub-tables: entitlements outside roles, all entitlements (with "
    "their highest level and sources), roles.",
)
ExportStatus = strawberry.enum(
    exports.ExportStatus,
    description="PREPARING, then READY to download until it EXPIRES; FAILED if it could not "
    "be written.",
)


@strawberry.type(description="CERT-2, REP-1: a CSV export of a report, in a zip file.")
class ReportExport(Node):
    report: ReportKind = field()
    format: ExportFormat = field()
    sub_table: ExportSubTable | None = field()
    status: ExportStatus = field()
    file_name: str = field()
    definition: AccountReportDefinition = field()
    row_count: int | None = field(description="Lines of data, once READY.")
    byte_size: int | None = field(description="Size of the zip file, once READY.")
    failure: str | None = field(description="Why it FAILED.")
    created_at: datetime = field()
    ready_at: datetime | None = field()
    expires_at: datetime | None = field(description="Downloadable until then.")
    downloaded_at: datetime | None = field(description="Its latest download.")
    owner_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: dict[str, Any], now: datetime) -> ReportExport:
        return cls(
            pk=row["id"],
            report=exports.ReportKind(row["report"]),
            format=exports.ExportFormat(row["format"]),
            sub_table=None if row["sub_table"] is None else query.SubTable(row["sub_table"]),
            status=exports.status_of(row, now),
            file_name=row["file_name"],
            definition=AccountReportDefinition.of(Definition.from_json(row["definition"])),
            row_count=row["row_count"],
            byte_size=row["byte_size"],
            failure=row["failure"],
            created_at=row["created_at"],
            ready_at=row["ready_at"],
            expires_at=row["expires_at"],
            downloaded_at=row["downloaded_at"],
            owner_id=row["owner"],
        )

    def authz_facts(self, viewer: Viewer) -> ReportExportFacts:
        return ReportExportFacts(owned=self.owner_id == viewer.account_id)

    @requires(
        "download",
        description="While READY: where to GET the zip file, with the session's bearer token.",
    )
    def download_url(self, info: strawberry.Info) -> str | None:
        if self.status != exports.ExportStatus.READY:
            return None
        base = info.context.runtime.settings.public_url
        return f"{base}/exports/{to_global_id('ReportExport', self.pk)}"


@strawberry.input(
    description="Export a report as CSV. CERTIFICATION names the organization; "
    "ACCOUNT_DETAILS takes a definition or a saved report of yours."
)
class ReportExportCreateInput:
    report: ReportKind
    organization_id: strawberry.ID | None = None
    saved_report_id: strawberry.ID | None = None
    definition: AccountReportInput | None = None
    format: ExportFormat = exports.ExportFormat.QUICK
    sub_table: ExportSubTable | None = strawberry.field(
        default=None, description="For ADVANCED exports: the one sub-table to export."
    )


@strawberry.type
class ReportExportCreatePayload:
    report_export: ReportExport | None = field(STRUCTURAL)
    errors: list[UserError] = field(STRUCTURAL)
