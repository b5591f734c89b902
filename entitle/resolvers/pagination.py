"""Keyset pagination of a piccolo select into a Connection."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import strawberry
from piccolo.columns import Column, ForeignKey, Integer, Serial, Text, Varchar
from piccolo.custom_types import Combinable
from piccolo.table import Table

from entitle import db
from entitle.authz.sqlfilter import ALWAYS, SqlCondition
from entitle.errors import BadArgument
from entitle.schema.pagination import Connection, Edge, PageInfo, decode_cursor, encode_cursor
from entitle.storable import fits_integer, storable_text

T = TypeVar("T")


def _fits(column: Column, value: object) -> bool:
    """Whether the database can compare `column` with a cursor's `value`: a forged cursor
    holds any JSON, and a value the driver cannot send fails the query as a fault."""
    if isinstance(column, Varchar | Text):
        return isinstance(value, str) and storable_text(value)
    if isinstance(column, Serial | ForeignKey) or type(column) is Integer:
        return fits_integer(value)
    raise TypeError(f"no cursor check for a {type(column).__name__} column")


def _after(order: Sequence[Column], values: list[Any], descending: bool) -> SqlCondition:
    """Rows strictly after `values` in the order of `order`: a keyset condition."""
    if len(values) != len(order) or not all(map(_fits, order, values)):
        raise BadArgument("`after` is not a cursor of this list.", "after")
    condition = None
    for i in range(len(order) - 1, -1, -1):
        term = order[i] < values[i] if descending else order[i] > values[i]
        if condition is not None:
            term = term | ((order[i] == values[i]) & condition)
        condition = term
    return condition


def connection(
    edges: list[Edge[T]],
    *,
    has_next: bool,
    has_previous: bool,
    count: Callable[[], Awaitable[int]],
) -> Connection[T]:
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        count=count,
    )


def check_first(info: strawberry.Info, first: int) -> None:
    limit = info.context.runtime.settings.max_page_size
    if first < 0 or first > limit:
        raise BadArgument(f"`first` must be between 0 and {limit}.", "first")


async def paginate(
    info: strawberry.Info,
    table: type[Table],
    *,
    columns: Sequence[Column],
    conditions: Sequence[Combinable],
    where: SqlCondition,
    order: Sequence[Column],
    descending: bool = False,
    first: int,
    after: str | None,
    node: Callable[[dict[str, Any]], T],
    custom_plans: bool = False,
) -> Connection[T]:
    """One page of `table` in `order` (the last column unique), plus a lazy total count.

    `where` (the policy's condition) and `conditions` (the caller's filters) apply to the
    page and to the count alike, so the count is what this viewer may see with this filter.
    With `custom_plans`, both are planned for their arguments each time (`db.custom_plans`):
    for filters whose selectivity depends on what was typed.
    """
    planned = db.custom_plans if custom_plans else contextlib.nullcontext
    check_first(info, first)
    filters = [*conditions] if where is ALWAYS else [*conditions, where]
    page = table.select(*columns)
    for condition in filters:
        page = page.where(condition)
    if after is not None:
        page = page.where(_after(order, decode_cursor(after), descending))
    async with planned():
        rows = await page.order_by(*order, ascending=not descending).limit(first + 1)
    has_next = len(rows) > first
    rows = rows[:first]
    names = [c._meta.name for c in order]
    edges = [Edge(cursor=encode_cursor([row[n] for n in names]), node=node(row)) for row in rows]

    async def count() -> int:
        counted = table.count()
        for condition in filters:
            counted = counted.where(condition)
        async with planned():
            return await counted

    return connection(edges, has_next=has_next, has_previous=after is not None, count=count)


def paginate_list(
    info: strawberry.Info, items: list[T], *, first: int, after: str | None
) -> Connection[T]:
    """A page of an already ordered list, with offset cursors: for short lists whose order
    is computed (relevance, derived types) rather than stored."""
    check_first(info, first)
    start = 0
    if after is not None:
        values = decode_cursor(after)
        position = values[0] if len(values) == 1 else None
        # Held to the database's integer like every cursor, though an offset never reaches it.
        if not fits_integer(position) or position < 0:
            raise BadArgument("`after` is not a cursor of this list.", "after")
        start = position + 1
    page = items[start : start + first]
    edges = [Edge(cursor=encode_cursor([start + i]), node=n) for i, n in enumerate(page)]

    async def count() -> int:
        return len(items)

    return connection(
        edges, has_next=start + first < len(items), has_previous=start > 0, count=count
    )
