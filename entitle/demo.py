"""Deterministic demo data: the personas the README, GraphiQL sessions and tests use."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from entitle.db import write_transaction
from entitle.enums import (
    AccountKind,
    AccountStatus,
    IdentifierKind,
    OrgClass,
    OrgType,
    UserType,
    org_class_of,
)
from entitle.models import (
    Account,
    Application,
    AuthorizedSignatory,
    CertificationPeriod,
    Grant,
    Identifier,
    IdentifierAssignment,
    Individual,
    IndividualAssociation,
    Organization,
    Privilege,
    PrivilegeAvailability,
    Request,
    RequestEvent,
    RequestPasscode,
    Role,
    RoleAssignment,
    RoleGrant,
    RoleTemplate,
    RoleTemplateGrant,
    SavedReport,
    SecurityAnswer,
)
from entitle.services import requests as request_service
from entitle.services import tokens
from entitle.services.crypto import DataCipher
from entitle.services.passwords import Passwords
from entitle.services.reports.columns import Column
from entitle.services.reports.definition import Definition, Filter, Operator
from entitle.services.security_questions import normalize
from entitle.settings import Settings

BD_TYPES = (OrgType.BROKER_DEALER, OrgType.BD_IA, OrgType.CAPITAL_ACQUISITION_BROKER)
FIRM_TYPES = (*BD_TYPES, OrgType.INVESTMENT_ADVISER, OrgType.FUNDING_PORTAL)
REGULATOR_TYPES = (OrgType.STATE_REGULATOR, OrgType.SEC, OrgType.SRO)
EVERYONE = tuple(OrgType)
ORG_SUFFIX = {"100001": "alpha", "100002": "beta", "900001": "gamma"}

# (code, name, [(code, name, parent code, sensitive, identifier kind, available to)])
CATALOG = [
    (
        "AM",
        "Account Management",
        [
            (
                "AM_MANAGE_ACCESS",
                "Manage Access to New Account Management Application",
                None,
                False,
                None,
                EVERYONE,
            ),
            ("AM_ASSIGN_ROLES", "Assign Roles", None, False, None, EVERYONE),
            ("AM_CHANGE_PASSWORD", "Change Password", None, False, None, EVERYONE),
        ],
    ),
    (
        "REG",
        "Registration Filing",
        [
            (
                "REG_FILING",
                "Registration filing",
                None,
                False,
                None,
                (*FIRM_TYPES, *REGULATOR_TYPES),
            ),
            ("REG_FORM_U4", "Form U4 filing", "REG_FILING", False, None, FIRM_TYPES),
            ("REG_FORM_U5", "Form U5 filing", "REG_FILING", False, None, FIRM_TYPES),
            ("REG_VIEW_SSN", "View SSN", "REG_FILING", True, None, (*FIRM_TYPES, *REGULATOR_TYPES)),
            (
                "REG_VIEW_DOB",
                "View date of birth",
                "REG_FILING",
                True,
                None,
                (*FIRM_TYPES, *REGULATOR_TYPES),
            ),
            (
                "REG_FINGERPRINTS",
                "Fingerprint results",
                "REG_FILING",
                True,
                None,
                (*FIRM_TYPES, *REGULATOR_TYPES),
            ),
            ("REG_QUERY", "Individual query", None, False, None, REGULATOR_TYPES),
        ],
    ),
    (
        "RPT",
        "Report Center",
        [
            ("RPT_VIEW", "View reports", None, False, None, EVERYONE),
            (
                "RPT_COMPLIANCE",
                "Compliance reports",
                "RPT_VIEW",
                False,
                None,
                (*FIRM_TYPES, *REGULATOR_TYPES),
            ),
        ],
    ),
    (
        "CAT",
        "Consolidated Audit Trail Reporting",
        [
            ("CAT_REPORTER", "CAT reporter portal", None, False, None, BD_TYPES),
            ("CAT_SUBMIT", "CAT data submission", "CAT_REPORTER", False, None, BD_TYPES),
        ],
    ),
    (
        "TRF",
        "Trade Reporting",
        [
            (
                "TRF_TRACE",
                "TRACE trade reporting",
                None,
                False,
                IdentifierKind.TRACE_MPID,
                BD_TYPES,
            ),
            (
                "TRF_EQUITY",
                "Equity trade reporting",
                None,
                False,
                IdentifierKind.EQUITY_MPID,
                BD_TYPES,
            ),
            ("TRF_MSRB", "MSRB submissions", None, False, IdentifierKind.MSRB, BD_TYPES),
        ],
    ),
]

ORGANIZATIONS = [
    ("000001", "Program Operations", OrgType.OPERATOR),
    ("100001", "Alpha Securities", OrgType.BROKER_DEALER),
    ("100002", "Beta Capital", OrgType.BROKER_DEALER),
    ("900001", "Gamma State Securities Division", OrgType.STATE_REGULATOR),
]


@dataclass
class DemoAccount:
    user_id: str
    org: str
    first: str
    last: str
    user_type: UserType = UserType.USER
    status: AccountStatus = AccountStatus.ACTIVE
    kind: AccountKind = AccountKind.HUMAN
    created_by: str | None = None
    # privilege code -> level; "*ADMIN" gives ADMIN on everything available (the SAA, ENT-2)
    grants: dict[str, str] = field(default_factory=dict)
    identifiers: tuple[str, ...] = ()
    title: str | None = None
    # AUTH-8: recent use keeps the demo accounts far from dormancy; None: never signed in.
    activated_days_ago: int = 199
    signed_in_days_ago: int | None = 1


ALL_ADMIN = {"*": "ADMIN"}

ACCOUNTS = [
    DemoAccount(
        "operator",
        "000001",
        "Olive",
        "Operator",
        UserType.SAA,
        grants=ALL_ADMIN,
        title="Entitlement Group",
    ),
    DemoAccount(
        "saa.alpha",
        "100001",
        "Ada",
        "Alvarez",
        UserType.SAA,
        created_by="operator",
        grants=ALL_ADMIN,
        title="Chief Compliance Officer",
    ),
    DemoAccount(
        "aa.alpha",
        "100001",
        "Aaron",
        "Abbott",
        UserType.AA,
        created_by="saa.alpha",
        grants={
            "AM_MANAGE_ACCESS": "USER",
            "AM_ASSIGN_ROLES": "USER",
            "AM_CHANGE_PASSWORD": "ADMIN",
            "REG_FILING": "ADMIN",
            "REG_FORM_U4": "ADMIN",
            "REG_FORM_U5": "ADMIN",
            "RPT_VIEW": "ADMIN",
            "TRF_TRACE": "ADMIN",
        },
        identifiers=("TRACE_MPID:ALPT",),
        title="Operations Manager",
    ),
    DemoAccount(
        "aa2.alpha",
        "100001",
        "Beatrice",
        "Ames",
        UserType.AA,
        created_by="saa.alpha",
        grants={
            "AM_MANAGE_ACCESS": "USER",
            "RPT_VIEW": "ADMIN",
            "RPT_COMPLIANCE": "ADMIN",
            "CAT_REPORTER": "ADMIN",
        },
    ),
    DemoAccount(
        "user.alpha",
        "100001",
        "Uma",
        "Archer",
        created_by="aa.alpha",
        grants={
            "REG_FILING": "USER",
            "REG_FORM_U4": "USER",
            "RPT_VIEW": "USER",
            "TRF_TRACE": "USER",
            "TRF_EQUITY": "USER",
        },
        identifiers=("TRACE_MPID:ALPT", "EQUITY_MPID:ALPE"),
    ),
    DemoAccount(
        "user2.alpha",
        "100001",
        "Victor",
        "Alston",
        created_by="aa.alpha",
        activated_days_ago=20,
        signed_in_days_ago=None,
        grants={
            "RPT_VIEW": "USER",
            "REG_FILING": "USER",
            "REG_VIEW_SSN": "USER",
            "CAT_REPORTER": "USER",
            "TRF_MSRB": "USER",
        },
        identifiers=("MSRB:A1234",),
    ),
    DemoAccount(
        "former.alpha",
        "100001",
        "Fiona",
        "Ashby",
        status=AccountStatus.DELETED,
        created_by="saa.alpha",
        grants={"RPT_VIEW": "USER"},
    ),
    DemoAccount(
        "draft.alpha",
        "100001",
        "Dylan",
        "Avery",
        status=AccountStatus.DRAFT,
        created_by="aa.alpha",
        grants={"RPT_VIEW": "USER"},
    ),
    DemoAccount(
        "m2m.alpha",
        "100001",
        "Alpha",
        "CAT Feed",
        kind=AccountKind.M2M,
        created_by="operator",
        grants={"CAT_SUBMIT": "USER"},
    ),
    DemoAccount(
        "saa.beta",
        "100002",
        "Bella",
        "Brooks",
        UserType.SAA,
        created_by="operator",
        grants=ALL_ADMIN,
    ),
    DemoAccount(
        "aa.beta",
        "100002",
        "Boris",
        "Bauer",
        UserType.AA,
        created_by="saa.beta",
        grants={"AM_MANAGE_ACCESS": "USER", "RPT_VIEW": "ADMIN"},
    ),
    DemoAccount(
        "user.beta",
        "100002",
        "Bianca",
        "Burke",
        created_by="aa.beta",
        grants={"RPT_VIEW": "USER", "TRF_TRACE": "USER"},
        identifiers=("TRACE_MPID:BETA",),
    ),
    DemoAccount(
        "saa.gamma",
        "900001",
        "Grace",
        "Gomez",
        UserType.SAA,
        created_by="operator",
        grants=ALL_ADMIN,
        title="Chief Regulatory Officer",
    ),
    DemoAccount(
        "user.gamma",
        "900001",
        "Gus",
        "Grant",
        created_by="saa.gamma",
        grants={
            "REG_QUERY": "USER",
            "REG_FILING": "USER",
            "REG_VIEW_SSN": "USER",
            "REG_VIEW_DOB": "USER",
        },
    ),
]

IDENTIFIERS = [
    ("100001", IdentifierKind.TRACE_MPID, "ALPT"),
    ("100001", IdentifierKind.EQUITY_MPID, "ALPE"),
    ("100001", IdentifierKind.MSRB, "A1234"),
    ("100002", IdentifierKind.TRACE_MPID, "BETA"),
]

# ROLE-4: (organization class, name, grants)
TEMPLATES = [
    (
        OrgClass.FIRM,
        "Operations",
        {"RPT_VIEW": "USER", "RPT_COMPLIANCE": "USER", "CAT_REPORTER": "USER"},
    ),
    (
        OrgClass.FIRM,
        "Registration",
        {"REG_FILING": "USER", "REG_FORM_U4": "USER", "REG_FORM_U5": "USER"},
    ),
    (OrgClass.FIRM, "Organization", {"AM_CHANGE_PASSWORD": "USER", "RPT_VIEW": "USER"}),
    (OrgClass.REGULATOR, "Registration", {"REG_FILING": "USER", "REG_QUERY": "USER"}),
    (OrgClass.REGULATOR, "Query without SSN", {"REG_QUERY": "USER"}),
    (
        OrgClass.REGULATOR,
        "Query with SSN",
        {"REG_QUERY": "USER", "REG_FILING": "USER", "REG_VIEW_SSN": "USER"},
    ),
]

# (organization, name, description, grants, holders)
ROLES = [
    (
        "100001",
        "Report Readers",
        "Reads the report center.",
        {"RPT_VIEW": "USER", "RPT_COMPLIANCE": "USER"},
        ["user.alpha"],
    ),
    (
        "100001",
        "Registration Admins",
        "Administers registration filing.",
        {"REG_FILING": "ADMIN", "REG_FORM_U4": "ADMIN"},
        [],
    ),
    (
        "100001",
        "SSN Reviewers",
        "Sensitive: reads SSNs on registration records.",
        {"REG_FILING": "USER", "REG_VIEW_SSN": "USER"},
        ["user2.alpha"],
    ),
    ("100002", "Report Readers", "Reads the report center.", {"RPT_VIEW": "USER"}, ["user.beta"]),
    (
        "900001",
        "Query with SSN",
        "Individual queries with SSN.",
        {"REG_QUERY": "USER", "REG_FILING": "USER", "REG_VIEW_SSN": "USER"},
        ["user.gamma"],
    ),
]

# (CRD, first, middle, last, SSN, date of birth, associated organizations)
INDIVIDUALS = [
    ("5000001", "Jane", "Q", "Doe", "123-45-6789", "1980-04-12", ("100001", "900001")),
    ("5000002", "John", None, "Smith", "234-56-7890", "1975-11-03", ("100001",)),
    ("5000003", "Maria", None, "Garcia", "345-67-8901", "1988-07-21", ("100002",)),
    ("5000004", "Wei", None, "Chen", None, "1991-02-14", ("100002", "900001")),
]


# Documented in the README: what a demo person answers at sign-in.
DEMO_ANSWERS = {"FIRST_PET": "Rex", "BIRTH_CITY": "Springfield", "FIRST_SCHOOL": "Lincoln"}
# The demo admins' authenticator secret (base32), documented in the README.
DEMO_TOTP_SECRET = "ENTITLEDEMOADMINTOTPSECRETFORALL"
# REQ-4: the passcode of the demo request waiting for its signatory (Beta Capital's CCO).
# CERT-1: the demo's year has a period open, started three weeks ago and due in 40 days, so
# the SAAs of Alpha, Beta and Gamma see `certificationDue` as soon as they sign in.
CERTIFICATION_STARTED = timedelta(weeks=3)
CERTIFICATION_DUE_IN = timedelta(days=40)

DEMO_PASSCODE = "DEMO0-PASSC-ODE00-BETA0-00000-00000"

# ORG-5: Beta Capital's signatories; Alpha Securities has none on file, so its requesters
# add one by hand.
SIGNATORIES = [
    ("100002", "Bianca Bond", "Chief Compliance Officer", "cco@beta.example", "FORM_BD_SCHEDULE_A"),
    ("100002", "Boris Board", "Director", None, "CONTACT_SYSTEM"),
]


async def is_empty() -> bool:
    return not await Organization.exists().where(Organization.id.is_not_null())


async def seed_demo(
    *,
    password: str,
    passwords: Passwords,
    cipher: DataCipher,
    now: datetime,
    terms_version: str = Settings.terms_version,
) -> None:
    """Load the demo data in one transaction; the database must be empty."""
    password_hash = passwords.hash(password)
    # Every demo person has done the first sign-in: terms, questions and, for admins, TOTP.
    answer_hashes = {q: passwords.hash(normalize(a)) for q, a in DEMO_ANSWERS.items()}
    totp_secret = cipher.encrypt(DEMO_TOTP_SECRET)
    async with write_transaction():
        orgs: dict[str, int] = {}
        org_types: dict[str, OrgType] = {}
        for number, name, org_type in ORGANIZATIONS:
            orgs[number] = await _insert(
                Organization(
                    number=number,
                    name=name,
                    org_type=org_type,
                    org_class=org_class_of(org_type),
                    created_at=now - timedelta(days=400),
                )
            )
            org_types[number] = org_type

        privileges: dict[str, int] = {}
        available: dict[OrgType, list[str]] = {t: [] for t in OrgType}
        for position, (app_code, app_name, entries) in enumerate(CATALOG):
            app_id = await _insert(Application(code=app_code, name=app_name, position=position))
            for index, (code, name, parent, sensitive, identifier_kind, types) in enumerate(
                entries
            ):
                privileges[code] = await _insert(
                    Privilege(
                        application=app_id,
                        parent=privileges.get(parent) if parent else None,
                        code=code,
                        name=name,
                        sensitive=sensitive,
                        identifier_kind=identifier_kind,
                        position=index,
                    )
                )
                for org_type in types:
                    available[org_type].append(code)
        await PrivilegeAvailability.insert(
            *[
                PrivilegeAvailability(privilege=privileges[code], org_type=org_type)
                for org_type, codes in available.items()
                for code in codes
            ]
        )

        identifiers: dict[str, int] = {}
        for number, kind, value in IDENTIFIERS:
            identifiers[f"{kind}:{value}"] = await _insert(
                Identifier(organization=orgs[number], kind=kind, value=value)
            )

        accounts: dict[str, int] = {}
        for spec in ACCOUNTS:
            accounts[spec.user_id] = await _insert(
                _account(spec, orgs, accounts, password_hash, now)
            )
            if spec.kind is AccountKind.HUMAN and spec.status is AccountStatus.ACTIVE:
                await _signed_in_before(
                    accounts[spec.user_id], spec, answer_hashes, totp_secret, terms_version, now
                )
            org_type = org_types[spec.org]
            grants = (
                {code: "ADMIN" for code in available[org_type]}
                if spec.grants is ALL_ADMIN
                else spec.grants
            )
            await Grant.insert(
                *[
                    Grant(
                        account=accounts[spec.user_id],
                        privilege=privileges[code],
                        level=level,
                        granted_by=accounts.get(spec.created_by or ""),
                        granted_at=now - timedelta(days=90),
                    )
                    for code, level in grants.items()
                ]
            )
            if spec.identifiers:
                await IdentifierAssignment.insert(
                    *[
                        IdentifierAssignment(
                            identifier=identifiers[key],
                            account=accounts[spec.user_id],
                            assigned_at=now - timedelta(days=90),
                        )
                        for key in spec.identifiers
                    ]
                )

        for org_class, name, grants in TEMPLATES:
            template_id = await _insert(RoleTemplate(org_class=org_class, name=name))
            await RoleTemplateGrant.insert(
                *[
                    RoleTemplateGrant(template=template_id, privilege=privileges[code], level=level)
                    for code, level in grants.items()
                ]
            )
        for number, name, description, grants, holders in ROLES:
            role_id = await _insert(
                Role(
                    organization=orgs[number],
                    name=name,
                    description=description,
                    created_by=accounts[f"saa.{ORG_SUFFIX[number]}"],
                    created_at=now - timedelta(days=60),
                    updated_at=now - timedelta(days=60),
                )
            )
            await RoleGrant.insert(
                *[
                    RoleGrant(role=role_id, privilege=privileges[code], level=level)
                    for code, level in grants.items()
                ]
            )
            for holder in holders:
                await RoleAssignment.insert(
                    RoleAssignment(
                        role=role_id, account=accounts[holder], assigned_at=now - timedelta(days=30)
                    )
                )

        for crd, first, middle, last, ssn, dob, associated in INDIVIDUALS:
            individual_id = await _insert(
                Individual(
                    crd_number=crd,
                    first_name=first,
                    middle_name=middle,
                    last_name=last,
                    ssn_ciphertext=cipher.encrypt(ssn) if ssn else None,
                    ssn_digest=cipher.digest(ssn) if ssn else None,
                    date_of_birth_ciphertext=cipher.encrypt(dob),
                    created_at=now - timedelta(days=300),
                )
            )
            await IndividualAssociation.insert(
                *[
                    IndividualAssociation(
                        individual=individual_id,
                        organization=orgs[n],
                        started_at=now - timedelta(days=300),
                    )
                    for n in associated
                ]
            )

        await _seed_requests(orgs, accounts, now)
        await _open_certification_period(accounts["operator"], now)
        await _save_reports(accounts, now)


async def _open_certification_period(operator: int, now: datetime) -> None:
    """CERT-1: the period of `now`'s year, as the operator would open it (a period's year
    is its start's, so an early-January start stays in the year)."""
    year_start = now.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    starts_at = max(now - CERTIFICATION_STARTED, year_start)
    await CertificationPeriod.insert(
        CertificationPeriod(
            year=now.year,
            starts_at=starts_at,
            due_at=now + CERTIFICATION_DUE_IN,
            opened_by=operator,
            created_at=starts_at,
        )
    )


# REP-1 "My Reports": (owner, name, definition), as the owner would have saved them.
SAVED_REPORTS = [
    (
        "saa.alpha",
        "Never signed in",
        Definition.validated(
            columns=[
                Column.USER_ID,
                Column.FIRST_NAME,
                Column.LAST_NAME,
                Column.STATUS,
                Column.CREATED_AT,
            ],
            filters=[Filter(Column.LAST_SIGN_IN_AT, Operator.IS_EMPTY)],
        ),
    ),
    (
        "saa.alpha",
        "Entitlements by user type",
        Definition.validated(
            columns=[Column.USER_ID, Column.USER_TYPE, Column.ROLES, Column.ALL_ENTITLEMENTS],
            group_by=[Column.USER_TYPE],
        ),
    ),
]


async def _save_reports(accounts: dict[str, int], now: datetime) -> None:
    await SavedReport.insert(
        *[
            SavedReport(
                owner=accounts[owner],
                name=name,
                definition=json.dumps(definition.to_json()),
                created_at=now,
                updated_at=now,
            )
            for owner, name, definition in SAVED_REPORTS
        ]
    )


def _account(
    spec: DemoAccount,
    orgs: dict[str, int],
    accounts: dict[str, int],
    password_hash: str,
    now: datetime,
) -> Account:
    human = spec.kind is AccountKind.HUMAN
    deleted = spec.status is AccountStatus.DELETED
    draft = spec.status is AccountStatus.DRAFT
    return Account(
        user_id=spec.user_id,
        organization=orgs[spec.org],
        first_name=spec.first,
        last_name=spec.last,
        email=f"{spec.user_id}@example.com",
        phone="+1 202 555 0100",
        title=spec.title,
        kind=spec.kind,
        user_type=spec.user_type,
        status=spec.status,
        # Machine accounts authenticate with keys the operator issues, never a password.
        password_hash=password_hash if human and not draft else None,
        created_by=accounts.get(spec.created_by or ""),
        # ACC-2: the demo draft is young, so the drafts job activates it on its date.
        created_at=now - timedelta(days=3 if draft else 200),
        activation_date=(now + timedelta(days=7)).date() if draft else None,
        activated_at=None if draft else now - timedelta(days=spec.activated_days_ago),
        last_sign_in_at=(
            now - timedelta(days=spec.signed_in_days_ago)
            if human and not draft and spec.signed_in_days_ago is not None
            else None
        ),
        deleted_by=accounts.get("saa.alpha") if deleted else None,
        deleted_at=now - timedelta(days=10) if deleted else None,
        deleted_reason="Left the firm" if deleted else None,
    )


async def _signed_in_before(
    account_id: int,
    spec: DemoAccount,
    answer_hashes: dict[str, str],
    totp_secret: str,
    terms_version: str,
    now: datetime,
) -> None:
    admin = spec.user_type in (UserType.SAA, UserType.AA)
    await Account.update(
        {
            Account.terms_version: terms_version,
            Account.terms_accepted_at: now - timedelta(days=199),
            Account.totp_secret: totp_secret if admin else None,
            Account.totp_enrolled_at: now - timedelta(days=199) if admin else None,
        }
    ).where(Account.id == account_id)
    await SecurityAnswer.insert(
        *[
            SecurityAnswer(
                account=account_id,
                position=position,
                question=question,
                answer_hash=answer_hash,
                created_at=now - timedelta(days=199),
            )
            for position, (question, answer_hash) in enumerate(answer_hashes.items(), start=1)
        ]
    )


async def _insert(row) -> int:
    return (await type(row).insert(row).returning(type(row).id))[0]["id"]


async def _seed_requests(orgs: dict[str, int], accounts: dict[str, int], now: datetime) -> None:
    """One Beta Capital request in each state that still waits for someone (REQ-3)."""
    signatories = {}
    for number, name, title, email, source in SIGNATORIES:
        signatories[name] = await _insert(
            AuthorizedSignatory(
                organization=orgs[number],
                name=name,
                title=title,
                email=email,
                source=source,
                created_at=now - timedelta(days=90),
            )
        )
    bianca = {
        "signatory": signatories["Bianca Bond"],
        "signatory_name": "Bianca Bond",
        "signatory_title": "Chief Compliance Officer",
        "signatory_email": "cco@beta.example",
    }
    beta = orgs["100002"]
    specs = [
        # user.beta started replacing the SAA with aa.beta and saved the draft.
        (
            "user.beta",
            "REPLACE_SAA",
            ["DRAFT"],
            {"saa_disposition": "CONVERT", "new_saa_account": accounts["aa.beta"], **bianca},
        ),
        # saa.beta asked to change their last name; the CCO has the passcode.
        (
            "saa.beta",
            "UPDATE_SAA",
            ["DRAFT", "PENDING_SIGNATORY"],
            {"new_last_name": "Beta-Lindqvist", **bianca},
        ),
        # aa.beta asked for a new SAA account; the CCO approved, so the operator reviews.
        (
            "aa.beta",
            "REPLACE_SAA",
            ["DRAFT", "PENDING_SIGNATORY", "PENDING_OPERATOR"],
            {
                "saa_disposition": "DELETE",
                "new_first_name": "Nadia",
                "new_last_name": "Newhire",
                "new_email": "nadia.newhire@example.com",
                "new_phone": "+1 202 555 0150",
                **bianca,
            },
        ),
    ]
    for days, (requester, kind, statuses, values) in enumerate(specs, start=1):
        started = now - timedelta(days=days * 2)
        sent = len(statuses) > 1
        request_id = await _insert(
            Request(
                request_type=kind,
                status=statuses[-1],
                organization=beta,
                requester=accounts[requester],
                current_saa=accounts["saa.beta"] if sent else None,
                created_at=started,
                updated_at=started + timedelta(hours=len(statuses)),
                sent_at=started + timedelta(hours=1) if sent else None,
                **values,
            )
        )
        previous = None
        for hours, status in enumerate(statuses):
            await RequestEvent.insert(
                RequestEvent(
                    request=request_id,
                    at=started + timedelta(hours=hours),
                    from_status=previous,
                    to_status=status,
                    actor_label=request_service.SIGNATORY
                    if status == "PENDING_OPERATOR"
                    else requester,
                    actor=None if status == "PENDING_OPERATOR" else accounts[requester],
                )
            )
            previous = status
        if statuses[-1] == "PENDING_SIGNATORY":
            await RequestPasscode.insert(
                RequestPasscode(
                    request=request_id,
                    code_hash=tokens.digest(request_service.normalize_passcode(DEMO_PASSCODE)),
                    created_at=started + timedelta(hours=1),
                    expires_at=started + request_service.PASSCODE_VALID_FOR,
                )
            )
