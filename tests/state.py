"""Whole-database snapshots: a refused mutation must leave every table as it was."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from entitle.models import ALL_TABLES


async def snapshot() -> dict[str, list[str]]:
    return {
        table._meta.tablename: sorted(repr(sorted(row.items())) for row in await table.select())
        for table in ALL_TABLES
    }


@contextlib.asynccontextmanager
async def unchanged(ignore: frozenset[str] | set[str] = frozenset()) -> AsyncIterator[None]:
    """`async with unchanged(): ...` fails if the block changed any row of any table but
    those in `ignore` (logs a refusal is allowed to write, such as sign-in attempts)."""
    before = await snapshot()
    yield
    after = await snapshot()
    changed = [name for name in before if before[name] != after[name] and name not in ignore]
    assert changed == [], f"tables changed by a refused mutation: {changed}"
