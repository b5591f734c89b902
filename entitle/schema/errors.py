"""Expected failures of mutations, returned as values in each payload's `errors`."""

from __future__ import annotations

from enum import Enum

import strawberry

from entitle.authz.guards import STRUCTURAL
from entitle.authz.guards import field as guarded


@strawberry.enum(description="Why a mutation did not do what was asked.")
class ErrorCode(Enum):
    INVALID = "INVALID"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    CONFLICT = "CONFLICT"
    CONFIRMATION_REQUIRED = "CONFIRMATION_REQUIRED"
    THROTTLED = "THROTTLED"
    PASSWORD_LOCKOUT = "PASSWORD_LOCKOUT"
    SECURITY_QUESTION_LOCKOUT = "SECURITY_QUESTION_LOCKOUT"
    EXPIRED = "EXPIRED"
    ALREADY_USED = "ALREADY_USED"
    CERTIFICATION_PAST_DUE = "CERTIFICATION_PAST_DUE"
    ORGANIZATION_SUSPENDED = "ORGANIZATION_SUSPENDED"


@strawberry.type(description="A business failure: nothing was changed.")
class UserError:
    code: ErrorCode = guarded(STRUCTURAL)
    message: str = guarded(STRUCTURAL)
    field: str | None = guarded(STRUCTURAL, description="The input field at fault, if one is.")
