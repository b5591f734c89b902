"""What the databases can hold, for checking input before it reaches them."""

from __future__ import annotations

# Every id (serial) and every integer column is a PostgreSQL integer (int4); a larger
# parameter makes the driver fail rather than match nothing.
INT_MIN = -(2**31)
INT_MAX = 2**31 - 1


def fits_integer(value: object) -> bool:
    """An int (not a bool) the database's integer holds."""
    return type(value) is int and INT_MIN <= value <= INT_MAX
