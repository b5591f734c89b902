"""ACC-8 search over a stored column instead of an expression.

0011 indexed `lower(user_id || ' ' || email || ' ' || first_name || ' ' || last_name)` by
trigrams, but every search that the index cannot narrow (a word shorter than a trigram, a word
in nearly every account, a count of those) still computed that expression for each row.
Stored once per write, as a generated column, the same scan reads it: measured on 100,000
accounts on PostgreSQL, a count for `qu` went from 47 to 19 ms and the page of a two-word
search that matches nothing from 72 to 22 ms. SQLite keeps it VIRTUAL (ALTER TABLE cannot add
a STORED column there), computed on read as before, so both databases run the same SQL.

The column is not in the piccolo model: a generated column takes no value on insert, and
piccolo would write one. Only the search reads it, by name (resolvers/accounts.py).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "account search text as a generated column"

# Must stay identical to what resolvers/accounts.py searches for.
COLUMN = "search_text"
EXPRESSION = "lower(user_id || ' ' || email || ' ' || first_name || ' ' || last_name)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="entitle", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder
        from piccolo.engine.postgres import PostgresEngine

        engine = engine_finder()
        if isinstance(engine, PostgresEngine):
            await engine.run_ddl(
                f"ALTER TABLE account ADD COLUMN {COLUMN} text "
                f"GENERATED ALWAYS AS ({EXPRESSION}) STORED"
            )
            await engine.run_ddl("DROP INDEX IF EXISTS account_search_trgm")
            await engine.run_ddl(
                f"CREATE INDEX account_search_trgm ON account USING gin ({COLUMN} gin_trgm_ops)"
            )
        else:
            await engine.run_ddl(
                f"ALTER TABLE account ADD COLUMN {COLUMN} TEXT "
                f"GENERATED ALWAYS AS ({EXPRESSION}) VIRTUAL"
            )

    manager.add_raw(run)
    return manager
