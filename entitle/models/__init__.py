"""piccolo tables, one module per aggregate."""

from entitle.models.accounts import Account
from entitle.models.audit import AuditEvent
from entitle.models.catalog import Application, Privilege, PrivilegeAvailability
from entitle.models.certification import (
    Certification,
    CertificationNotice,
    CertificationPeriod,
)
from entitle.models.credentials import Device, DeviceAccount, SecurityAnswer, SignInAttempt
from entitle.models.grants import Grant
from entitle.models.identifiers import Identifier, IdentifierAssignment
from entitle.models.individuals import Individual, IndividualAssociation
from entitle.models.organizations import Organization
from entitle.models.outbox import OutboxMessage
from entitle.models.reports import ReportExport, SavedReport
from entitle.models.requests import (
    AuthorizedSignatory,
    Request,
    RequestEvent,
    RequestPasscode,
)
from entitle.models.roles import (
    Role,
    RoleAssignment,
    RoleGrant,
    RoleTemplate,
    RoleTemplateGrant,
    RoleView,
)
from entitle.models.sessions import Session
from entitle.models.tokens import AccountToken

# Dependency order: a table comes after every table it references.
ALL_TABLES = (
    Organization,
    Account,
    Device,
    Session,
    AccountToken,
    SecurityAnswer,
    DeviceAccount,
    SignInAttempt,
    Application,
    Privilege,
    PrivilegeAvailability,
    Grant,
    Identifier,
    IdentifierAssignment,
    Individual,
    IndividualAssociation,
    Role,
    RoleGrant,
    RoleAssignment,
    RoleTemplate,
    RoleTemplateGrant,
    RoleView,
    AuthorizedSignatory,
    Request,
    RequestPasscode,
    RequestEvent,
    CertificationPeriod,
    Certification,
    CertificationNotice,
    SavedReport,
    ReportExport,
    AuditEvent,
    OutboxMessage,
)

__all__ = [t.__name__ for t in ALL_TABLES] + ["ALL_TABLES"]
