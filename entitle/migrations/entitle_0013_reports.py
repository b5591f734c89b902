"""Saved account details reports (REP-1) and report exports (CERT-2, REP-1).

Written by hand like 0012: snapshot tables created by piccolo, then what the database
enforces itself: one saved report of a name per owner, and the vocabularies of exports.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import JSON, BigInt, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.table import Table

ID = "2026-11-22T07:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "saved reports, report exports"


# Snapshots of the tables as this migration leaves them.
class Organization(Table, tablename="organization"):
    pass


class Account(Table, tablename="account"):
    pass


class SavedReport(Table, tablename="saved_report"):
    owner = ForeignKey(Account, null=False, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=100)
    definition = JSON()
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ReportExport(Table, tablename="report_export"):
    owner = ForeignKey(Account, null=False, on_delete=OnDelete.cascade, index=True)
    organization = ForeignKey(Organization, null=False, on_delete=OnDelete.cascade)
    report = Varchar(length=24)
    format = Varchar(length=16)
    sub_table = Varchar(length=32, null=True, default=None)
    definition = JSON()
    scope = JSON()
    status = Varchar(length=16, default="PREPARING", index=True)
    file_name = Varchar(length=200)
    row_count = Integer(null=True, default=None)
    byte_size = BigInt(null=True, default=None)
    failure = Text(null=True, default=None)
    created_at = Timestamptz()
    ready_at = Timestamptz(null=True, default=None)
    expires_at = Timestamptz(null=True, default=None)
    downloaded_at = Timestamptz(null=True, default=None)


PORTABLE = [
    # Names compare without regard to case, as people read them.
    "CREATE UNIQUE INDEX saved_report_name_once ON saved_report (owner, lower(name))",
]
CHECKS = [
    ("report_export", "report_export_report", "report IN ('CERTIFICATION', 'ACCOUNT_DETAILS')"),
    (
        "report_export",
        "report_export_format",
        "(format = 'QUICK' AND sub_table IS NULL) OR (format = 'ADVANCED' AND sub_table IN "
        "('ENTITLEMENTS_OUTSIDE_ROLES', 'ALL_ENTITLEMENTS', 'ROLES'))",
    ),
    (
        "report_export",
        "report_export_status",
        "status IN ('PREPARING', 'READY', 'FAILED', 'EXPIRED')",
    ),
]


def _sqlite_trigger_ddl(table: str, name: str, condition: str) -> list[str]:
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
        for table in (Organization, Account, SavedReport, ReportExport):
            table._meta.db = engine
        for table in (SavedReport, ReportExport):
            await table.create_table().run()
        for ddl in PORTABLE:
            await engine.run_ddl(ddl)
        sqlite = isinstance(engine, SQLiteEngine)
        for table, name, condition in CHECKS:
            if sqlite:
                for ddl in _sqlite_trigger_ddl(table, name, condition):
                    await engine.run_ddl(ddl)
            else:
                await engine.run_ddl(
                    f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({condition})"
                )

    manager.add_raw(run)
    return manager
