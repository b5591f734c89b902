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
