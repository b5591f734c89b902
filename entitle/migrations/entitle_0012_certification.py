"""Yearly certification (CERT-1, CERT-3, CERT-4): periods, certifications, notices sent.

Written by hand like 0010: snapshot tables created by piccolo, then what the database
enforces itself: one period a year (a unique column), one certification per period and
organization, each (period, organization, kind) notice once, and certifications that
can be neither changed nor deleted, so a snapshot stays exactly what the SAA certified.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import JSON, Boolean, ForeignKey, Integer, OnDelete, Timestamptz, Varchar
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.table import Table

ID = "2026-11-22T06:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "certification periods, certifications, certification notices"


# Snapshots of the tables as this migration leaves them.
class Organization(Table, tablename="organization"):
    pass


class Account(Table, tablename="account"):
    pass


class CertificationPeriod(Table, tablename="certification_period"):
    year = Integer(unique=True)
    starts_at = Timestamptz()
    due_at = Timestamptz()
    opened_by = ForeignKey(Account, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()


class Certification(Table, tablename="certification"):
    # No index of its own: piccolo would name it certification_period, the period table's
    # name; the unique (period, organization) index serves lookups by period.
    period = ForeignKey(CertificationPeriod, null=False, on_delete=OnDelete.restrict)
    organization = ForeignKey(Organization, null=False, on_delete=OnDelete.restrict, index=True)
    certified_by = ForeignKey(Account, null=True, on_delete=OnDelete.restrict)
    certified_at = Timestamptz()
    terms_accepted = Boolean(default=False)
    snapshot = JSON()


class CertificationNotice(Table, tablename="certification_notice"):
    period = ForeignKey(CertificationPeriod, null=False, on_delete=OnDelete.cascade, index=True)
    organization = ForeignKey(Organization, null=False, on_delete=OnDelete.cascade)
    kind = Varchar(length=16)
    sent_at = Timestamptz()


PORTABLE = [
    "CREATE UNIQUE INDEX certification_once ON certification (period, organization)",
    "CREATE UNIQUE INDEX certification_notice_once "
    "ON certification_notice (period, organization, kind)",
]
CHECKS = [
    ("certification_period", "certification_period_dates", "starts_at < due_at"),
    # CERT-3: the SAA certifies by accepting the terms; there is no other way in.
    ("certification", "certification_terms", "terms_accepted"),
    (
        "certification_notice",
        "certification_notice_kind",
        "kind IN ('DAYS_30', 'DAYS_14', 'DAYS_7', 'PAST_DUE')",
    ),
]
SQLITE_IMMUTABLE = [
    f"CREATE TRIGGER certification_immutable_{when.lower()} BEFORE {when} ON certification "
    "BEGIN SELECT RAISE(ABORT, 'certifications are immutable'); END"
    for when in ("UPDATE", "DELETE")
]
POSTGRES_IMMUTABLE = [
    "CREATE FUNCTION certification_immutable() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'certifications are immutable'; END $$",
    "CREATE TRIGGER certification_immutable BEFORE UPDATE OR DELETE ON certification "
    "FOR EACH ROW EXECUTE FUNCTION certification_immutable()",
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
        tables = (Organization, Account, CertificationPeriod, Certification, CertificationNotice)
        for table in tables:
            table._meta.db = engine
        for table in (CertificationPeriod, Certification, CertificationNotice):
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
        for ddl in SQLITE_IMMUTABLE if sqlite else POSTGRES_IMMUTABLE:
            await engine.run_ddl(ddl)

    manager.add_raw(run)
    return manager
