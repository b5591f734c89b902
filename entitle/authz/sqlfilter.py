"""Compile the policy's allowed fact combinations into one SQL condition.

The compiler factors the allowed set one dimension at a time, merging values whose
remaining sub-conditions are identical, so "status is anything but DELETED and kind is
HUMAN" becomes two IN lists rather than eighteen OR'ed equalities.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

from piccolo.custom_types import Combinable

from entitle.authz.actor import Viewer
from entitle.authz.facts import NEVER, Dimension


class _Always:
    """Marker for "no condition": every row is allowed."""


ALWAYS = _Always()
SqlCondition = Combinable | _Always


def _and(left: SqlCondition, right: SqlCondition) -> SqlCondition:
    if isinstance(left, _Always):
        return right
    if isinstance(right, _Always):
        return left
    return left & right


def _or(terms: list[SqlCondition]) -> SqlCondition:
    if not terms:
        return NEVER
    if any(isinstance(t, _Always) for t in terms):
        return ALWAYS
    result = terms[0]
    for term in terms[1:]:
        result = result | term
    return result


def compile_condition(
    allowed: frozenset[tuple], dimensions: Sequence[Dimension], viewer: Viewer
) -> SqlCondition:
    """SQL that selects exactly the rows whose facts are in `allowed`."""

    def go(rows: frozenset[tuple], depth: int) -> SqlCondition:
        if not rows:
            return NEVER
        remaining = dimensions[depth:]
        if len(rows) == math.prod(len(d.values) for d in remaining):
            return ALWAYS
        dimension = dimensions[depth]
        suffixes: dict[object, set[tuple]] = defaultdict(set)
        for row in rows:
            suffixes[row[0]].add(row[1:])
        values_by_suffix: dict[frozenset[tuple], list[object]] = defaultdict(list)
        for value in dimension.values:
            if value in suffixes:
                values_by_suffix[frozenset(suffixes[value])].append(value)
        terms: list[SqlCondition] = []
        for suffix, values in values_by_suffix.items():
            sub = go(suffix, depth + 1)
            if len(values) == len(dimension.values):
                terms.append(sub)
                continue
            if dimension.sql is None:
                raise TypeError(f"dimension {dimension.name!r} cannot be filtered in SQL")
            terms.append(_and(dimension.sql(viewer, values), sub))
        return _or(terms)

    return go(allowed, 0)
