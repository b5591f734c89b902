"""Facts: what the policy may know about a resource, always relative to the viewer.

Each facts class is a small frozen dataclass of finite-valued attributes. That makes a
decision a pure function of (profile, action, facts) that can be memoized, and lets a
list be filtered in SQL: enumerate every combination of attribute values, ask the policy
about each once, and compile the allowed ones into a WHERE clause (see sqlfilter.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from piccolo.columns.combination import WhereRaw
from piccolo.custom_types import Combinable

from entitle.authz.actor import Viewer
from entitle.enums import AccountKind, AccountStatus, UserType
from entitle.models import (
    Account,
    AuditEvent,
    AuthorizedSignatory,
    Identifier,
    IdentifierAssignment,
    Individual,
    IndividualAssociation,
    Organization,
    ReportExport,
    Request,
    Role,
    RoleAssignment,
    SavedReport,
)


class Relation(StrEnum):
    """Where a resource's owner stands relative to the viewer."""

    SELF = "SELF"
    SAME_ORG = "SAME_ORG"
    OTHER_ORG = "OTHER_ORG"


def relation_of(viewer: Viewer, account_id: int, organization_id: int) -> str:
    if account_id == viewer.account_id:
        return Relation.SELF
    if organization_id == viewer.organization_id:
        return Relation.SAME_ORG
    return Relation.OTHER_ORG


def account_facts(viewer: Viewer, row: dict[str, Any]) -> AccountFacts:
    """Facts about an account row (columns id, organization, status, kind, user_type)."""
    return AccountFacts(
        relation=relation_of(viewer, row["id"], row["organization"]),
        status=row["status"],
        kind=row["kind"],
        user_type=row["user_type"],
    )


NEVER: Combinable = WhereRaw("1 = 0")


@dataclass(frozen=True)
class Dimension:
    """One attribute of a facts class: its possible values and how SQL selects them."""

    name: str
    values: tuple[Any, ...]
    # Builds the SQL condition "this attribute takes one of `values`" for a viewer.
    sql: Callable[[Viewer, Sequence[Any]], Combinable] | None = None


def _in(column) -> Callable[[Viewer, Sequence[Any]], Combinable]:
    return lambda _viewer, values: column.is_in(list(values))


def _equals_viewer(column, attribute: str) -> Callable[[Viewer, Sequence[bool]], Combinable]:
    """True: `column` equals the viewer's `attribute`; False: it does not."""

    def sql(viewer: Viewer, values: Sequence[bool]) -> Combinable:
        value = getattr(viewer, attribute) or 0
        return column == value if values[0] else column != value

    return sql


def _member_of(
    column, subquery: Callable[[Viewer], Any]
) -> Callable[[Viewer, Sequence[bool]], Combinable]:
    """True: `column` is among the values `subquery(viewer)` selects; False: it is not."""

    def sql(viewer: Viewer, values: Sequence[bool]) -> Combinable:
        return column.is_in(subquery(viewer)) if values[0] else column.not_in(subquery(viewer))

    return sql


def _account_relation(id_column, org_column) -> Callable[[Viewer, Sequence[str]], Combinable]:
    def one(viewer: Viewer, value: str) -> Combinable:
        if viewer.account_id is None:
            return NEVER if value != Relation.OTHER_ORG else id_column.is_not_null()
        if value == Relation.SELF:
            return id_column == viewer.account_id
        if value == Relation.SAME_ORG:
            return (org_column == viewer.organization_id) & (id_column != viewer.account_id)
        return org_column != viewer.organization_id

    def sql(viewer: Viewer, values: Sequence[str]) -> Combinable:
        conditions = [one(viewer, v) for v in values]
        result = conditions[0]
        for c in conditions[1:]:
            result = result | c
        return result

    return sql


BOOL = (True, False)


@dataclass(frozen=True, slots=True)
class OrganizationFacts:
    own: bool

    dimensions: ClassVar[tuple[Dimension, ...]] = (
        Dimension("own", BOOL, _equals_viewer(Organization.id, "organization_id")),
    )


@dataclass(frozen=True, slots=True)
class AccountFacts:
    relation: str
    status: str
    kind: str
    user_type: str

    dimensions: ClassVar[tuple[Dimension, ...]] = (
        Dimension("relation", tuple(Relation), _account_relation(Account.id, Account.organization)),
        Dimension("status", tuple(AccountStatus), _in(Account.status)),
        Dimension("kind", tuple(AccountKind), _in(Account.kind)),
        Dimension("user_type", tuple(UserType), _in(Account.user_type)),
    )


@dataclass(frozen=True, slots=True)
class GrantFacts:
    holder: str
    administered: bool

    dimensions: ClassVar[tuple[Dimension, ...]] = (
        Dimension("holder", tuple(Relation)),
        Dimension("administered", BOOL),
    )


@dataclass(frozen=True, slots=True)
class GrantChangeFacts:
    """A grant to be made, changed or revoked, at `level` (the new one, or the one revoked)."""

    administered: bool  # the viewer holds ADMIN on the privilege (ENT-2)
    available: bool  # available to the account's organization type (ORG-2)
    level: str

    dimensions: ClassVar[tuple[Dimension, ...]] = (
        Dimension("administered", BOOL),
        Dimension("available", BOOL),
        Dimension("level", ("USER", "ADMIN")),
    )


@dataclass(frozen=True, slots=True)
class AuditEventFacts:
    own_org: bool
    about_request: bool  # its target is an SAA request, whose readers REQ-9 names

    dimensions: ClassVar[tuple[Dimension, ...]] = (
        Dimension("own_org", BOOL, _equals_viewer(AuditEvent.organization_id, "organization_id")),
        Dimension(
            "about_request",
            BOOL,
            lambda _viewer, values: (
                (AuditEvent.target_type == "Request")
                if values[0]
                else (AuditEvent.target_type != "Request") | AuditEvent.target_type.is_null()
            ),
        ),
    )


@dataclass(frozen=True, slots=True)
class IdentifierFacts:
    own_org: bool
    held: bool

    dimensions: ClassVar[tuple[Dimension, ...]] = (
        Dimension("own_org", BOOL, _equals_viewer(Identifier.organization, "organization_id")),
        Dimension(
            "held",
            BOOL,
            _member_of(
                Identifier.id,
                lambda v: IdentifierAssignment.select(IdentifierAssignment.identifier).where(
                    IdentifierAssignment.account == (v.account_id or 0)
                ),
            ),
        ),
    )


@dataclass(frozen=True, slots=True)
class RoleFacts:
    own_org: bool
    status: str
    held: bool  # assigned to the viewer
    administered_all: bool  # the viewer holds ADMIN on every privilege of the role (ROLE-7)
    grants_admin: bool  # any of its grants is at ADMIN level (ROLE-2's ADMIN type)

    dimensions: ClassVar[tuple[Dimension, ...]] = (
        Dimension("own_org", BOOL, _equals_viewer(Role.organization, "organization_id")),
        Dimension("status", ("ACTIVE", "DELETED"), _in(Role.status)),
        Dimension(
            "held",
            BOOL,
            _member_of(
                Role.id,
                lambda v: RoleAssignment.select(RoleAssignment.role).where(
                    RoleAssignment.account == (v.account_id or 0)
                ),
            ),
        ),
        # Never needed to filter a list: who reads a role does not depend on these.
        Dimension("administered_all", BOOL),
        Dimension("grants_admin", BOOL),
    )


@dataclass(frozen=True, slots=True)
class RoleViewFacts:
    own: bool  # saved by the viewer

    dimensions: ClassVar[tuple[Dimension, ...]] = (Dimension("own", BOOL),)


@dataclass(frozen=True, slots=True)
class RoleTemplateFacts:
    own_class: bool  # a template for the viewer's organization class (ROLE-4)

    dimensions: ClassVar[tuple[Dimension, ...]] = (Dimension("own_class", BOOL),)


@dataclass(frozen=True, slots=True)
class ApplicationFacts:
    """Applications carry no per-viewer facts; the catalog's shape is not a secret."""

    dimensions: ClassVar[tuple[Dimension, ...]] = ()


@dataclass(frozen=True, slots=True)
class PrivilegeFacts:
    available: bool  # available to the viewer's organization type (ORG-2)

    dimensions: ClassVar[tuple[Dimension, ...]] = (Dimension("available", BOOL),)


@dataclass(frozen=True, slots=True)
class IndividualFacts:
    associated: bool  # associated with the viewer's organization (IND-6)

    dimensions: ClassVar[tuple[Dimension, ...]] = (
        Dimension(
            "associated",
            BOOL,
            _member_of(
                Individual.id,
                lambda v: IndividualAssociation.select(IndividualAssociation.individual).where(
                    IndividualAssociation.organization == (v.organization_id or 0)
                ),
            ),
        ),
    )


def _never_in_sql(_viewer: Viewer, values: Sequence[bool]) -> Combinable:
    """A passcode opens one loaded request, never a list: True selects no row."""
    return NEVER if values[0] else Request.id.is_not_null()


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """An SAA request relative to the viewer (REQ-9)."""

    mine: bool  # the viewer is its requester
    request_type: str
    # Opened with the signatory's passcode in this request (REQ-4): no account involved.
    by_passcode: bool

    dimensions: ClassVar[tuple[Dimension, ...]] = (
        Dimension("mine", BOOL, _equals_viewer(Request.requester, "account_id")),
        Dimension(
            "request_type",
            ("REPLACE_SAA", "UPDATE_SAA", "NEW_ORGANIZATION_SAA"),
            _in(Request.request_type),
        ),
        Dimension("by_passcode", BOOL, _never_in_sql),
    )


@dataclass(frozen=True, slots=True)
class SignatoryFacts:
    own_org: bool  # a signatory of the viewer's organization (ORG-5)

    dimensions: ClassVar[tuple[Dimension, ...]] = (
        Dimension(
            "own_org", BOOL, _equals_viewer(AuthorizedSignatory.organization, "organization_id")
        ),
    )


@dataclass(frozen=True, slots=True)
class CertificationPeriodFacts:
    """A certification period (CERT-1): program-wide, so nothing relative to the viewer."""

    dimensions: ClassVar[tuple[Dimension, ...]] = ()


@dataclass(frozen=True, slots=True)
class SavedReportFacts:
    """A saved report (REP-1 "My Reports")."""

    owned: bool  # the viewer saved it

    dimensions: ClassVar[tuple[Dimension, ...]] = (
        Dimension("owned", BOOL, _equals_viewer(SavedReport.owner, "account_id")),
    )


@dataclass(frozen=True, slots=True)
class ReportExportFacts:
    """A report export (CERT-2, REP-1)."""

    owned: bool  # the viewer asked for it

    dimensions: ClassVar[tuple[Dimension, ...]] = (
        Dimension("owned", BOOL, _equals_viewer(ReportExport.owner, "account_id")),
    )


FACT_CLASSES = (
    OrganizationFacts,
    AccountFacts,
    GrantFacts,
    GrantChangeFacts,
    AuditEventFacts,
    IdentifierFacts,
    ApplicationFacts,
    PrivilegeFacts,
    IndividualFacts,
    RoleFacts,
    RoleTemplateFacts,
    RoleViewFacts,
    RequestFacts,
    SignatoryFacts,
    CertificationPeriodFacts,
    SavedReportFacts,
    ReportExportFacts,
)
