"""Where the time goes: pyinstrument profiles of `nested` and `viewer`, in process.

    .venv/bin/python -m bench.profile [--db sqlite|postgres] [--scale 10000]

Builds the benchmark's data set, signs in as an SAA, runs each query a few times under
the profiler (over the ASGI app, so middleware, authentication, GraphQL and SQL are all
in the profile) and writes the call trees to bench/results/profile-<db>-<query>.txt.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from cryptography.fernet import Fernet
from pyinstrument import Profiler

from bench import dataset
from bench.run import NESTED, login, postgres_database
from entitle import db
from entitle.models import Organization
from entitle.runtime import Runtime
from entitle.schema.node import to_global_id
from entitle.server import create_app
from entitle.services.migrations import migrate
from entitle.settings import load_settings

ROOT = Path(__file__).parent
RUNS = {"nested": 10, "viewer": 1000}


async def profile(args) -> None:
    drop = None
    if args.db == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp()}/profile.sqlite"
    else:
        url, drop = await postgres_database(args.postgres_url)
    settings = load_settings(
        {
            "ENTITLE_ENV": "production",
            "ENTITLE_DATABASE_URL": url,
            "ENTITLE_DATA_KEYS": Fernet.generate_key().decode(),
            "ENTITLE_JOBS_INTERVAL_SECONDS": "0",
            "ENTITLE_LOG_LEVEL": "WARNING",
        }
    )
    runtime = Runtime(settings)
    db.bind_settings(settings)
    await db.open_database()
    try:
        await migrate()
        await dataset.build(runtime, organizations=20, accounts=args.scale, now=datetime.now(UTC))
        org = (
            await Organization.select(Organization.id)
            .where(Organization.number == "200000")
            .first()
        )
        queries = {
            "nested": {
                "query": NESTED,
                "variables": {"id": to_global_id("Organization", org["id"]), "first": 500},
            },
            "viewer": {"query": "{ viewer { userId } }"},
        }
        app = create_app(runtime=runtime)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            headers = {"authorization": f"Bearer {await login(client, 'saa.bench00')}"}
            for name, body in queries.items():
                for _ in range(3):  # warm caches, as a running server has them
                    await client.post("/graphql", json=body, headers=headers)
                profiler = Profiler(interval=0.0005)
                started = time.perf_counter()
                with profiler:
                    for _ in range(RUNS[name]):
                        response = await client.post("/graphql", json=body, headers=headers)
                        assert "errors" not in response.json(), response.text[:300]
                elapsed = (time.perf_counter() - started) / RUNS[name] * 1000
                path = args.out / f"profile-{args.db}-{name}.txt"
                path.write_text(
                    f"# {name}: {RUNS[name]} requests, {elapsed:.2f} ms each under the "
                    f"profiler ({args.db}, {args.scale} accounts)\n"
                    + profiler.output_text(unicode=False, color=False, show_all=False)
                )
                print(f"{name}: {elapsed:.2f} ms per request under the profiler -> {path}")
    finally:
        await db.close_database()
        if drop:
            await drop()


def cli() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--scale", type=int, default=10_000)
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--out", type=Path, default=ROOT / "results")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    asyncio.run(profile(args))


if __name__ == "__main__":
    cli()
