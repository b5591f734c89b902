"""At most one process runs a given job at a time."""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import AsyncIterator

from piccolo.engine.postgres import PostgresEngine
from piccolo.querystring import QueryString

from entitle import db


@contextlib.asynccontextmanager
async def exclusive(job: str) -> AsyncIterator[bool]:
    """Yields whether this process won the job; the lock ends with the transaction.

    On PostgreSQL several server processes may share a database, so a transaction-scoped
    advisory lock decides. A SQLite database is served by one process (DESIGN.md), whose
    scheduler never overlaps itself.
    """
    if not isinstance(db.engine(), PostgresEngine):
        yield True
        return
    async with db.write_transaction():
        key = zlib.crc32(f"entitle.job.{job}".encode()) & 0x7FFFFFFF
        rows = await db.engine().run_querystring(
            QueryString("SELECT pg_try_advisory_xact_lock({}) AS won", key)
        )
        yield bool(rows[0]["won"])
