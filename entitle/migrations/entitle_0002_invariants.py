"""Invariants the database enforces itself, so racing requests cannot break them.

Written by hand: piccolo cannot express partial, expression or composite unique
indexes, nor triggers. Every statement runs on SQLite and PostgreSQL.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-11-21T22:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "invariants: one SAA per organization, unique pairs, append-only audit"

PORTABLE = [
    # ORG-1: at most one SAA per organization; a deleted SAA no longer counts.
    "CREATE UNIQUE INDEX account_one_saa_per_org ON account (organization) "
    "WHERE user_type = 'SAA' AND status <> 'DELETED'",
    # ACC-1: user IDs are unique platform-wide, whatever their case.
    "CREATE UNIQUE INDEX account_user_id_ci ON account (lower(user_id))",
    "CREATE UNIQUE INDEX account_grant_pair ON account_grant (account, privilege)",
    "CREATE UNIQUE INDEX identifier_kind_value ON identifier (kind, value)",
    "CREATE UNIQUE INDEX identifier_assignment_pair ON identifier_assignment (identifier, account)",
    "CREATE UNIQUE INDEX privilege_availability_pair ON privilege_availability (privilege, org_type)",
    "CREATE UNIQUE INDEX individual_association_pair "
    "ON individual_association (individual, organization)",
    "CREATE INDEX account_org_user_id ON account (organization, user_id)",
]

SQLITE = [
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
]

POSTGRES = [
    "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$",
    "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="entitle", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        extra = SQLITE if isinstance(engine, SQLiteEngine) else POSTGRES
        for statement in PORTABLE + extra:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
