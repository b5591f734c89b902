"""Role invariants the database enforces itself (ROLE-1, ROLE-3)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-21T23:35:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "role invariants: unique names per organization, unique pairs"

STATEMENTS = [
    # ROLE-1: a live role's name is unique in its organization, whatever its case.
    "CREATE UNIQUE INDEX role_name_per_org ON role (organization, lower(name)) "
    "WHERE status = 'ACTIVE'",
    "CREATE UNIQUE INDEX role_grant_pair ON role_grant (role, privilege)",
    "CREATE UNIQUE INDEX role_assignment_pair ON role_assignment (role, account)",
    "CREATE UNIQUE INDEX role_template_grant_pair ON role_template_grant (template, privilege)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="entitle", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
