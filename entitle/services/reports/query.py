"""The account reports as SQL: one statement per page, per group list, per count and per
export, whatever the number of accounts (CERT-2, REP-1).

Every report is `SELECT ... FROM (<base>) r WHERE <filters>`: the base computes each
column of each account in scope (the counts as correlated subqueries, so a page computes
them only for the accounts it shows unless a filter or a group needs them), and filters,
groups and keyset pages work on its named columns.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from piccolo.querystring import QueryString

from entitle import db
from entitle.enums import AccountStatus
from entitle.models import Account
from entitle.services.reports.columns import SPECS, Column, Kind, alias
from entitle.services.reports.definition import Definition, Filter, Operator
from entitle.services.reports.scope import Scope
from entitle.storable import fits_integer, storable_text

_ACTIVE_ROLE_GRANTS = """
SELECT rg.privilege FROM role_assignment ra
JOIN role r ON r.id = ra.role AND r.status = 'ACTIVE'
JOIN role_grant rg ON rg.role = r.id
WHERE ra.account = a.id"""

_PLAIN = {
    Column.USER_ID: "a.user_id",
    Column.FIRST_NAME: "a.first_name",
    Column.LAST_NAME: "a.last_name",
    Column.EMAIL: "a.email",
    Column.PHONE: "a.phone",
    Column.TITLE: "a.title",
    Column.DEPARTMENT: "a.department",
    Column.USER_TYPE: "a.user_type",
    Column.ACCOUNT_KIND: "a.kind",
    Column.STATUS: "a.status",
    Column.CREATED_AT: "a.created_at",
    Column.LAST_SIGN_IN_AT: "a.last_sign_in_at",
}


def _in_list(column: str, ids: frozenset[int] | None) -> QueryString:
    if ids is None:
        return QueryString("")
    if not ids:
        return QueryString(" AND 1 = 0")
    values = sorted(ids)
    return QueryString(f" AND {column} IN ({', '.join('{}' for _ in values)})", *values)


def _visible(column: str, scope: Scope) -> QueryString:
    """ROLE-7: only the roles the viewer may read are counted, listed or named."""
    roles = scope.visible_roles()
    return QueryString("") if roles is None else QueryString(f" AND {column} IN ({{}})", roles)


def base(scope: Scope, include_deleted: bool) -> QueryString:
    """Every column of every account in scope, one row per account."""
    plain = ", ".join(f"{sql} AS {alias(c)}" for c, sql in _PLAIN.items())
    accounts = scope.accounts()
    return QueryString(
        f"""SELECT a.id AS id, {plain},
  (SELECT count(*) FROM role_assignment ra JOIN role r ON r.id = ra.role
   WHERE ra.account = a.id AND r.status = 'ACTIVE'{{}}) AS {alias(Column.ROLES)},
  (SELECT count(*) FROM account_grant g WHERE g.account = a.id{{}})
    AS {alias(Column.ENTITLEMENTS_OUTSIDE_ROLES)},
  (SELECT count(*) FROM (
     SELECT g.privilege FROM account_grant g WHERE g.account = a.id
     UNION {_ACTIVE_ROLE_GRANTS}) e WHERE 1 = 1{{}}) AS {alias(Column.ALL_ENTITLEMENTS)}
FROM account a
WHERE a.organization = {{}}{{}}{{}}""",
        _visible("r.id", scope),
        _in_list("g.privilege", scope.privileges),
        _in_list("e.privilege", scope.privileges),
        scope.organization_id,
        QueryString("")
        if include_deleted
        else QueryString(f" AND a.status <> '{AccountStatus.DELETED}'"),
        QueryString("") if accounts is None else QueryString(" AND a.id IN ({})", accounts),
    )


# --- filters ---------------------------------------------------------------------------------


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _day(value: date) -> tuple[datetime, datetime]:
    start = datetime.combine(value, time(), tzinfo=UTC)
    return start, start + timedelta(days=1)


def _condition(f: Filter) -> QueryString:
    column = f"r.{alias(f.column)}"
    kind, op, value = SPECS[f.column].kind, f.operator, f.typed_value()
    if kind is Kind.TEXT:
        text = f"lower(coalesce({column}, ''))"
        match op:
            case Operator.EQUALS:
                return QueryString(f"{text} = {{}}", str(value).lower())
            case Operator.NOT_EQUALS:
                return QueryString(f"{text} <> {{}}", str(value).lower())
            case Operator.CONTAINS:
                pattern = f"%{_escape_like(str(value).lower())}%"
                return QueryString(f"{text} LIKE {{}} ESCAPE '\\'", pattern)
            case Operator.STARTS_WITH:
                pattern = f"{_escape_like(str(value).lower())}%"
                return QueryString(f"{text} LIKE {{}} ESCAPE '\\'", pattern)
            case Operator.IS_EMPTY:
                return QueryString(f"coalesce({column}, '') = ''")
            case Operator.IS_NOT_EMPTY:
                return QueryString(f"coalesce({column}, '') <> ''")
    if kind is Kind.DATE:
        if op is Operator.IS_EMPTY:
            return QueryString(f"{column} IS NULL")
        if op is Operator.IS_NOT_EMPTY:
            return QueryString(f"{column} IS NOT NULL")
        assert isinstance(value, date)
        start, end = _day(value)
        match op:
            case Operator.EQUALS:
                return QueryString(f"({column} >= {{}} AND {column} < {{}})", start, end)
            case Operator.NOT_EQUALS:
                return QueryString(
                    f"({column} IS NULL OR {column} < {{}} OR {column} >= {{}})", start, end
                )
            case Operator.LESS_THAN:
                return QueryString(f"{column} < {{}}", start)
            case Operator.GREATER_THAN:
                return QueryString(f"{column} >= {{}}", end)
    comparison = {
        Operator.EQUALS: "=",
        Operator.NOT_EQUALS: "<>",
        Operator.LESS_THAN: "<",
        Operator.GREATER_THAN: ">",
    }[op]
    return QueryString(f"{column} {comparison} {{}}", value)


def _where(filters: Sequence[Filter], *extra: QueryString) -> QueryString:
    conditions = [_condition(f) for f in filters] + list(extra)
    if not conditions:
        return QueryString("")
    return QueryString(" WHERE " + " AND ".join("{}" for _ in conditions), *conditions)


# --- grouping and order ------------------------------------------------------------------


def group_key(column: Column) -> str:
    """The value rows are grouped and ordered by: never NULL (so keyset cursors compare),
    and a day for dates."""
    name = f"r.{alias(column)}"
    kind = SPECS[column].kind
    if kind is Kind.DATE:
        day = (
            f"to_char({name} AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
            if db.is_postgres()
            else f"substr({name}, 1, 10)"
        )
        return f"coalesce({day}, '')"
    if kind is Kind.COUNT:
        return name
    return f"coalesce({name}, '')"


def _order(definition: Definition) -> list[str]:
    """Groups first, so a group's rows come together; then user ID, then id (unique)."""
    return [group_key(c) for c in definition.group_by] + [f"r.{alias(Column.USER_ID)}", "r.id"]


# --- running it --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    account_id: int
    values: dict[Column, Any]  # every column, typed (datetimes as aware UTC datetimes)
    key: list[Any]  # the keyset position, for the cursor


def _datetime(value: Any) -> datetime | None:
    # SQLite hands back computed timestamps as the text piccolo stored.
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value


def _row(raw: dict[str, Any], keys: int) -> Row:
    values = {c: raw[alias(c)] for c in Column}
    for column, spec in SPECS.items():
        if spec.kind is Kind.DATE:
            values[column] = _datetime(values[column])
    return Row(
        account_id=raw["id"],
        values=values,
        key=[raw[f"k{i}"] for i in range(keys)],
    )


def _select(
    scope: Scope,
    definition: Definition,
    after: list[Any] | None,
    detail: QueryString | None = None,
) -> QueryString:
    """The report's rows in order; with `detail` (rows keyed by `account`), each account's
    detail rows joined in, in order (an account without any keeps one row)."""
    order = _order(definition)
    keys = ", ".join(f"{expr} AS k{i}" for i, expr in enumerate(order))
    extra = []
    if after is not None:
        placeholders = ", ".join("{}" for _ in after)
        extra.append(QueryString(f"({', '.join(order)}) > ({placeholders})", *after))
    if detail is None:
        return QueryString(
            f"SELECT r.*, {keys} FROM ({{}}) r{{}} ORDER BY {', '.join(order)}",
            base(scope, definition.include_deleted),
            _where(definition.filters, *extra),
        )
    return QueryString(
        f"SELECT r.*, {keys}, d.* FROM ({{}}) r LEFT JOIN ({{}}) d ON d.account = r.id{{}} "
        f"ORDER BY {', '.join(order)}, d.sort_key",
        base(scope, definition.include_deleted),
        detail,
        _where(definition.filters, *extra),
    )


def cursor_fits(definition: Definition, after: list[Any]) -> bool:
    """A cursor of this definition's order: group keys (text or counts), user ID, id, each
    a value the database can compare (a forged one holds any JSON)."""
    numeric = [SPECS[c].kind is Kind.COUNT for c in definition.group_by] + [False, True]
    if len(after) != len(numeric):
        return False
    return all(
        fits_integer(value) if is_number else isinstance(value, str) and storable_text(value)
        for is_number, value in zip(numeric, after, strict=True)
    )


async def page(
    scope: Scope, definition: Definition, *, first: int, after: list[Any] | None
) -> tuple[list[Row], bool]:
    """Up to `first` rows after the keyset position `after`, and whether more follow."""
    query = QueryString("{} LIMIT {}", _select(scope, definition, after), first + 1)
    raw = await Account.raw("{}", query)
    keys = len(definition.group_by) + 2
    rows = [_row(r, keys) for r in raw[:first]]
    return rows, len(raw) > first


async def count(scope: Scope, definition: Definition) -> int:
    query = QueryString(
        "SELECT count(*) AS n FROM ({}) r{}",
        base(scope, definition.include_deleted),
        _where(definition.filters),
    )
    return (await Account.raw("{}", query))[0]["n"]


@dataclass(frozen=True, slots=True)
class Group:
    values: tuple[Any, ...]  # one per group-by column: text, a count or a day (YYYY-MM-DD)
    count: int


async def groups(scope: Scope, definition: Definition, *, first: int) -> list[Group]:
    """The groups of a grouped report in order, with how many rows each holds."""
    if not definition.group_by:
        return []
    keys = [group_key(c) for c in definition.group_by]
    named = ", ".join(f"{k} AS k{i}" for i, k in enumerate(keys))
    query = QueryString(
        f"SELECT {named}, count(*) AS n FROM ({{}}) r{{}} GROUP BY {', '.join(keys)} "
        f"ORDER BY {', '.join(keys)} LIMIT {{}}",
        base(scope, definition.include_deleted),
        _where(definition.filters),
        first,
    )
    rows = await Account.raw("{}", query)
    return [Group(values=tuple(r[f"k{i}"] for i in range(len(keys))), count=r["n"]) for r in rows]


async def stream(scope: Scope, definition: Definition) -> AsyncIterator[list[Row]]:
    """Every row of the report in order, in batches, in constant memory: one statement."""
    keys = len(definition.group_by) + 2
    async for batch in db.stream(_select(scope, definition, None)):
        yield [_row(r, keys) for r in batch]


# --- the guide's three sub-tables, for advanced exports ----------------------------------------


class SubTable(StrEnum):
    ENTITLEMENTS_OUTSIDE_ROLES = "ENTITLEMENTS_OUTSIDE_ROLES"
    ALL_ENTITLEMENTS = "ALL_ENTITLEMENTS"
    ROLES = "ROLES"


_GRANT = """SELECT {account} AS account, ap.name AS application, p.name AS entitlement,
  p.code AS code, {level} AS level, {source} AS source, p.code AS sort_key
FROM {source_tables}
JOIN privilege p ON p.id = {privilege} JOIN application ap ON ap.id = p.application"""
_DIRECT = _GRANT.format(
    account="g.account",
    level="g.level",
    source="''",
    source_tables="account_grant g",
    privilege="g.privilege",
)
_VIA_ROLE = _GRANT.format(
    account="ra.account",
    level="rg.level",
    # A role the viewer may not read is named by no name: NULL (ROLE-7).
    source="CASE WHEN 1 = 1{} THEN r.name END",
    source_tables="role_assignment ra JOIN role r ON r.id = ra.role AND r.status = 'ACTIVE' "
    "JOIN role_grant rg ON rg.role = r.id",
    privilege="rg.privilege",
)


def _detail(sub_table: SubTable, scope: Scope) -> QueryString:
    """Detail rows of the organization's accounts only: joined to the report as a subquery,
    SQLite would otherwise build them for every account (6.4 s for an export of 1% of
    100,000 accounts)."""

    def own(account: str) -> QueryString:
        return QueryString(
            f" AND {account} IN (SELECT id FROM account WHERE organization = {{}})",
            scope.organization_id,
        )

    if sub_table is SubTable.ROLES:
        return QueryString(
            "SELECT ra.account AS account, r.name AS role, r.name AS sort_key "
            "FROM role_assignment ra JOIN role r ON r.id = ra.role AND r.status = 'ACTIVE' "
            "WHERE 1 = 1{}{}",
            own("ra.account"),
            _visible("r.id", scope),
        )
    direct = QueryString(
        f"{_DIRECT} WHERE 1 = 1{{}}{{}}",
        own("g.account"),
        _in_list("g.privilege", scope.privileges),
    )
    if sub_table is SubTable.ENTITLEMENTS_OUTSIDE_ROLES:
        return direct
    via_role = QueryString(
        f"{_VIA_ROLE} WHERE 1 = 1{{}}{{}}",
        _visible("r.id", scope),
        own("ra.account"),
        _in_list("rg.privilege", scope.privileges),
    )
    # One row per source; the export folds an account's rows of one privilege into one.
    return QueryString("{} UNION ALL {}", direct, via_role)


@dataclass(frozen=True, slots=True)
class DetailRow:
    row: Row
    detail: dict[str, Any] | None  # None: the account has no row in the sub-table


async def stream_details(
    scope: Scope, definition: Definition, sub_table: SubTable
) -> AsyncIterator[list[DetailRow]]:
    """The report joined with one sub-table, in report order and then by entitlement code
    or role name: one statement, in constant memory."""
    keys = len(definition.group_by) + 2
    detail_query = _detail(sub_table, scope)
    row: Row | None = None
    async for batch in db.stream(_select(scope, definition, None, detail_query)):
        items = []
        for raw in batch:
            # An account's detail rows are adjacent: its columns are read once.
            if row is None or row.account_id != raw["id"]:
                row = _row(raw, keys)
            items.append(DetailRow(row=row, detail=None if raw["sort_key"] is None else raw))
        yield items
