"""ORG-5: the authorized signatories the operator keeps per organization."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from entitle.authz.facts import OrganizationFacts, SignatoryFacts
from entitle.db import write_transaction
from entitle.enums import (
    SignatorySource,
)
from entitle.models import (
    AuthorizedSignatory,
    Organization,
)
from entitle.services import validation
from entitle.services.actor import Actor
from entitle.services.errors import Forbidden, Invalid, NotFound


@dataclass
class SignatoryDetails:
    name: str | None = None
    title: str | None = None
    email: str | None = None
    source: SignatorySource | None = None


def _clean_signatory(details: SignatoryDetails) -> dict[str, Any]:
    if details.source is None:
        raise Invalid("source is required.", "source")
    return {
        "name": validation.text(details.name, "name", required=True, max_length=200),
        "title": validation.text(details.title, "title", required=True, max_length=100),
        # ORG-5: a signatory may lack an email address.
        "email": validation.email(details.email) if details.email else None,
        "source": details.source,
    }


async def _organization_for(actor: Actor, organization_id: int, action: str, facts) -> dict:
    org = (
        await Organization.select(
            Organization.id, Organization.name, Organization.org_type, Organization.org_class
        )
        .where(Organization.id == organization_id)
        .first()
    )
    own = OrganizationFacts(own=org is not None and org["id"] == actor.viewer.organization_id)
    if org is None or not actor.authz.allows("read", own):
        raise NotFound("No such organization.", "organizationId")
    if not actor.authz.allows(action, facts(org)):
        raise Forbidden("Only the operator keeps the authorized signatories (ORG-5).", None)
    return org


def _signatory_facts(actor: Actor, organization_id: int) -> SignatoryFacts:
    return SignatoryFacts(own_org=organization_id == actor.viewer.organization_id)


async def create_signatory(actor: Actor, organization_id: int, details: SignatoryDetails) -> int:
    """ORG-5: the operator records a signatory from a filing or the contact system."""
    values = _clean_signatory(details)
    async with write_transaction():
        await _organization_for(
            actor, organization_id, "manage", lambda o: _signatory_facts(actor, o["id"])
        )
        row = (
            await AuthorizedSignatory.insert(
                AuthorizedSignatory(organization=organization_id, created_at=actor.now, **values)
            ).returning(AuthorizedSignatory.id)
        )[0]
        await actor.audit(
            "signatory.create",
            target_type="AuthorizedSignatory",
            target_id=row["id"],
            organization_id=organization_id,
            after=values,
        )
        return row["id"]


async def _load_signatory(actor: Actor, signatory_id: int, action: str) -> dict:
    row = await AuthorizedSignatory.select().where(AuthorizedSignatory.id == signatory_id).first()
    facts = None if row is None else _signatory_facts(actor, row["organization"])
    if facts is None or not actor.authz.allows("read", facts):
        raise NotFound("No such signatory.", "signatoryId")
    if not actor.authz.allows(action, facts):
        raise Forbidden("Only the operator keeps the authorized signatories (ORG-5).", None)
    return row


async def update_signatory(actor: Actor, signatory_id: int, details: SignatoryDetails) -> int:
    values = _clean_signatory(details)
    async with write_transaction():
        row = await _load_signatory(actor, signatory_id, "manage")
        await AuthorizedSignatory.update(values).where(AuthorizedSignatory.id == signatory_id)
        await actor.audit(
            "signatory.update",
            target_type="AuthorizedSignatory",
            target_id=signatory_id,
            organization_id=row["organization"],
            before={k: row[k] for k in values},
            after=values,
        )
        return signatory_id


async def delete_signatory(actor: Actor, signatory_id: int) -> None:
    """Requests keep the copy of the signatory they were sent to."""
    async with write_transaction():
        row = await _load_signatory(actor, signatory_id, "manage")
        await AuthorizedSignatory.delete().where(AuthorizedSignatory.id == signatory_id)
        await actor.audit(
            "signatory.delete",
            target_type="AuthorizedSignatory",
            target_id=signatory_id,
            organization_id=row["organization"],
            before={k: row[k] for k in ("name", "title", "email", "source")},
        )
