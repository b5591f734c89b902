"""Authorized signatories (ORG-5) and SAA requests (REQ-1..REQ-10)."""

from piccolo.columns import Boolean, ForeignKey, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from entitle.enums import RequestStatus, RequestType, SaaDisposition, SignatorySource
from entitle.models.accounts import Account
from entitle.models.organizations import Organization


class AuthorizedSignatory(Table, tablename="authorized_signatory"):
    """ORG-5: a person who may approve an organization's SAA requests; may lack an email."""

    organization = ForeignKey(Organization, null=False, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=200)
    title = Varchar(length=100)
    email = Varchar(length=254, null=True, default=None)
    source = Varchar(length=32, choices=SignatorySource)
    created_at = Timestamptz()


class Request(Table, tablename="request"):
    """One Replace SAA or Update SAA request. The signatory chosen is copied onto the
    request (name, title, email) when saved, so later edits of the list do not change
    what the signatory was asked to approve."""

    request_type = Varchar(length=32, choices=RequestType)
    status = Varchar(length=32, choices=RequestStatus, default=RequestStatus.DRAFT, index=True)
    organization = ForeignKey(Organization, null=False, on_delete=OnDelete.restrict, index=True)
    requester = ForeignKey(Account, null=True, on_delete=OnDelete.restrict, index=True)
    requester_email = Varchar(
        length=254, null=True, default=None, help_text="ORG-3: the contact, without an account."
    )
    explanation = Text(
        null=True, default=None, help_text="ORG-3: why the signatory is also the SAA."
    )
    saa_disposition = Varchar(length=16, choices=SaaDisposition, null=True, default=None)
    current_saa = ForeignKey(
        Account, null=True, on_delete=OnDelete.restrict, help_text="The SAA serving when sent."
    )
    new_saa_account = ForeignKey(Account, null=True, on_delete=OnDelete.restrict)
    new_first_name = Varchar(length=100, null=True, default=None)
    new_last_name = Varchar(length=100, null=True, default=None)
    new_email = Varchar(length=254, null=True, default=None)
    new_phone = Varchar(length=32, null=True, default=None)
    signatory = ForeignKey(AuthorizedSignatory, null=True, on_delete=OnDelete.set_null)
    signatory_name = Varchar(length=200, null=True, default=None)
    signatory_title = Varchar(length=100, null=True, default=None)
    signatory_email = Varchar(length=254, null=True, default=None)
    signatory_added_by_hand = Boolean(default=False)
    justification_1 = Text(null=True, default=None)
    justification_2 = Text(null=True, default=None)
    signatory_reason = Text(null=True, default=None)
    operator_reason = Text(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)
    completed_at = Timestamptz(null=True, default=None)


class RequestPasscode(Table, tablename="request_passcode"):
    """REQ-4: the signatory's one-time passcode, stored only as its SHA-256 digest."""

    request = ForeignKey(Request, null=False, on_delete=OnDelete.cascade, index=True)
    code_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class RequestEvent(Table, tablename="request_event"):
    """A request's history: every transition with who made it."""

    request = ForeignKey(Request, null=False, on_delete=OnDelete.cascade, index=True)
    at = Timestamptz()
    from_status = Varchar(length=32, null=True, default=None)
    to_status = Varchar(length=32)
    actor_label = Varchar(length=300)
    actor = ForeignKey(Account, null=True, on_delete=OnDelete.set_null)
    reason = Text(null=True, default=None)
