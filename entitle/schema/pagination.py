"""Relay cursor connections, with keyset cursors."""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import strawberry

from entitle.authz.guards import STRUCTURAL, field
from entitle.errors import BadArgument

T = TypeVar("T")


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


def decode_cursor(cursor: str) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError as exc:
        raise BadArgument("`after` is not a cursor this API returned.", "after") from exc
    if not isinstance(values, list):
        raise BadArgument("`after` is not a cursor this API returned.", "after")
    return values


@strawberry.type(description="Where a page sits in its list.")
class PageInfo:
    has_next_page: bool = field(STRUCTURAL)
    has_previous_page: bool = field(STRUCTURAL)
    start_cursor: str | None = field(STRUCTURAL)
    end_cursor: str | None = field(STRUCTURAL)


@strawberry.type
class Edge(Generic[T]):
    cursor: str = field(STRUCTURAL)
    node: T = field(STRUCTURAL)


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]] = field(STRUCTURAL)
    page_info: PageInfo = field(STRUCTURAL)
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @field(STRUCTURAL, description="How many items the whole list has, for this viewer and filter.")
    async def total_count(self) -> int:
        return await self.count()
