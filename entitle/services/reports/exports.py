"""Report exports (CERT-2, REP-1): asked for in a request, written by the exports job into a
zip file, listed as PREPARING then READY, downloaded by their owner until they expire.

An export records its report's definition and scope when asked, so the job writes the
report its owner was allowed then, on the data of the moment it runs. A download checks the
owner's authority again: a file that covers more than they may now report on is not served.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from entitle.authz.facts import ReportExportFacts
from entitle.db import write_transaction
from entitle.jobs import wanted
from entitle.models import Organization, ReportExport
from entitle.services import organizations
from entitle.services.actor import Actor
from entitle.services.errors import DomainError, Forbidden, Invalid, NotFound, Throttled
from entitle.services.reports import files, saved
from entitle.services.reports.definition import Definition
from entitle.services.reports.query import SubTable
from entitle.services.reports.scope import Scope
from entitle.settings import Settings

logger = logging.getLogger("entitle.exports")

MAX_PREPARING = 5  # per owner: an export is minutes of database work at the largest sizes
BATCH = 5  # exports written per job run


class ReportKind(StrEnum):
    CERTIFICATION = "CERTIFICATION"
    ACCOUNT_DETAILS = "ACCOUNT_DETAILS"


class ExportFormat(StrEnum):
    QUICK = "QUICK"
    ADVANCED = "ADVANCED"


class ExportStatus(StrEnum):
    PREPARING = "PREPARING"
    READY = "READY"
    FAILED = "FAILED"
    EXPIRED = "EXPIRED"


class NotReady(DomainError):
    code = "CONFLICT"


class Gone(DomainError):
    code = "EXPIRED"


@dataclass(frozen=True)
class Request:
    """What was asked for, before the scope is worked out."""

    report: ReportKind
    organization_id: int | None
    saved_report_id: int | None
    definition: Definition | None
    format: ExportFormat
    sub_table: SubTable | None


def status_of(row: dict[str, Any], now: datetime) -> ExportStatus:
    """READY until the moment it expires, whether or not the job has cleared it yet."""
    status = ExportStatus(row["status"])
    if status is ExportStatus.READY and row["expires_at"] is not None and now >= row["expires_at"]:
        return ExportStatus.EXPIRED
    return status


def path_of(settings: Settings, export_id: int) -> Path:
    return Path(settings.export_dir) / f"{export_id}.zip"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "organization"


async def _current_scope(actor: Actor, report: ReportKind, organization_id: int) -> Scope:
    """What the actor may report on now: FORBIDDEN or NOT_FOUND when nothing."""
    if report is ReportKind.CERTIFICATION:
        await organizations.authorized(
            actor,
            organization_id,
            "certification_report",
            "The accounts certification report is the SAA's and the operator's (CERT-2).",
        )
        return Scope.whole_organization(organization_id)
    saved.check_may_report(actor)
    return Scope.administered_by(actor.authz)


async def _scope_and_definition(actor: Actor, asked: Request) -> tuple[Scope, Definition, str]:
    """Check the actor may run the report, and what it covers; NOT_FOUND hides other
    organizations as the graph does."""
    if asked.report is ReportKind.CERTIFICATION:
        if asked.organization_id is None:
            raise Invalid("Say which organization's certification report.", "organizationId")
        organization_id = asked.organization_id
    else:
        organization_id = actor.viewer.organization_id or 0
    # The same check a download makes again later.
    scope = await _current_scope(actor, asked.report, organization_id)
    definition = asked.definition or Definition()
    if asked.report is ReportKind.ACCOUNT_DETAILS and asked.saved_report_id is not None:
        row = await saved.owned(actor, asked.saved_report_id, "read")
        definition = Definition.from_json(row["definition"])
    org = (
        await Organization.select(Organization.name)
        .where(Organization.id == scope.organization_id)
        .first()
    )
    return scope, definition, org["name"]


def _file_name(
    report: ReportKind, organization: str, sub_table: SubTable | None, now: datetime
) -> str:
    title = (
        "accounts-certification-report"
        if report is ReportKind.CERTIFICATION
        else "account-details-report"
    )
    detail = "" if sub_table is None else f"-{sub_table.value.lower().replace('_', '-')}"
    return f"{title}{detail}-{_slug(organization)}-{now:%Y%m%d-%H%M%S}.zip"


async def create(actor: Actor, asked: Request) -> int:
    """Record an export to prepare; the exports job writes it."""
    if asked.saved_report_id is not None and (
        asked.definition is not None or asked.report is ReportKind.CERTIFICATION
    ):
        raise Invalid(
            "A saved report is an account details report, exported as it was saved: give "
            "it or a definition, not both.",
            "savedReportId",
        )
    if (asked.format is ExportFormat.ADVANCED) != (asked.sub_table is not None):
        raise Invalid(
            "An advanced export names one sub-table; a quick export names none.", "subTable"
        )
    scope, definition, organization = await _scope_and_definition(actor, asked)
    owner = actor.viewer.account_id
    async with write_transaction():
        preparing = await ReportExport.count().where(
            (ReportExport.owner == owner) & (ReportExport.status == ExportStatus.PREPARING)
        )
        if preparing >= MAX_PREPARING:
            raise Throttled(
                f"{preparing} of your exports are still being prepared; ask again when one "
                "is ready.",
                None,
            )
        values = {
            "report": asked.report.value,
            "format": asked.format.value,
            "sub_table": None if asked.sub_table is None else asked.sub_table.value,
        }
        row = (
            await ReportExport.insert(
                ReportExport(
                    owner=owner,
                    organization=scope.organization_id,
                    definition=json.dumps(definition.to_json()),
                    scope=json.dumps(scope.to_json()),
                    status=ExportStatus.PREPARING.value,
                    file_name=_file_name(asked.report, organization, asked.sub_table, actor.now),
                    created_at=actor.now,
                    **values,
                )
            ).returning(ReportExport.id)
        )[0]
        await actor.audit(
            "report_export.create",
            target_type="ReportExport",
            target_id=row["id"],
            organization_id=scope.organization_id,
            after={**values, "definition": definition.to_json()},
        )
    wanted.want("exports")
    return row["id"]


# --- the exports job ---------------------------------------------------------------------


async def _write(settings: Settings, row: dict[str, Any]) -> tuple[int, int]:
    """Write one export's zip file: (data rows, bytes). A partial file never shows: it is
    written under another name and renamed when complete."""
    scope = Scope.from_json(json.loads(row["scope"]))
    definition = Definition.from_json(row["definition"])
    sub_table = None if row["sub_table"] is None else SubTable(row["sub_table"])
    final = path_of(settings, row["id"])
    final.parent.mkdir(parents=True, exist_ok=True)
    partial = final.with_suffix(".part")
    member = row["file_name"].removesuffix(".zip") + ".csv"
    try:
        rows = await files.write_zip(partial, member, scope, definition, sub_table)
        partial.replace(final)
    finally:
        partial.unlink(missing_ok=True)
    return rows, final.stat().st_size


async def prepare_pending(settings: Settings, now: datetime) -> int:
    """Write the oldest exports still PREPARING, up to BATCH of them."""
    pending = await (
        ReportExport.select()
        .where(ReportExport.status == ExportStatus.PREPARING)
        .order_by(ReportExport.id)
        .limit(BATCH)
    )
    for row in pending:
        try:
            count, size = await _write(settings, row)
        except Exception:  # one bad export must not stop the others; its owner is told
            logger.exception("export %s failed", row["id"])
            await ReportExport.update(
                {
                    ReportExport.status: ExportStatus.FAILED.value,
                    ReportExport.failure: "The export could not be written; ask for it again.",
                }
            ).where(ReportExport.id == row["id"])
            continue
        await ReportExport.update(
            {
                ReportExport.status: ExportStatus.READY.value,
                ReportExport.row_count: count,
                ReportExport.byte_size: size,
                ReportExport.ready_at: now,
                ReportExport.expires_at: now + timedelta(hours=settings.export_hours),
            }
        ).where(ReportExport.id == row["id"])
    return len(pending)


async def expire(settings: Settings, now: datetime) -> int:
    """Delete the files of exports past their time, and mark them EXPIRED."""
    rows = await ReportExport.select(ReportExport.id).where(
        (ReportExport.status == ExportStatus.READY) & (ReportExport.expires_at <= now)
    )
    for row in rows:
        path_of(settings, row["id"]).unlink(missing_ok=True)
    if rows:
        await ReportExport.update({ReportExport.status: ExportStatus.EXPIRED.value}).where(
            ReportExport.id.is_in([r["id"] for r in rows])
        )
    return len(rows)


# --- downloads ---------------------------------------------------------------------------


async def for_download(actor: Actor, export_id: int) -> tuple[dict[str, Any], Path]:
    """The export and its file, for its owner only (anyone else: NOT_FOUND, as if it did
    not exist); audited, since the file holds the organization's accounts."""
    row = await ReportExport.select().where(ReportExport.id == export_id).first()
    facts = ReportExportFacts(owned=row is not None and row["owner"] == actor.viewer.account_id)
    if row is None or not actor.authz.allows("download", facts):
        raise NotFound("No such export.", None)
    status = status_of(row, actor.now)
    if status is ExportStatus.EXPIRED:
        raise Gone("This export has expired; ask for it again.", None)
    if status is not ExportStatus.READY:
        raise NotReady(f"This export is {status.value.lower()}, not ready to download.", None)
    try:
        current = await _current_scope(actor, ReportKind(row["report"]), row["organization"])
    except DomainError:
        current = None
    if current is None or not Scope.from_json(json.loads(row["scope"])).within(current):
        # REP-1, ENT-2: the owner's access shrank since asking (a privilege or account
        # management taken away): the file may hold what they no longer administer.
        raise Forbidden(
            "Your access has changed since this export was prepared; ask for it again.", None
        )
    path = path_of(actor.settings, export_id)
    if not path.is_file():
        raise Gone("This export's file is gone; ask for it again.", None)
    async with write_transaction():
        await ReportExport.update({ReportExport.downloaded_at: actor.now}).where(
            ReportExport.id == export_id
        )
        await actor.audit(
            "report_export.download",
            target_type="ReportExport",
            target_id=export_id,
            organization_id=row["organization"],
            after={"fileName": row["file_name"], "rows": row["row_count"]},
        )
    return row, path
