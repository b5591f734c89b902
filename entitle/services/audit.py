"""The append-only audit log (REP-2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from entitle.models import AuditEvent


@dataclass
class AuditEntry:
    action: str
    target_type: str
    target_id: str | None
    actor_id: int | None
    actor_label: str
    organization_id: int | None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


def _row(entry: AuditEntry, at: datetime, request_id: str | None) -> AuditEvent:
    return AuditEvent(
        occurred_at=at,
        request_id=request_id,
        actor_id=entry.actor_id,
        actor_label=entry.actor_label,
        organization_id=entry.organization_id,
        action=entry.action,
        target_type=entry.target_type,
        target_id=entry.target_id,
        before=entry.before,
        after=entry.after,
    )


async def record(entry: AuditEntry, *, at: datetime, request_id: str | None) -> None:
    """Write one event; call inside the transaction of the change it records."""
    await record_many([entry], at=at, request_id=request_id)


async def record_many(entries: list[AuditEntry], *, at: datetime, request_id: str | None) -> None:
    """Write events in one statement, however many there are."""
    if entries:
        await AuditEvent.insert(*[_row(e, at, request_id) for e in entries])


@dataclass
class AuditBuffer:
    """Reads of sensitive fields during one request, written together when it ends."""

    entries: list[AuditEntry] = field(default_factory=list)

    def add(self, entry: AuditEntry) -> None:
        # REP-2: one request reading the same field of the same record several times
        # (aliases, `node` next to `individual`) is one read: audit it once, not per copy.
        if entry not in self.entries:
            self.entries.append(entry)

    async def flush(self, *, at: datetime, request_id: str | None) -> None:
        entries, self.entries = self.entries, []
        await record_many(entries, at=at, request_id=request_id)
