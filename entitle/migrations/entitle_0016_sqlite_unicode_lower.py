"""SQLite indexes on lower(...) rebuilt under the Unicode lower() every connection now uses.

The unique indexes on lower(user_id), lower(role name), lower(role view name) and lower(saved
report name) were built with SQLite's ASCII-only lower(); entitle's connections replace it with
one that folds every letter, as PostgreSQL's does (db.CountingSQLiteEngine). REINDEX rebuilds
each index under the new function, so an existing database finds what it holds. PostgreSQL
needs nothing.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-01T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "SQLite indexes rebuilt under a Unicode lower()"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="entitle", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder
        from piccolo.engine.sqlite import SQLiteEngine

        engine = engine_finder()
        if isinstance(engine, SQLiteEngine):
            await engine.run_ddl("REINDEX")

    manager.add_raw(run)
    return manager
