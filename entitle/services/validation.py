"""Input checks shared by services; each failure names the input field at fault."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from email_validator import EmailNotValidError, validate_email

from entitle.services.errors import Invalid

USER_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
PHONE = re.compile(r"^\+?[0-9 ().-]{7,24}(?: ?(?:x|ext\.?) ?[0-9]{1,6})?$")


def text(value: str | None, field: str, *, required: bool, max_length: int) -> str | None:
    value = None if value is None else " ".join(value.split())
    if not value:
        if required:
            raise Invalid(f"{field} is required.", field)
        return None
    if len(value) > max_length:
        raise Invalid(f"{field} is at most {max_length} characters.", field)
    if any(ord(c) < 32 for c in value):
        raise Invalid(f"{field} has control characters.", field)
    return value


def email(value: str | None, field: str = "email") -> str:
    value = text(value, field, required=True, max_length=254)
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise Invalid(f"{field} is not a valid email address: {exc}", field) from exc


def phone(value: str | None, field: str, *, required: bool) -> str | None:
    value = text(value, field, required=required, max_length=32)
    if value is None:
        return None
    digits = sum(c.isdigit() for c in value)
    if not PHONE.match(value) or not 7 <= digits <= 21:
        raise Invalid(f"{field} is not a phone number.", field)
    return value


def user_id(value: str, field: str = "userId") -> str:
    value = value.strip().lower()
    if not USER_ID.match(value):
        raise Invalid(
            "A user ID is 3 to 64 lowercase letters, digits, dots, dashes or underscores.", field
        )
    return value


def activation_date(value: date | None, today: date, field: str = "activationDate") -> date | None:
    """ACC-2: a draft may carry an activation date up to 30 days ahead."""
    if value is None:
        return None
    if value < today or value > today + timedelta(days=30):
        raise Invalid("The activation date must be between today and 30 days from now.", field)
    return value


def instant(value: datetime, field: str) -> datetime:
    """A moment, in UTC: a time without an offset names no moment, so it is refused rather
    than guessed."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise Invalid("Give the time with its offset, such as 2027-01-11T15:00:00Z.", field)
    return value.astimezone(UTC)
