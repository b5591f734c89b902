from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from entitle.authz.actor import Viewer
from entitle.authz.facts import IndividualFacts
from entitle.authz.guards import field, requires
from entitle.schema.node import Node
from entitle.services.audit import AuditEntry


@strawberry.type(description="A natural person with a CRD record (IND-1).")
class Individual(Node):
    crd_number: str = field()
    first_name: str = field()
    middle_name: str | None = field()
    last_name: str = field()
    organization_ids: strawberry.Private[frozenset[int]]
    ssn_ciphertext: strawberry.Private[str | None]
    date_of_birth_ciphertext: strawberry.Private[str | None]

    @classmethod
    def from_row(cls, row: dict[str, Any], organization_ids: frozenset[int]) -> Individual:
        return cls(
            pk=row["id"],
            crd_number=row["crd_number"],
            first_name=row["first_name"],
            middle_name=row["middle_name"],
            last_name=row["last_name"],
            organization_ids=organization_ids,
            ssn_ciphertext=row["ssn_ciphertext"],
            date_of_birth_ciphertext=row["date_of_birth_ciphertext"],
        )

    def authz_facts(self, viewer: Viewer) -> IndividualFacts:
        return IndividualFacts(associated=viewer.organization_id in self.organization_ids)

    def _reveal(self, info: strawberry.Info, field_name: str, ciphertext: str | None) -> str | None:
        """Decrypt a sensitive field and audit the read (REP-2); the value is never logged."""
        if ciphertext is None:
            return None
        context = info.context
        context.audit.add(
            AuditEntry(
                action=f"individual.read_{field_name}",
                target_type="Individual",
                target_id=str(self.pk),
                actor_id=context.viewer.account_id,
                actor_label=context.viewer.user_id or "",
                organization_id=context.viewer.organization_id,
            )
        )
        return context.runtime.cipher.decrypt(ciphertext)

    @requires(
        "read_ssn", description="Needs the View SSN privilege (IND-6); every read is audited."
    )
    def ssn(self, info: strawberry.Info) -> str | None:
        return self._reveal(info, "ssn", self.ssn_ciphertext)

    @requires(
        "read_date_of_birth",
        description="Needs the View date of birth privilege (IND-6); every read is audited.",
    )
    def date_of_birth(self, info: strawberry.Info) -> date | None:
        value = self._reveal(info, "date_of_birth", self.date_of_birth_ciphertext)
        return date.fromisoformat(value) if value else None
