"""Case-insensitive text matching that means the same on SQLite and PostgreSQL."""

from __future__ import annotations

import re

from piccolo.columns.combination import WhereRaw


def escape_like(text: str) -> str:
    """Typed `%`, `_` and `\\` match themselves."""
    return re.sub(r"([\\_%])", r"\\\1", text)


def like(expression: str, pattern: str, *, lowered: bool = False) -> WhereRaw:
    """`lower(expression)` LIKE `pattern` (already lowercased and escaped as wanted); a
    `lowered` expression is stored in lower case and compared as it is, so an index on it
    serves."""
    compared = expression if lowered else f"lower({expression})"
    return WhereRaw(f"{compared} LIKE {{}} ESCAPE '\\'", pattern)


def contains(expression: str, text: str, *, lowered: bool = False) -> WhereRaw:
    return like(expression, f"%{escape_like(text.strip().lower())}%", lowered=lowered)


def equals(expression: str, text: str) -> WhereRaw:
    return WhereRaw(f"lower({expression}) = {{}}", text.strip().lower())
