"""Report exports (CERT-2, REP-1): ask for one, list yours."""

from __future__ import annotations

import strawberry

from entitle.authz.facts import ReportExportFacts
from entitle.authz.guards import SIGNED_IN, field
from entitle.models import ReportExport as ExportTable
from entitle.resolvers.mutations import actor_of, attempt, decode
from entitle.schema.exports import ReportExport, ReportExportCreateInput, ReportExportCreatePayload
from entitle.schema.reports import definition_of
from entitle.services.reports import exports

LISTED = 50  # "Exports Ready for Download": the latest ones


async def report_export_by_pk(info: strawberry.Info, pk: int) -> ReportExport | None:
    row = await ExportTable.select().where(ExportTable.id == pk).first()
    if row is None:
        return None
    export = ReportExport.from_row(row, info.context.runtime.clock.now())
    return export if info.context.authz.can("read", export) else None


@strawberry.type
class ExportQuery:
    @field(
        SIGNED_IN,
        description=f"Your latest {LISTED} report exports, newest first: preparing, ready to "
        "download, failed or expired.",
    )
    async def report_exports(self, info: strawberry.Info) -> list[ReportExport]:
        rows = await (
            ExportTable.select()
            .where(info.context.authz.where("read", ReportExportFacts))
            .order_by(ExportTable.id, ascending=False)
            .limit(LISTED)
        )
        now = info.context.runtime.clock.now()
        return info.context.authz.visible([ReportExport.from_row(r, now) for r in rows])


@strawberry.type
class ExportMutation:
    @field(
        SIGNED_IN,
        description="CERT-2, REP-1: export a report as CSV in a zip file, prepared in the "
        "background; `reportExports` lists it, and its `downloadUrl` once READY.",
    )
    async def report_export_create(
        self, info: strawberry.Info, input: ReportExportCreateInput
    ) -> ReportExportCreatePayload:
        async def run() -> int:
            asked = exports.Request(
                report=exports.ReportKind(input.report),
                organization_id=None
                if input.organization_id is None
                else decode(input.organization_id, "Organization", "organizationId"),
                saved_report_id=None
                if input.saved_report_id is None
                else decode(input.saved_report_id, "SavedReport", "savedReportId"),
                definition=None if input.definition is None else definition_of(input.definition),
                format=exports.ExportFormat(input.format),
                sub_table=input.sub_table,
            )
            return await exports.create(actor_of(info), asked)

        pk, errors = await attempt(info, run)
        if errors:
            return ReportExportCreatePayload(report_export=None, errors=errors)
        return ReportExportCreatePayload(
            report_export=await report_export_by_pk(info, pk), errors=[]
        )
