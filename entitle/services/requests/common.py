"""What the request modules share: lifetimes, labels, names."""

from __future__ import annotations

from datetime import timedelta

from entitle.enums import (
    RequestStatus,
    RequestType,
)

DRAFT_LIFETIME = timedelta(days=30)  # REQ-3
PASSCODE_VALID_FOR = timedelta(days=14)  # REQ-4 **decision**: two weeks to decide
SIGNATORY = "signatory"  # the audit's actor label for a decision made with a passcode
PENDING = (RequestStatus.PENDING_SIGNATORY, RequestStatus.PENDING_OPERATOR)
TYPE_NAMES = {
    RequestType.REPLACE_SAA: "Replace SAA",
    RequestType.UPDATE_SAA: "Update SAA",
    RequestType.NEW_ORGANIZATION_SAA: "New Organization SAA",
}


def same_email(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.strip().lower() == b.strip().lower()
