"""A saved view's name is unique for its owner, ignoring case (ROLE-10)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-21T23:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique saved view names per account"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="entitle", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder

        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX role_view_name_per_account ON role_view (account, lower(name))"
        )

    manager.add_raw(run)
    return manager
