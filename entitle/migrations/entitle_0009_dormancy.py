"""Dormant accounts (AUTH-8) and organizations that lost their SAA (ORG-6, ORG-7).

Written by hand, with the manager's add_column rather than raw DDL: piccolo runs each as
`ALTER TABLE ... ADD COLUMN` on SQLite and PostgreSQL alike, and an auto-generated
migration written later still knows these columns exist. The ID sorts after the sign-in
work's 2026-11-22T02:00 migration.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Timestamptz
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-22T03:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "dormancy warnings on accounts, SAA vacancy on organizations"


def _params(**overrides) -> dict:
    return {
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **overrides,
    }


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="entitle", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Account",
        tablename="account",
        column_name="dormancy_warnings",
        db_column_name="dormancy_warnings",
        column_class_name="Integer",
        column_class=Integer,
        params=_params(default=0, null=False),
        schema=None,
    )
    manager.add_column(
        table_class_name="Account",
        tablename="account",
        column_name="dormancy_warned_at",
        db_column_name="dormancy_warned_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params=_params(default=None, null=True),
        schema=None,
    )
    manager.add_column(
        table_class_name="Organization",
        tablename="organization",
        column_name="saa_vacated_at",
        db_column_name="saa_vacated_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params=_params(default=None, null=True),
        schema=None,
    )
    return manager
