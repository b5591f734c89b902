"""Writing a set of grants (an account's or a role's) as the difference from what it was."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from piccolo.columns import Column
from piccolo.table import Table


async def write(
    owner: Column,
    owner_id: int,
    before: dict[int, str],
    after: dict[int, str],
    new_row: Callable[[int, str], Table],
    **stamp: Any,
) -> None:
    """Delete what went, re-level what changed, insert what came: only the difference.

    `owner` is the grant table's owning column (Grant.account, RoleGrant.role); `stamp`
    are extra columns set on re-levelled rows (who changed them).
    """
    table = owner._meta.table
    removed = [p for p in before if p not in after]
    if removed:
        await table.delete().where((owner == owner_id) & table.privilege.is_in(removed))
    for privilege_id, level in after.items():
        if privilege_id in before and before[privilege_id] != level:
            values = {table.level: level, **{getattr(table, k): v for k, v in stamp.items()}}
            await table.update(values).where(
                (owner == owner_id) & (table.privilege == privilege_id)
            )
    added = [p for p in after if p not in before]
    if added:
        await table.insert(*[new_row(p, after[p]) for p in added])
