"""Authorized signatories (ORG-5) and SAA requests with passcodes and history (REQ-1..10).

Written by hand like 0008: snapshot tables created by piccolo, then the invariants the
database enforces itself. PostgreSQL takes CHECK constraints; SQLite cannot add them to
an existing table, so the same conditions become BEFORE INSERT / UPDATE triggers.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Boolean, ForeignKey, OnDelete, Text, Timestamptz, Varchar
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.table import Table

ID = "2026-11-22T04:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "authorized signatories, SAA requests, passcodes, request history"


# Snapshots of the tables as this migration leaves them.
class Organization(Table, tablename="organization"):
    pass


class Account(Table, tablename="account"):
    pass


class AuthorizedSignatory(Table, tablename="authorized_signatory"):
    organization = ForeignKey(Organization, null=False, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=200)
    title = Varchar(length=100)
    email = Varchar(length=254, null=True, default=None)
    source = Varchar(length=32)
    created_at = Timestamptz()


class Request(Table, tablename="request"):
    request_type = Varchar(length=32)
    status = Varchar(length=32, default="DRAFT", index=True)
    organization = ForeignKey(Organization, null=False, on_delete=OnDelete.restrict, index=True)
    requester = ForeignKey(Account, null=True, on_delete=OnDelete.restrict, index=True)
    requester_email = Varchar(length=254, null=True, default=None)
    explanation = Text(null=True, default=None)
    saa_disposition = Varchar(length=16, null=True, default=None)
    current_saa = ForeignKey(Account, null=True, on_delete=OnDelete.restrict)
    new_saa_account = ForeignKey(Account, null=True, on_delete=OnDelete.restrict)
    new_first_name = Varchar(length=100, null=True, default=None)
    new_last_name = Varchar(length=100, null=True, default=None)
    new_email = Varchar(length=254, null=True, default=None)
    new_phone = Varchar(length=32, null=True, default=None)
    signatory = ForeignKey(AuthorizedSignatory, null=True, on_delete=OnDelete.set_null)
    signatory_name = Varchar(length=200, null=True, default=None)
    signatory_title = Varchar(length=100, null=True, default=None)
    signatory_email = Varchar(length=254, null=True, default=None)
    signatory_added_by_hand = Boolean(default=False)
    justification_1 = Text(null=True, default=None)
    justification_2 = Text(null=True, default=None)
    signatory_reason = Text(null=True, default=None)
    operator_reason = Text(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)
    completed_at = Timestamptz(null=True, default=None)


class RequestPasscode(Table, tablename="request_passcode"):
    request = ForeignKey(Request, null=False, on_delete=OnDelete.cascade, index=True)
    code_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class RequestEvent(Table, tablename="request_event"):
    request = ForeignKey(Request, null=False, on_delete=OnDelete.cascade, index=True)
    at = Timestamptz()
    from_status = Varchar(length=32, null=True, default=None)
    to_status = Varchar(length=32)
    actor_label = Varchar(length=300)
    actor = ForeignKey(Account, null=True, on_delete=OnDelete.set_null)
    reason = Text(null=True, default=None)


SENT = "status NOT IN ('DRAFT', 'CANCELLED')"
# (table, name, condition every row must satisfy)
CHECKS = [
    (
        "authorized_signatory",
        "signatory_source",
        "source IN ('FORM_BD_SCHEDULE_A', 'FORM_ADV', 'FORM_FP', 'CONTACT_SYSTEM', "
        "'ADDED_BY_REQUESTER')",
    ),
    (
        "request",
        "request_status",
        "status IN ('DRAFT', 'CANCELLED', 'PENDING_SIGNATORY', 'DENIED_BY_SIGNATORY', "
        "'PENDING_OPERATOR', 'DENIED_BY_OPERATOR', 'APPROVED')",
    ),
    (
        "request",
        "request_type",
        "request_type IN ('REPLACE_SAA', 'UPDATE_SAA', 'NEW_ORGANIZATION_SAA')",
    ),
    (
        "request",
        "request_disposition",
        "saa_disposition IS NULL OR saa_disposition IN ('CONVERT', 'DELETE')",
    ),
    # ORG-3 requests alone come from outside the organization, without an account.
    (
        "request",
        "request_requester",
        "requester IS NOT NULL OR (request_type = 'NEW_ORGANIZATION_SAA' "
        "AND requester_email IS NOT NULL)",
    ),
    # REQ-4: a sent request has a signatory to email.
    (
        "request",
        "request_signatory",
        f"NOT ({SENT}) OR (signatory_email IS NOT NULL "
        "AND signatory_name IS NOT NULL AND sent_at IS NOT NULL)",
    ),
    # REQ-1: a sent Replace SAA names its new SAA: an account, or a new one's email (both
    # once fulfilled: the account created for it),
    # and what becomes of the current SAA when there is one.
    (
        "request",
        "request_replace_complete",
        f"NOT ({SENT}) OR request_type <> 'REPLACE_SAA' OR ("
        "(new_saa_account IS NOT NULL OR new_email IS NOT NULL) "
        "AND (current_saa IS NULL OR saa_disposition IS NOT NULL))",
    ),
    # ORG-3: an agreement names the person whose SAA account the operator creates.
    (
        "request",
        "request_new_organization_complete",
        f"NOT ({SENT}) OR request_type <> 'NEW_ORGANIZATION_SAA' OR new_email IS NOT NULL",
    ),
    # REQ-3: a completed request says when.
    (
        "request",
        "request_completed",
        "(status IN ('CANCELLED', 'DENIED_BY_SIGNATORY', 'DENIED_BY_OPERATOR', 'APPROVED')) "
        "= (completed_at IS NOT NULL)",
    ),
]

PORTABLE = [
    # REQ-4: one live passcode per request; sending again retires the earlier one first.
    "CREATE UNIQUE INDEX request_passcode_live ON request_passcode (request) WHERE used_at IS NULL",
    "CREATE INDEX request_event_request_at ON request_event (request, at)",
    "CREATE INDEX request_org_status ON request (organization, status)",
]


def _sqlite_trigger_ddl(table: str, name: str, condition: str) -> list[str]:
    # AFTER triggers read the stored row by its id, so the conditions keep bare column
    # names; RAISE(ABORT) undoes the statement.
    return [
        f"CREATE TRIGGER {name}_{when.lower()} AFTER {when} ON {table} BEGIN "
        f"SELECT RAISE(ABORT, 'CHECK constraint failed: {name}') FROM {table} "
        f"WHERE id = NEW.id AND NOT ({condition}); END"
        for when in ("INSERT", "UPDATE")
    ]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="entitle", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        tables = (
            Organization,
            Account,
            AuthorizedSignatory,
            Request,
            RequestPasscode,
            RequestEvent,
        )
        for table in tables:
            table._meta.db = engine
        for table in (AuthorizedSignatory, Request, RequestPasscode, RequestEvent):
            await table.create_table().run()
        for ddl in PORTABLE:
            await engine.run_ddl(ddl)
        for table, name, condition in CHECKS:
            if isinstance(engine, SQLiteEngine):
                for ddl in _sqlite_trigger_ddl(table, name, condition):
                    await engine.run_ddl(ddl)
            else:
                await engine.run_ddl(
                    f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({condition})"
                )

    manager.add_raw(run)
    return manager
