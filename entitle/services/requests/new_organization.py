"""ORG-3: a new organization's first SAA, requested without an account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from entitle.db import write_transaction
from entitle.enums import (
    RequestStatus,
    RequestType,
)
from entitle.models import (
    Account,
    Organization,
    Request,
)
from entitle.services import organizations, validation
from entitle.services.errors import Invalid, NotFound
from entitle.services.requests.common import same_email
from entitle.services.requests.passcodes import issue_passcode
from entitle.services.requests.transitions import Who, transition
from entitle.settings import Settings


@dataclass
class NewOrganizationAgreement:
    organization_number: str
    new_first_name: str | None
    new_last_name: str | None
    new_email: str | None
    new_phone: str | None
    signatory_name: str | None
    signatory_title: str | None
    signatory_email: str | None
    contact_email: str | None
    explanation: str | None = None


async def create_new_organization_agreement(
    settings: Settings, now: datetime, request_id_audit: str | None, form: NewOrganizationAgreement
) -> int:
    """ORG-3: made without an account for an organization the operator registered that
    has no SAA yet; it goes straight to its signatory, then always to the operator, who
    creates the SAA account."""
    values = {
        "new_first_name": validation.text(
            form.new_first_name, "newFirstName", required=True, max_length=100
        ),
        "new_last_name": validation.text(
            form.new_last_name, "newLastName", required=True, max_length=100
        ),
        "new_email": validation.email(form.new_email, "newEmail"),
        "new_phone": validation.phone(form.new_phone, "newPhone", required=True),
        "signatory_name": validation.text(
            form.signatory_name, "signatoryName", required=True, max_length=200
        ),
        "signatory_title": validation.text(
            form.signatory_title, "signatoryTitle", required=True, max_length=100
        ),
        "signatory_email": validation.email(form.signatory_email, "signatoryEmail"),
        "requester_email": validation.email(form.contact_email, "contactEmail"),
        "explanation": validation.text(
            form.explanation, "explanation", required=False, max_length=2000
        ),
    }
    # ORG-3: signatory and SAA are different people unless explained (a sole proprietor).
    if same_email(values["new_email"], values["signatory_email"]) and not values["explanation"]:
        raise Invalid("The signatory is also the new SAA: explain why (ORG-3).", "explanation")
    async with write_transaction():
        org = (
            await Organization.select(Organization.id, Organization.org_class)
            .where(Organization.number == (form.organization_number or "").strip()[:16])
            .first()
        )
        # One answer for "no such organization" and "it has an SAA": the form is public.
        if (
            org is None
            or org["org_class"] == "OPERATOR"
            or await Account.exists().where(
                (Account.organization == org["id"]) & organizations.serving_saa()
            )
        ):
            raise NotFound(
                "No organization waiting for its first SAA has this number.",
                "organizationNumber",
            )
        row = (
            await Request.insert(
                Request(
                    request_type=RequestType.NEW_ORGANIZATION_SAA,
                    status=RequestStatus.PENDING_SIGNATORY,
                    organization=org["id"],
                    requester=None,
                    created_at=now,
                    updated_at=now,
                    sent_at=now,
                    **values,
                )
            ).returning(*Request.all_columns())
        )[0]
        passcode = await issue_passcode(row["id"], now)
        who = Who(f"contact:{values['requester_email']}", None, request_id_audit)
        await transition(
            who,
            row,
            None,
            RequestStatus.PENDING_SIGNATORY,
            now=now,
            settings=settings,
            passcode=passcode,
        )
        return row["id"]
