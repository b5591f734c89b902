"""SAA requests: Replace SAA (REQ-1), Update SAA (REQ-2), new organizations (ORG-3), their
workflow (REQ-3..REQ-8) and the signatories (ORG-5), one module per side of it.

Every transition is one write transaction that checks the status it starts from, writes
the new one, records the history row and the audit event, and queues the emails
(REQ-8). A refused transition raises before anything is written, or rolls back whole.
"""

from entitle.services.requests.common import PASSCODE_VALID_FOR, SIGNATORY
from entitle.services.requests.drafts import RequestDetails, cancel, create, recall, save, send
from entitle.services.requests.expiry import expire_drafts
from entitle.services.requests.new_organization import (
    NewOrganizationAgreement,
    create_new_organization_agreement,
)
from entitle.services.requests.passcodes import normalize_passcode
from entitle.services.requests.review import operator_decide
from entitle.services.requests.signatories import (
    SignatoryDetails,
    create_signatory,
    delete_signatory,
    update_signatory,
)
from entitle.services.requests.signatory import (
    SignatoryDecision,
    request_for_passcode,
    signatory_decide,
)

__all__ = [
    "PASSCODE_VALID_FOR",
    "SIGNATORY",
    "NewOrganizationAgreement",
    "RequestDetails",
    "SignatoryDecision",
    "SignatoryDetails",
    "cancel",
    "create",
    "create_new_organization_agreement",
    "create_signatory",
    "delete_signatory",
    "expire_drafts",
    "normalize_passcode",
    "operator_decide",
    "recall",
    "request_for_passcode",
    "save",
    "send",
    "signatory_decide",
    "update_signatory",
]
