"""REP-1 "My Reports": an admin saves a report's definition under a name; opening it runs
the definition on the data of that moment, so a saved report never shows stale rows."""

from __future__ import annotations

import json
import unicodedata

from entitle.authz.facts import OrganizationFacts, SavedReportFacts
from entitle.db import UNIQUE_VIOLATIONS, write_transaction
from entitle.models import SavedReport
from entitle.services.actor import Actor
from entitle.services.errors import Conflict, Forbidden, Invalid, NotFound
from entitle.services.reports.definition import Definition

MAX_NAME = 100
MAX_SAVED = 100  # per admin: "My Reports" is a short list someone reads


def check_may_report(actor: Actor) -> None:
    """REP-1: SAAs, and AAs who may use account management."""
    if not actor.authz.allows("report_accounts", OrganizationFacts(own=True)):
        raise Forbidden(
            "The account details report is for SAAs and account administrators (REP-1).", None
        )


def _name(given: str) -> str:
    name = " ".join(given.split())
    if not name or len(name) > MAX_NAME:
        raise Invalid(f"A report name has 1 to {MAX_NAME} characters.", "name")
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise Invalid("A report name may not hold control characters.", "name")
    return name


async def owned(actor: Actor, pk: int, action: str) -> dict:
    row = await SavedReport.select().where(SavedReport.id == pk).first()
    facts = SavedReportFacts(owned=row is not None and row["owner"] == actor.viewer.account_id)
    if row is None or not actor.authz.allows(action, facts):
        raise NotFound("No such saved report.", "savedReportId")
    return row


def _audit_after(name: str, definition: Definition) -> dict:
    return {"name": name, "definition": definition.to_json()}


async def create(actor: Actor, name: str, definition: Definition) -> int:
    check_may_report(actor)
    name = _name(name)
    owner = actor.viewer.account_id
    try:
        async with write_transaction():
            if await SavedReport.count().where(SavedReport.owner == owner) >= MAX_SAVED:
                raise Invalid(f"Keep at most {MAX_SAVED} saved reports.", None)
            row = (
                await SavedReport.insert(
                    SavedReport(
                        owner=owner,
                        name=name,
                        definition=json.dumps(definition.to_json()),
                        created_at=actor.now,
                        updated_at=actor.now,
                    )
                ).returning(SavedReport.id)
            )[0]
            await actor.audit(
                "saved_report.create",
                target_type="SavedReport",
                target_id=row["id"],
                organization_id=actor.viewer.organization_id,
                after=_audit_after(name, definition),
            )
    except UNIQUE_VIOLATIONS as error:
        raise Conflict(f"You already have a report named {name!r}.", "name") from error
    return row["id"]


async def update(actor: Actor, pk: int, name: str | None, definition: Definition | None) -> int:
    check_may_report(actor)
    new_name = None if name is None else _name(name)
    try:
        async with write_transaction():
            row = await owned(actor, pk, "update")
            before = Definition.from_json(row["definition"])
            changes = {SavedReport.updated_at: actor.now}
            if new_name is not None:
                changes[SavedReport.name] = new_name
            if definition is not None:
                changes[SavedReport.definition] = json.dumps(definition.to_json())
            await SavedReport.update(changes).where(SavedReport.id == pk)
            await actor.audit(
                "saved_report.update",
                target_type="SavedReport",
                target_id=pk,
                organization_id=actor.viewer.organization_id,
                before=_audit_after(row["name"], before),
                after=_audit_after(new_name or row["name"], definition or before),
            )
    except UNIQUE_VIOLATIONS as error:
        raise Conflict(f"You already have a report named {new_name!r}.", "name") from error
    return pk


async def delete(actor: Actor, pk: int) -> None:
    async with write_transaction():
        row = await owned(actor, pk, "delete")
        await SavedReport.delete().where(SavedReport.id == pk)
        await actor.audit(
            "saved_report.delete",
            target_type="SavedReport",
            target_id=pk,
            organization_id=actor.viewer.organization_id,
            before={"name": row["name"]},
        )
