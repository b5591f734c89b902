"""The operator's suspension of a past-due organization (CERT-4, G 18.2).

Written by hand like 0009, with the manager's add_column rather than raw DDL: piccolo runs
each as `ALTER TABLE ... ADD COLUMN` on SQLite and PostgreSQL alike, and an auto-generated
migration written later still knows these columns exist. Account statuses are left as they
are: lifting the suspension restores exactly what was there. The ID sorts after 0013's.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Text, Timestamptz
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-11-22T08:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "suspension of organizations by the operator"


class Account(Table, tablename="account", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


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
        table_class_name="Organization",
        tablename="organization",
        column_name="suspended_at",
        db_column_name="suspended_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params=_params(default=None, null=True),
        schema=None,
    )
    manager.add_column(
        table_class_name="Organization",
        tablename="organization",
        column_name="suspended_by",
        db_column_name="suspended_by",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params=_params(
            references=Account,
            on_delete=OnDelete.set_null,
            on_update=OnUpdate.cascade,
            target_column=None,
            default=None,
            null=True,
        ),
        schema=None,
    )
    manager.add_column(
        table_class_name="Organization",
        tablename="organization",
        column_name="suspension_reason",
        db_column_name="suspension_reason",
        column_class_name="Text",
        column_class=Text,
        params=_params(default=None, null=True),
        schema=None,
    )
    return manager
