"""Expected business failures. Raised inside a transaction, they roll it back whole; the
resolver turns them into the payload's `errors` (code, message, field)."""

from __future__ import annotations


class DomainError(Exception):
    code = "INVALID"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Invalid(DomainError):
    code = "INVALID"


class NotFound(DomainError):
    code = "NOT_FOUND"


class Forbidden(DomainError):
    code = "FORBIDDEN"


class Conflict(DomainError):
    code = "CONFLICT"


class ConfirmationRequired(DomainError):
    code = "CONFIRMATION_REQUIRED"


class Throttled(DomainError):
    """Too many attempts from one address or for one user ID: try again shortly."""

    code = "THROTTLED"


class PasswordLockout(DomainError):
    code = "PASSWORD_LOCKOUT"


class SecurityQuestionLockout(DomainError):
    code = "SECURITY_QUESTION_LOCKOUT"


class InvalidCredentials(DomainError):
    code = "INVALID_CREDENTIALS"


class Expired(DomainError):
    code = "EXPIRED"


class AlreadyUsed(DomainError):
    code = "ALREADY_USED"


class OrganizationSuspended(DomainError):
    """CERT-4, G 18.2: the operator suspended the organization's accounts; sign-in answers
    this (after the right password) until the operator lifts the suspension."""

    code = "ORGANIZATION_SUSPENDED"
