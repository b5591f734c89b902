"""Who is acting, when, and under which request: what every service call needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from entitle.authz.actor import Viewer
from entitle.authz.engine import RequestAuthz
from entitle.services import audit
from entitle.settings import Settings


@dataclass(frozen=True)
class Actor:
    authz: RequestAuthz
    now: datetime
    request_id: str | None
    settings: Settings

    @property
    def viewer(self) -> Viewer:
        return self.authz.viewer

    def entry(
        self,
        action: str,
        *,
        target_type: str,
        target_id: int | str | None,
        organization_id: int | None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> audit.AuditEntry:
        """An audit event of this actor's doing (REP-2); secrets never go in before/after."""
        return audit.AuditEntry(
            action=action,
            target_type=target_type,
            target_id=None if target_id is None else str(target_id),
            actor_id=self.viewer.account_id,
            actor_label=self.viewer.user_id or "",
            organization_id=organization_id,
            before=before,
            after=after,
        )

    async def audit(self, action: str, **fields: Any) -> None:
        """Record what this actor did; call inside the transaction of the change."""
        await self.audit_all([self.entry(action, **fields)])

    async def audit_all(self, entries: list[audit.AuditEntry]) -> None:
        await audit.record_many(entries, at=self.now, request_id=self.request_id)
