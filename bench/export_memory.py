"""Memory of a report export as its rows grow (CERT-2, REP-1: exports stream).

    .venv/bin/python -m bench.export_memory [--db sqlite|postgres] [--accounts 100000]

Builds one organization of `--accounts` accounts (bench/dataset.py), then writes its
accounts certification report, quick and advanced (all entitlements, about four lines per
account), for 1%, 10% and 100% of the accounts (filters on the user ID). Each export runs
in a fresh process that measures:

- rss_growth_mb / anon_growth_mb: the highest resident memory sampled every 5 ms during
  the export, less the same just before it: all of it (VmRSS, which counts the database
  file's pages the process maps) and its own allocations alone (RssAnon);
- traced_peak_mb: the peak of Python allocations during the export (tracemalloc, in a
  second fresh process, since tracing slows the export down).

Flat numbers as rows grow 100-fold mean constant memory. Writes
bench/results/export-memory-<db>.json and prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

from cryptography.fernet import Fernet

from bench import dataset
from bench.run import postgres_database
from entitle import db
from entitle.models import Organization
from entitle.runtime import Runtime
from entitle.services.migrations import migrate
from entitle.services.reports import files
from entitle.services.reports.columns import Column
from entitle.services.reports.definition import Definition, Filter, Operator
from entitle.services.reports.query import SubTable
from entitle.services.reports.scope import Scope
from entitle.settings import load_settings

ROOT = Path(__file__).parent
# User IDs run u00.000001 .. u00.099999: each prefix selects a tenth of the one before.
SHARES = {"1%": "u00.000", "10%": "u00.00", "100%": None}
FORMATS = {"quick": None, "advanced (all entitlements)": SubTable.ALL_ENTITLEMENTS}


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


class PeakSampler(threading.Thread):
    """The highest resident memory seen while running: all of it (VmRSS) and the
    process's own allocations (RssAnon, without the database file's cached pages)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.rss = self.anon = 0.0

    def run(self) -> None:
        while not self.stop.wait(0.005):
            self.rss = max(self.rss, _status_mb("VmRSS"))
            self.anon = max(self.anon, _status_mb("RssAnon"))


async def _child(url: str, prefix: str | None, sub_table: str | None, trace: bool) -> dict:
    settings = load_settings(
        {"ENTITLE_ENV": "production", "ENTITLE_DATABASE_URL": url, "ENTITLE_DATA_KEYS": KEY}
    )
    db.bind_settings(settings)
    await db.open_database()
    org = await Organization.select(Organization.id).where(Organization.number == "200000").first()
    filters = [] if prefix is None else [Filter(Column.USER_ID, Operator.STARTS_WITH, prefix)]
    definition = Definition.validated(filters=filters, include_deleted=True)
    path = Path(tempfile.mkdtemp()) / "export.zip"
    before_rss, before_anon = _status_mb("VmRSS"), _status_mb("RssAnon")
    sampler = PeakSampler()
    sampler.start()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    rows = await files.write_zip(
        path,
        "export.csv",
        Scope.whole_organization(org["id"]),
        definition,
        None if sub_table is None else SubTable(sub_table),
    )
    seconds = time.perf_counter() - started
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    sampler.stop.set()
    sampler.join()
    await db.close_database()
    return {
        "lines": rows,
        "seconds": round(seconds, 2),
        "zip_mb": round(path.stat().st_size / 2**20, 2),
        "rss_before_mb": round(before_rss, 1),
        "rss_growth_mb": round(sampler.rss - before_rss, 1),
        "anon_growth_mb": round(sampler.anon - before_anon, 1),
        "traced_peak_mb": None if traced is None else round(traced, 2),
    }


KEY = os.environ.get("BENCH_DATA_KEY") or Fernet.generate_key().decode()


def _run_child(url: str, prefix: str | None, sub_table: SubTable | None, trace: bool) -> dict:
    command = [sys.executable, "-m", "bench.export_memory", "--child", "--url", url]
    if prefix:
        command += ["--prefix", prefix]
    if sub_table:
        command += ["--sub-table", sub_table.value]
    if trace:
        command.append("--trace")
    out = subprocess.run(
        command,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT.parent,
        env={**os.environ, "BENCH_DATA_KEY": KEY},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


async def _build(args) -> tuple[str, object]:
    drop = None
    if args.db == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    else:
        url, drop = await postgres_database(args.postgres_url)
    settings = load_settings(
        {"ENTITLE_ENV": "production", "ENTITLE_DATABASE_URL": url, "ENTITLE_DATA_KEYS": KEY}
    )
    db.bind_settings(settings)
    await db.open_database()
    try:
        await migrate()
        await dataset.build(
            Runtime(settings), organizations=1, accounts=args.accounts, now=datetime.now(UTC)
        )
        if args.db == "sqlite":
            # Fold the build's write-ahead log into the file, so no export pays for it.
            await db.engine().run_ddl("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        await db.close_database()
    return url, drop


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "ENTITLE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--prefix", help=argparse.SUPPRESS)
    parser.add_argument("--sub-table", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(_child(args.url, args.prefix, args.sub_table, args.trace))))
        return
    url, drop = asyncio.run(_build(args))
    results = []
    try:
        for format_name, sub_table in FORMATS.items():
            for share, prefix in SHARES.items():
                measured = _run_child(url, prefix, sub_table, trace=False)
                traced = _run_child(url, prefix, sub_table, trace=True)
                measured["traced_peak_mb"] = traced["traced_peak_mb"]
                results.append({"format": format_name, "accounts": share, **measured})
                print(json.dumps(results[-1]), flush=True)
    finally:
        if drop is not None:
            asyncio.run(drop())
    report = {
        "db": args.db,
        "accounts": args.accounts,
        "cores": os.cpu_count(),
        "command": f"python -m bench.export_memory --db {args.db} --accounts {args.accounts}",
        "results": results,
    }
    out = ROOT / "results" / f"export-memory-{args.db}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(
        f"{'format':<28} {'accounts':>8} {'lines':>8} {'s':>6} {'zip MB':>7} "
        f"{'RSS +MB':>8} {'anon +MB':>8} {'traced MB':>9}"
    )
    for r in results:
        print(
            f"{r['format']:<28} {r['accounts']:>8} {r['lines']:>8} {r['seconds']:>6} "
            f"{r['zip_mb']:>7} {r['rss_growth_mb']:>8} {r['anon_growth_mb']:>8} "
            f"{r['traced_peak_mb']:>9}"
        )
    print(f"written: {out}")


if __name__ == "__main__":
    main()
