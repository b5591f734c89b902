"""The columns of the account reports (CERT-2, REP-1): what each holds, how it is filtered,
grouped and written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from enum import StrEnum
from typing import Any

from entitle.enums import AccountKind, AccountStatus, UserType


class Kind(StrEnum):
    TEXT = "TEXT"  # free text: compared without regard to case
    CHOICE = "CHOICE"  # one of a fixed vocabulary
    DATE = "DATE"  # a timestamp, filtered and grouped by its UTC day
    COUNT = "COUNT"  # a whole number


class Column(StrEnum):
    USER_ID = "USER_ID"
    FIRST_NAME = "FIRST_NAME"
    LAST_NAME = "LAST_NAME"
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    TITLE = "TITLE"
    DEPARTMENT = "DEPARTMENT"
    USER_TYPE = "USER_TYPE"
    ACCOUNT_KIND = "ACCOUNT_KIND"
    STATUS = "STATUS"
    CREATED_AT = "CREATED_AT"
    LAST_SIGN_IN_AT = "LAST_SIGN_IN_AT"
    ROLES = "ROLES"
    ENTITLEMENTS_OUTSIDE_ROLES = "ENTITLEMENTS_OUTSIDE_ROLES"
    ALL_ENTITLEMENTS = "ALL_ENTITLEMENTS"


@dataclass(frozen=True, slots=True)
class Spec:
    label: str  # the CSV header, as the guide names it
    kind: Kind
    choices: tuple[str, ...] = ()
    nullable: bool = False


SPECS: dict[Column, Spec] = {
    Column.USER_ID: Spec("User ID", Kind.TEXT),
    Column.FIRST_NAME: Spec("First Name", Kind.TEXT),
    Column.LAST_NAME: Spec("Last Name", Kind.TEXT),
    Column.EMAIL: Spec("Email", Kind.TEXT),
    Column.PHONE: Spec("Phone", Kind.TEXT),
    Column.TITLE: Spec("Title", Kind.TEXT, nullable=True),
    Column.DEPARTMENT: Spec("Department", Kind.TEXT, nullable=True),
    Column.USER_TYPE: Spec("User Type", Kind.CHOICE, tuple(UserType)),
    Column.ACCOUNT_KIND: Spec("Account Kind", Kind.CHOICE, tuple(AccountKind)),
    Column.STATUS: Spec("Status", Kind.CHOICE, tuple(AccountStatus)),
    Column.CREATED_AT: Spec("Created", Kind.DATE),
    Column.LAST_SIGN_IN_AT: Spec("Last Login Date", Kind.DATE, nullable=True),
    Column.ROLES: Spec("Number of Roles Assigned to Account", Kind.COUNT),
    Column.ENTITLEMENTS_OUTSIDE_ROLES: Spec(
        "Individual Entitlements Assigned to Account Outside of Role", Kind.COUNT
    ),
    Column.ALL_ENTITLEMENTS: Spec("All Entitlements Assigned to Account", Kind.COUNT),
}

# What a report shows when its definition names no columns.
DEFAULT_COLUMNS: tuple[Column, ...] = (
    Column.USER_ID,
    Column.FIRST_NAME,
    Column.LAST_NAME,
    Column.EMAIL,
    Column.USER_TYPE,
    Column.STATUS,
    Column.LAST_SIGN_IN_AT,
    Column.ROLES,
    Column.ENTITLEMENTS_OUTSIDE_ROLES,
    Column.ALL_ENTITLEMENTS,
)


def alias(column: Column) -> str:
    """The column's name in the report's SQL."""
    return f"c_{column.value.lower()}"


def display(column: Column, value: Any) -> str | None:
    """A value as a report cell and a CSV field show it: dates in UTC to the second."""
    if value is None:
        return None
    if SPECS[column].kind is Kind.DATE:
        return value.astimezone(UTC).isoformat(timespec="seconds")
    return str(value)
