"""Writing a report as CSV inside a zip file, batch by batch, in constant memory.

CSV cells that a spreadsheet would run as a formula are neutralised (OWASP "CSV
injection"): a cell starting with =, +, -, @, a tab or a carriage return gets a leading
apostrophe, so Excel shows the text instead of evaluating it.
"""

from __future__ import annotations

import asyncio
import csv
import io
import zipfile
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path
from typing import Any

from entitle.services.reports import query
from entitle.services.reports.columns import SPECS, Column, display
from entitle.services.reports.definition import Definition
from entitle.services.reports.query import SubTable
from entitle.services.reports.scope import Scope

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COUNT_COLUMNS = (Column.ROLES, Column.ENTITLEMENTS_OUTSIDE_ROLES, Column.ALL_ENTITLEMENTS)
LEVEL_NAMES = {"USER": "User", "ADMIN": "Admin"}

DETAIL_HEADERS: dict[SubTable, tuple[str, ...]] = {
    SubTable.ENTITLEMENTS_OUTSIDE_ROLES: ("Application", "Entitlement", "Code", "Access Level"),
    SubTable.ALL_ENTITLEMENTS: ("Application", "Entitlement", "Code", "Access Level", "Source"),
    SubTable.ROLES: ("Role",),
}


def safe(value: str | None) -> str:
    """A cell as written: empty for nothing, and never a formula."""
    if value is None:
        return ""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def quick_columns(definition: Definition) -> tuple[Column, ...]:
    """The quick export: the chosen columns, and the three counts whether chosen or not."""
    return definition.columns + tuple(c for c in COUNT_COLUMNS if c not in definition.columns)


def _cells(columns: Sequence[Column], row: query.Row) -> list[str]:
    return [safe(display(c, row.values[c])) for c in columns]


async def _quick(scope: Scope, definition: Definition) -> AsyncIterator[list[list[str]]]:
    columns = quick_columns(definition)
    yield [[SPECS[c].label for c in columns]]
    async for batch in query.stream(scope, definition):
        yield [_cells(columns, row) for row in batch]


def _source(source: str | None) -> str:
    """Where an entitlement comes from: a role the viewer may not read goes unnamed (ROLE-7)."""
    if source == "":
        return "Direct"
    return "Role" if source is None else f"Role: {source}"


def _entitlement(detail: dict[str, Any]) -> list[str]:
    level = LEVEL_NAMES.get(detail["level"], detail["level"])
    return [detail["application"], detail["entitlement"], detail["code"], level]


async def _advanced(
    scope: Scope, definition: Definition, sub_table: SubTable
) -> AsyncIterator[list[list[str]]]:
    columns = definition.columns
    yield [[SPECS[c].label for c in columns] + list(DETAIL_HEADERS[sub_table])]
    # ALL_ENTITLEMENTS comes one row per source; an account's rows of one privilege are
    # adjacent, so they fold into one line (highest level, every source) as they stream.
    pending: tuple[int, str] | None = None
    folded: list[str] = []
    sources: list[str] = []
    row: query.Row | None = None
    prefix: list[str] = []
    async for batch in query.stream_details(scope, definition, sub_table):
        lines = []
        for item in batch:
            if item.row is not row:
                row, prefix = item.row, _cells(columns, item.row)
            detail = item.detail
            folds = detail is not None and sub_table is SubTable.ALL_ENTITLEMENTS
            key = (item.row.account_id, detail["code"]) if folds else None
            if pending is not None and key != pending:
                lines.append([*folded, "; ".join(sorted(sources))])
                pending = None
            if detail is None:
                lines.append(prefix + [""] * len(DETAIL_HEADERS[sub_table]))
            elif sub_table is SubTable.ROLES:
                lines.append([*prefix, safe(detail["role"])])
            elif sub_table is SubTable.ENTITLEMENTS_OUTSIDE_ROLES:
                lines.append(prefix + [safe(v) for v in _entitlement(detail)])
            else:
                if pending is None:
                    pending, sources = key, []
                    folded = prefix + [safe(v) for v in _entitlement(detail)]
                if detail["level"] == "ADMIN":
                    folded[-1] = LEVEL_NAMES["ADMIN"]
                sources.append(safe(_source(detail["source"])))
        yield lines
    if pending is not None:
        yield [[*folded, "; ".join(sorted(sources))]]


def lines_of(
    scope: Scope, definition: Definition, sub_table: SubTable | None
) -> AsyncIterator[list[list[str]]]:
    """The CSV's lines, header first, in batches."""
    if sub_table is None:
        return _quick(scope, definition)
    return _advanced(scope, definition, sub_table)


class ZipCsvWriter:
    """One CSV file inside a new zip file; `write` appends lines (in a worker thread, so
    compression never holds up the event loop)."""

    def __init__(self, path: Path, member: str) -> None:
        self._zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)
        # force_zip64: the size is unknown while streaming and may pass 2 GiB.
        self._member = self._zip.open(member, "w", force_zip64=True)
        # UTF-8 with a byte order mark, which Excel needs to read accents right.
        self._text = io.TextIOWrapper(self._member, encoding="utf-8-sig", newline="")
        self._csv = csv.writer(self._text)
        self.rows = 0

    async def write(self, lines: Iterable[Sequence[str]]) -> None:
        lines = list(lines)
        await asyncio.to_thread(self._csv.writerows, lines)
        self.rows += len(lines)

    def close(self) -> None:
        self._text.close()  # closes the member too
        self._zip.close()


async def write_zip(
    path: Path, member: str, scope: Scope, definition: Definition, sub_table: SubTable | None
) -> int:
    """Write the export to `path`; the number of data lines written (the header aside)."""
    writer = ZipCsvWriter(path, member)
    try:
        async for lines in lines_of(scope, definition, sub_table):
            await writer.write(lines)
    finally:
        writer.close()
    return writer.rows - 1
