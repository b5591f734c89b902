"""Database engines: SQLite or PostgreSQL from the URL, statement counting, write transactions."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import sqlite3
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiosqlite
import asyncpg
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.querystring import QueryString
from piccolo.table import Table

from entitle.settings import Settings

# What a unique index refusing a row raises, on either engine: services turn it into
# CONFLICT ("we catch unique constraint errors, as these make a poor user experience").
UNIQUE_VIOLATIONS = (sqlite3.IntegrityError, asyncpg.UniqueViolationError)


@dataclass
class StatementStats:
    """SQL statements run inside a `count_statements()` block (logged, asserted by tests).

    Blocks nest: a statement counts in every enclosing block, so a test can count what
    one request costs while the server counts it too.
    """

    statements: int = 0
    parent: StatementStats | None = None


_stats: contextvars.ContextVar[StatementStats | None] = contextvars.ContextVar(
    "entitle_statement_stats", default=None
)


@contextlib.contextmanager
def count_statements() -> Iterator[StatementStats]:
    stats = StatementStats(parent=_stats.get())
    token = _stats.set(stats)
    try:
        yield stats
    finally:
        _stats.reset(token)


def _count() -> None:
    stats = _stats.get()
    while stats is not None:
        stats.statements += 1
        stats = stats.parent


def _unicode_lower(value: object) -> object:
    if value is None or isinstance(value, bytes):
        return value
    return str(value).lower()


class CountingSQLiteEngine(SQLiteEngine):
    """SQLite with a small pool of open connections for statements outside transactions.

    piccolo opens (and closes) a connection, and so a thread, for every such statement:
    about a millisecond each, most of a small request. WAL lets pooled connections read
    while a transaction writes; transactions still get a connection of their own.
    """

    POOL_SIZE = 4

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._idle: list[aiosqlite.Connection] = []
        self._opened = 0
        self._available: asyncio.Condition | None = None

    async def _acquire(self) -> aiosqlite.Connection:
        if self._available is None:
            self._available = asyncio.Condition()
        async with self._available:
            while not self._idle and self._opened >= self.POOL_SIZE:
                await self._available.wait()
            if self._idle:
                return self._idle.pop()
            self._opened += 1
        try:
            return await self.get_connection()
        except BaseException:
            self._opened -= 1
            raise

    async def _release(self, connection: aiosqlite.Connection) -> None:
        async with self._available:
            self._idle.append(connection)
            self._available.notify()

    async def _run_in_new_connection(self, query, args=None, query_type="generic", table=None):
        connection = await self._acquire()
        try:
            # One hop to the connection's thread, where execute + fetch + close took three.
            return await connection.execute_fetchall(query, args or [])
        except BaseException:
            # A connection in an unknown state is not given back.
            self._opened -= 1
            await connection.close()
            connection = None
            raise
        finally:
            if connection is not None:
                await self._release(connection)

    async def get_connection(self) -> aiosqlite.Connection:
        connection = await super().get_connection()
        # SQLite's own lower() folds ASCII letters only: "Été" and "éTÉ" would be two role
        # names, and a search for "élodie" would miss "Élodie". Every connection of ours
        # lowercases as PostgreSQL does; its indexes are rebuilt under it (migration 0016).
        await connection.create_function("lower", 1, _unicode_lower, deterministic=True)
        return connection

    async def close_pool(self) -> None:
        idle, self._idle = self._idle, []
        self._opened -= len(idle)
        for connection in idle:
            await connection.close()
        self._available = None

    async def run_querystring(self, querystring, in_pool: bool = False):
        _count()
        return await super().run_querystring(querystring, in_pool)

    async def run_ddl(self, ddl: str, in_pool: bool = False):
        _count()
        return await super().run_ddl(ddl, in_pool)


class CountingPostgresEngine(PostgresEngine):
    async def run_querystring(self, querystring, in_pool: bool = True):
        _count()
        return await super().run_querystring(querystring, in_pool)

    async def run_ddl(self, ddl: str, in_pool: bool = True):
        _count()
        return await super().run_ddl(ddl, in_pool)


def make_engine(database_url: str) -> Engine:
    if database_url.startswith("sqlite:///"):
        # A busy timeout of 10 s lets IMMEDIATE writers queue instead of failing.
        return CountingSQLiteEngine(path=database_url.removeprefix("sqlite:///"), timeout=10)
    parts = urlsplit(database_url)
    if not parts.path.strip("/"):
        raise ValueError("a PostgreSQL URL must name its database")
    return CountingPostgresEngine(
        config={"dsn": database_url.replace("postgres://", "postgresql://", 1)}
    )


_engine: Engine | None = None


def is_bound() -> bool:
    return _engine is not None


def engine() -> Engine:
    if _engine is None:
        raise RuntimeError("no database bound: call entitle.db.bind() first")
    return _engine


def bind(new_engine: Engine) -> Engine:
    """Point every table (and piccolo's migration runner) at `new_engine`."""
    global _engine
    from piccolo.apps.migrations.tables import Migration

    from entitle import piccolo_conf
    from entitle.models import ALL_TABLES

    _engine = new_engine
    piccolo_conf.DB = new_engine
    # piccolo's own table of applied migrations caches the first engine it meets.
    for table in (*ALL_TABLES, Migration):
        table._meta.db = new_engine
    return new_engine


def bind_settings(settings: Settings) -> Engine:
    return bind(make_engine(settings.database_url))


@contextlib.asynccontextmanager
async def write_transaction() -> AsyncIterator[object]:
    """A transaction that takes the write lock up front on SQLite (IMMEDIATE).

    DEFERRED transactions deadlock on lock upgrade under concurrent writers and fail
    at once with "database is locked"; IMMEDIATE ones queue on the busy timeout.
    """
    db = engine()
    if isinstance(db, SQLiteEngine):
        async with db.transaction(transaction_type=TransactionType.immediate) as tx:
            yield tx
    else:
        async with db.transaction() as tx:
            yield tx


def is_postgres() -> bool:
    return isinstance(engine(), PostgresEngine)


@contextlib.asynccontextmanager
async def custom_plans() -> AsyncIterator[None]:
    """Statements inside are planned for the arguments they are given, every time.

    PostgreSQL plans a prepared statement once for any arguments after five runs when that
    plan looks no dearer, and asyncpg prepares every statement. A search's plan depends on
    its text: `LIKE $1` planned blind used the trigram index for `%qu%`, which has no
    trigram, and read all of it (83 ms against 19 ms by a scan, 100,000 accounts).
    Forcing custom plans everywhere halved `viewer` throughput, so it is asked for here, in
    a transaction of the block's own. SQLite plans every statement anyway.
    """
    db = engine()
    if not isinstance(db, PostgresEngine):
        yield
        return
    async with db.transaction() as tx:
        await tx.connection.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        yield


async def stream(querystring: QueryString, batch_size: int = 1_000) -> AsyncIterator[list[dict]]:
    """The rows of one statement, `batch_size` at a time, on a connection of its own: a
    result of any length in constant memory (a server-side cursor on PostgreSQL, SQLite's
    stepping cursor), where piccolo would read it whole."""
    db = engine()
    _count()
    if isinstance(db, SQLiteEngine):
        sql, args = querystring.compile_string(engine_type="sqlite")
        connection = await db.get_connection()
        try:
            async with connection.execute(sql, args) as cursor:
                while rows := await cursor.fetchmany(batch_size):
                    yield rows
        finally:
            await connection.close()
        return
    sql, args = querystring.compile_string(engine_type="postgres")
    connection = await db.get_new_connection()
    try:
        # asyncpg's cursors live in a transaction; a read-only one takes no locks.
        async with connection.transaction(readonly=True):
            cursor = await connection.cursor(sql, *args)
            while rows := await cursor.fetch(batch_size):
                yield [dict(r) for r in rows]
    finally:
        await connection.close()


async def open_database() -> None:
    db = engine()
    if isinstance(db, SQLiteEngine):
        # WAL lets readers proceed while one writer commits; the setting persists in the file.
        await db.run_ddl("PRAGMA journal_mode=WAL")
    else:
        await db.start_connection_pool(min_size=1, max_size=10)


async def close_database() -> None:
    db = engine()
    if isinstance(db, PostgresEngine):
        await db.close_connection_pool()
    elif isinstance(db, CountingSQLiteEngine):
        await db.close_pool()


async def ping() -> bool:
    await engine().run_ddl("SELECT 1")
    return True


def table_names() -> list[str]:
    from entitle.models import ALL_TABLES

    return [t._meta.tablename for t in ALL_TABLES]


__all__ = [
    "StatementStats",
    "Table",
    "bind",
    "bind_settings",
    "count_statements",
    "engine",
    "write_transaction",
]
