"""Domain vocabularies shared by tables, policies, services and the schema (RULES.md names)."""

from enum import StrEnum


class OrgType(StrEnum):
    """ORG-2: organization types."""

    BROKER_DEALER = "BROKER_DEALER"
    INVESTMENT_ADVISER = "INVESTMENT_ADVISER"
    BD_IA = "BD_IA"
    CAPITAL_ACQUISITION_BROKER = "CAPITAL_ACQUISITION_BROKER"
    FUNDING_PORTAL = "FUNDING_PORTAL"
    STATE_REGULATOR = "STATE_REGULATOR"
    SEC = "SEC"
    SRO = "SRO"
    NON_SECURITIES = "NON_SECURITIES"
    OPERATOR = "OPERATOR"


class OrgClass(StrEnum):
    FIRM = "FIRM"
    REGULATOR = "REGULATOR"
    OTHER = "OTHER"
    OPERATOR = "OPERATOR"


class AccountKind(StrEnum):
    """HUMAN accounts are people; M2M and FTP (IFT) are machine accounts (ACC-9)."""

    HUMAN = "HUMAN"
    M2M = "M2M"
    FTP = "FTP"


class AccountStatus(StrEnum):
    """ACC-4."""

    DRAFT = "DRAFT"
    ACTIVE = "ACTIVE"
    DISABLED_BY_ADMIN = "DISABLED_BY_ADMIN"
    DISABLED_BY_OPERATOR = "DISABLED_BY_OPERATOR"
    PASSWORD_LOCKOUT = "PASSWORD_LOCKOUT"
    SECURITY_QUESTION_LOCKOUT = "SECURITY_QUESTION_LOCKOUT"
    DELETED = "DELETED"


class UserType(StrEnum):
    SAA = "SAA"
    AA = "AA"
    USER = "USER"


class PrivilegeLevel(StrEnum):
    USER = "USER"
    ADMIN = "ADMIN"


class IdentifierKind(StrEnum):
    """ENT-5: organization identifiers."""

    TRACE_MPID = "TRACE_MPID"
    EQUITY_MPID = "EQUITY_MPID"
    MSRB = "MSRB"


def org_class_of(org_type: OrgType) -> OrgClass:
    """ORG-2: the class an organization type belongs to."""
    if org_type is OrgType.OPERATOR:
        return OrgClass.OPERATOR
    if org_type in (OrgType.STATE_REGULATOR, OrgType.SEC, OrgType.SRO):
        return OrgClass.REGULATOR
    if org_type is OrgType.NON_SECURITIES:
        return OrgClass.OTHER
    return OrgClass.FIRM


class SignatorySource(StrEnum):
    """ORG-5: where an authorized signatory comes from."""

    FORM_BD_SCHEDULE_A = "FORM_BD_SCHEDULE_A"
    FORM_ADV = "FORM_ADV"
    FORM_FP = "FORM_FP"
    CONTACT_SYSTEM = "CONTACT_SYSTEM"
    ADDED_BY_REQUESTER = "ADDED_BY_REQUESTER"


class RequestType(StrEnum):
    REPLACE_SAA = "REPLACE_SAA"
    UPDATE_SAA = "UPDATE_SAA"
    NEW_ORGANIZATION_SAA = "NEW_ORGANIZATION_SAA"


class RequestStatus(StrEnum):
    """REQ-3."""

    DRAFT = "DRAFT"
    CANCELLED = "CANCELLED"
    PENDING_SIGNATORY = "PENDING_SIGNATORY"
    DENIED_BY_SIGNATORY = "DENIED_BY_SIGNATORY"
    PENDING_OPERATOR = "PENDING_OPERATOR"
    DENIED_BY_OPERATOR = "DENIED_BY_OPERATOR"
    APPROVED = "APPROVED"


# REQ-10: the Active tab; every other status is Completed.
ACTIVE_REQUEST_STATUSES = (
    RequestStatus.DRAFT,
    RequestStatus.PENDING_SIGNATORY,
    RequestStatus.PENDING_OPERATOR,
)


class SaaDisposition(StrEnum):
    """REQ-1: what becomes of the current SAA's account."""

    CONVERT = "CONVERT"
    DELETE = "DELETE"


class CertificationStatus(StrEnum):
    """CERT-1, CERT-4: where an organization stands in the current certification period."""

    NOT_REQUIRED = "NOT_REQUIRED"
    OPEN = "OPEN"
    CERTIFIED = "CERTIFIED"
    PAST_DUE = "PAST_DUE"
