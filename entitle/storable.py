"""What the databases can hold, for checking input before it reaches them."""

from __future__ import annotations

import re

# Every id (serial), every reference to one and every Integer column is a PostgreSQL
# integer (int4; bigint only for an export's byte size): a larger parameter makes the
# driver fail rather than match nothing.
INT_MIN = -(2**31)
INT_MAX = 2**31 - 1


def fits_integer(value: object) -> bool:
    """An int (not a bool) the database's integer holds."""
    return type(value) is int and INT_MIN <= value <= INT_MAX


# PostgreSQL's text cannot hold a NUL. A surrogate code point in a str is always lone (JSON
# decodes an escaped pair into one character), and both drivers send text as UTF-8, which
# has no encoding for it.
_UNSTORABLE_CHARACTER = re.compile("[\x00\ud800-\udfff]")


def storable_text(text: str) -> bool:
    """Text without a NUL character or a lone UTF-16 surrogate."""
    return _UNSTORABLE_CHARACTER.search(text) is None
