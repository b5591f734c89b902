"""What a report shows: chosen columns, filters and grouping (CERT-2, REP-1). Validated
once, here, so the SQL builder only ever sees well-typed values; stored as JSON by saved
reports and exports."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from entitle.services.errors import Invalid
from entitle.services.reports.columns import DEFAULT_COLUMNS, SPECS, Column, Kind
from entitle.storable import INT_MAX

MAX_FILTERS = 20
MAX_GROUPS = 3
MAX_VALUE_LENGTH = 200


class Operator(StrEnum):
    EQUALS = "EQUALS"
    NOT_EQUALS = "NOT_EQUALS"
    CONTAINS = "CONTAINS"
    STARTS_WITH = "STARTS_WITH"
    LESS_THAN = "LESS_THAN"
    GREATER_THAN = "GREATER_THAN"
    IS_EMPTY = "IS_EMPTY"
    IS_NOT_EMPTY = "IS_NOT_EMPTY"


# Which operators make sense for which kind of column.
OPERATORS: dict[Kind, frozenset[Operator]] = {
    Kind.TEXT: frozenset(
        {
            Operator.EQUALS,
            Operator.NOT_EQUALS,
            Operator.CONTAINS,
            Operator.STARTS_WITH,
            Operator.IS_EMPTY,
            Operator.IS_NOT_EMPTY,
        }
    ),
    Kind.CHOICE: frozenset({Operator.EQUALS, Operator.NOT_EQUALS}),
    Kind.DATE: frozenset(
        {
            Operator.EQUALS,
            Operator.NOT_EQUALS,
            Operator.LESS_THAN,
            Operator.GREATER_THAN,
            Operator.IS_EMPTY,
            Operator.IS_NOT_EMPTY,
        }
    ),
    Kind.COUNT: frozenset(
        {Operator.EQUALS, Operator.NOT_EQUALS, Operator.LESS_THAN, Operator.GREATER_THAN}
    ),
}
VALUELESS = frozenset({Operator.IS_EMPTY, Operator.IS_NOT_EMPTY})


@dataclass(frozen=True, slots=True)
class Filter:
    column: Column
    operator: Operator
    value: str | None = None

    def typed_value(self) -> str | int | date | None:
        """The value as the column's kind holds it (validated by `Definition.validated`)."""
        if self.value is None:
            return None
        kind = SPECS[self.column].kind
        if kind is Kind.COUNT:
            return int(self.value)
        if kind is Kind.DATE:
            return date.fromisoformat(self.value)
        return self.value


@dataclass(frozen=True, slots=True)
class Definition:
    columns: tuple[Column, ...] = DEFAULT_COLUMNS
    filters: tuple[Filter, ...] = ()
    group_by: tuple[Column, ...] = ()
    include_deleted: bool = False

    @classmethod
    def validated(
        cls,
        *,
        columns: list[Column] | None = None,
        filters: list[Filter] | None = None,
        group_by: list[Column] | None = None,
        include_deleted: bool = False,
        field_prefix: str = "definition",
    ) -> Definition:
        """A definition, or Invalid naming the first bad part (`definition.filters.2.value`)."""
        chosen = tuple(dict.fromkeys(columns)) if columns else DEFAULT_COLUMNS
        groups = tuple(dict.fromkeys(group_by or ()))
        if len(groups) > MAX_GROUPS:
            raise Invalid(f"Group by at most {MAX_GROUPS} columns.", f"{field_prefix}.groupBy")
        filters = list(filters or ())
        if len(filters) > MAX_FILTERS:
            raise Invalid(f"At most {MAX_FILTERS} filters.", f"{field_prefix}.filters")
        checked = tuple(_check(f, f"{field_prefix}.filters.{i}") for i, f in enumerate(filters))
        return cls(
            columns=chosen,
            filters=checked,
            group_by=groups,
            include_deleted=include_deleted,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "columns": [c.value for c in self.columns],
            "filters": [
                {"column": f.column.value, "operator": f.operator.value, "value": f.value}
                for f in self.filters
            ],
            "groupBy": [c.value for c in self.group_by],
            "includeDeleted": self.include_deleted,
        }

    @classmethod
    def from_json(cls, stored: str | dict[str, Any]) -> Definition:
        """A stored definition (piccolo hands JSON columns back as text). It was valid when
        stored; a column since retired is dropped rather than breaking a saved report."""
        data = json.loads(stored) if isinstance(stored, str) else stored
        known = set(Column)
        return cls.validated(
            columns=[Column(c) for c in data.get("columns", []) if c in known],
            filters=[
                Filter(Column(f["column"]), Operator(f["operator"]), f.get("value"))
                for f in data.get("filters", [])
                if f["column"] in known
            ],
            group_by=[Column(c) for c in data.get("groupBy", []) if c in known],
            include_deleted=bool(data.get("includeDeleted", False)),
        )


def _check(f: Filter, where: str) -> Filter:
    """The filter with its value trimmed, or Invalid saying what is wrong with it."""
    spec = SPECS[f.column]
    if f.operator not in OPERATORS[spec.kind]:
        allowed = ", ".join(sorted(OPERATORS[spec.kind]))
        raise Invalid(f"{f.column} cannot be filtered with {f.operator}; use {allowed}.", where)
    if f.operator in VALUELESS:
        if f.value not in (None, ""):
            raise Invalid(f"{f.operator} takes no value.", f"{where}.value")
        return Filter(f.column, f.operator, None)
    value = (f.value or "").strip()
    if not value:
        raise Invalid(f"{f.operator} needs a value.", f"{where}.value")
    if len(value) > MAX_VALUE_LENGTH:
        raise Invalid(f"A filter value is at most {MAX_VALUE_LENGTH} characters.", where)
    if spec.kind is Kind.CHOICE and value not in spec.choices:
        raise Invalid(f"{f.column} is one of {', '.join(spec.choices)}.", f"{where}.value")
    # str.isdigit() also takes digits int() refuses ("²") or reads (Arabic-Indic): ASCII only.
    if spec.kind is Kind.COUNT and not (
        value.isascii() and value.isdigit() and int(value) <= INT_MAX
    ):
        raise Invalid(
            f"{f.column} is compared with a whole number from 0 to {INT_MAX}.", f"{where}.value"
        )
    if spec.kind is Kind.DATE:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise Invalid(
                f"{f.column} is compared with a date (YYYY-MM-DD).", f"{where}.value"
            ) from None
        if day == date.max:
            # A day is compared up to the start of the next, and date.max has none.
            raise Invalid(
                f"{f.column} is compared with a date before {date.max.isoformat()}.",
                f"{where}.value",
            )
    return Filter(f.column, f.operator, value)
