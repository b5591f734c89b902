"""Benchmark the gateway against its physical floor.

    .venv/bin/python -m bench.run [--db sqlite|postgres] [--scale 10000] [--orgs 20]

Builds its own data set, starts the real server (uvicorn, production settings) and
measures: nested (latency, SQL statements, bytes), floor (hand-written SQL + JSON),
allow-all (the nested query under an allow-everything policy: the price of
authorization), viewer (throughput and p50/p99 at N concurrent clients from a second
process), search (account search p50/p95), mutation (grant + revoke throughput, audit and
outbox included) and server RSS. Prints one table and writes it as JSON under
bench/results/ with the machine's core count, so runs compare as ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import pyotp
from cryptography.fernet import Fernet

from bench import dataset, floor
from entitle import db, demo
from entitle.authz.engine import Authorizer, load_oso
from entitle.models import Account, Organization, Privilege
from entitle.runtime import Runtime
from entitle.schema.node import to_global_id
from entitle.server import create_app
from entitle.services.migrations import migrate
from entitle.settings import load_settings

ROOT = Path(__file__).parent
NESTED = """
query($id: ID!, $first: Int!) { organization(id: $id) { accounts(first: $first) { edges { node {
  userId status roles { name }
  effectiveGrants { level privilege { name application { name } } }
} } } } }
"""
SEARCHES = ["ada", '"ada.baker"', "chen", "lopez", "u03", "bench.example", "hughes ito", "qu"]
GRANT = """
mutation($input: AccountEntitlementsUpdateInput!) {
  accountEntitlementsUpdate(input: $input) { errors { code } }
}
"""
ALLOW_ALL = "allow(_actor, _action, _resource);\n"


def summary(samples: list[float]) -> dict:
    ms = sorted(s * 1000 for s in samples)
    return {"min_ms": ms[0], "median_ms": statistics.median(ms), "max_ms": ms[-1]}


async def timed(repeat: int, call: Callable[[], Awaitable[object]]) -> list[float]:
    await call()  # warm-up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - start)
    return samples


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def postgres_database(admin_url: str) -> tuple[str, Callable[[], Awaitable[None]]]:
    name = f"entitle_bench_{os.getpid()}"
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()

    async def drop() -> None:
        admin = await asyncpg.connect(admin_url)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()

    return admin_url.rsplit("/", 1)[0] + f"/{name}", drop


DEVICES: dict[str, str] = {}  # user ID -> device token, so MFA is passed once per run


async def login(client: httpx.AsyncClient, user_id: str) -> str:
    """Sign in as the SAA: password, then (on the first sign-in of the run) a TOTP code."""
    fields = "step token deviceToken errors { code }"
    response = await client.post(
        "/graphql",
        json={
            "query": f"mutation($i: LoginInput!) {{ login(input: $i) {{ {fields} }} }}",
            "variables": {
                "i": {
                    "userId": user_id,
                    "password": dataset.PASSWORD,
                    "deviceToken": DEVICES.get(user_id),
                }
            },
        },
    )
    payload = response.json()["data"]["login"]
    DEVICES[user_id] = payload["deviceToken"] or DEVICES[user_id]
    if payload["step"] == "VERIFY_MFA":
        response = await client.post(
            "/graphql",
            json={
                "query": "mutation($i: SignInMfaInput!) { signInVerifyMfa(input: $i) "
                f"{{ {fields} }} }}",
                "variables": {
                    "i": {
                        "token": payload["token"],
                        "code": pyotp.TOTP(demo.DEMO_TOTP_SECRET).now(),
                    }
                },
            },
        )
        payload = response.json()["data"]["signInVerifyMfa"]
    assert payload["step"] == "DONE", payload
    return payload["token"]


def rss_mb(pid: int) -> list[float]:
    """The resident memory of the server process and of each of its children (workers)."""
    sizes = []
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            sizes.append(int(line.split()[1]) / 1024)
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            sizes += rss_mb(int(child))
    return sizes


async def in_process(runtime: Runtime, variables: dict, repeat: int) -> dict:
    """Nested under the real policy and under allow-all, and the floor, in this process."""
    results = {}
    allow_all = Path(tempfile.mkdtemp()) / "allow_all.polar"
    allow_all.write_text(ALLOW_ALL)
    for name, authorizer in (
        ("nested_in_process", runtime.authorizer),
        ("allow_all", Authorizer(load_oso([allow_all]))),
    ):
        app = create_app(runtime=Runtime(runtime.settings, authorizer=authorizer))
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench"
        ) as client:
            token = await login(client, "saa.bench00")
            headers = {"authorization": f"Bearer {token}"}

            async def call(client=client, headers=headers) -> httpx.Response:
                response = await client.post(
                    "/graphql", json={"query": NESTED, "variables": variables}, headers=headers
                )
                assert "errors" not in response.json(), response.text[:500]
                return response

            results[name] = summary(await timed(repeat, call))
            with db.count_statements() as stats:
                response = await call()
            results[name] |= {"sql_statements": stats.statements, "bytes": len(response.content)}
    org = variables["organization_pk"]
    samples = await timed(repeat, lambda: floor.nested(org, variables["first"]))
    results["floor"] = summary(samples) | {
        "bytes": len(await floor.nested(org, variables["first"]))
    }
    return results


async def over_http(base: str, pid: int, variables: dict, args) -> dict:
    results = {}
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        token = await login(client, "saa.bench00")
        headers = {"authorization": f"Bearer {token}"}

        async def nested() -> None:
            response = await client.post(
                "/graphql", json={"query": NESTED, "variables": variables}, headers=headers
            )
            results["nested_bytes"] = len(response.content)

        results["nested"] = summary(await timed(args.repeat, nested)) | {
            "bytes": results.pop("nested_bytes")
        }
        results["rss_after_nested_mb"] = sum(rss_mb(pid))

        load = await asyncio.to_thread(
            subprocess.run,
            [
                sys.executable,
                "-m",
                "bench.load",
                f"{base}/graphql",
                token,
                str(args.seconds),
                str(args.clients),
            ],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT.parent,
        )
        results["viewer"] = json.loads(load.stdout) | {"clients": args.clients}

        # The SAA searches their organization; the operator searches every account.
        operator = {"authorization": f"Bearer {await login(client, 'operator')}"}
        for name, who in (("search", headers), ("search_all", operator)):
            results[name] = await search(client, who, max(1, args.repeat // 2))

        account = variables["target_account"]
        privilege = variables["target_privilege"]
        done, deadline = 0, time.perf_counter() + args.seconds
        start = time.perf_counter()
        while time.perf_counter() < deadline:
            for change in (
                {"grant": [{"privilegeId": privilege, "level": "USER"}]},
                {"revoke": [privilege], "confirmRevocations": True},
            ):
                response = await client.post(
                    "/graphql",
                    headers=headers,
                    json={"query": GRANT, "variables": {"input": {"accountId": account, **change}}},
                )
                errors = response.json()["data"]["accountEntitlementsUpdate"]["errors"]
                assert errors == [], errors
                done += 1
        results["mutation"] = {"per_second": done / (time.perf_counter() - start), "count": done}
        sizes = rss_mb(pid)
        results["rss_end_mb"] = sum(sizes)
        results["rss_end_largest_process_mb"] = max(sizes)
    return results


async def search(client: httpx.AsyncClient, headers: dict, rounds: int) -> dict:
    samples = []
    for _ in range(rounds):
        for text in SEARCHES:
            query = {
                "query": "query($t: String!) { accounts(first: 20, filter: {text: $t, "
                "statuses: [ACTIVE, DISABLED_BY_ADMIN]}) { totalCount edges { node { "
                "userId } } } }",
                "variables": {"t": text},
            }
            start = time.perf_counter()
            response = await client.post("/graphql", json=query, headers=headers)
            samples.append(time.perf_counter() - start)
            assert "errors" not in response.json(), response.text
    samples.sort()
    return {
        "p50_ms": statistics.median(samples) * 1000,
        "p95_ms": samples[int(len(samples) * 0.95) - 1] * 1000,
        "queries": len(samples),
    }


async def main(args) -> dict:
    drop = None
    if args.db == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    else:
        url, drop = await postgres_database(args.postgres_url)
    environ = {
        "ENTITLE_ENV": "production",
        "ENTITLE_DATABASE_URL": url,
        "ENTITLE_DATA_KEYS": Fernet.generate_key().decode(),
        "ENTITLE_JOBS_INTERVAL_SECONDS": "0",
        "ENTITLE_PORT": str(free_port()),
        "ENTITLE_LOG_LEVEL": "WARNING",
        "ENTITLE_WORKERS": str(args.workers or (1 if args.db == "sqlite" else os.cpu_count())),
    }
    settings = load_settings(environ)
    runtime = Runtime(settings)
    db.bind_settings(settings)
    await db.open_database()
    try:
        await migrate()
        started = time.perf_counter()
        await dataset.build(
            runtime, organizations=args.orgs, accounts=args.scale, now=datetime.now(UTC)
        )
        build_seconds = time.perf_counter() - started
        org = (
            await Organization.select(Organization.id)
            .where(Organization.number == "200000")
            .first()
        )
        target = await Account.select(Account.id).where(Account.user_id == "u00.000001").first()
        rpt = (
            await Privilege.select(Privilege.id)
            .where(Privilege.code == "AM_CHANGE_PASSWORD")
            .first()
        )
        variables = {
            "id": to_global_id("Organization", org["id"]),
            "first": 500,
            "organization_pk": org["id"],
            "target_account": to_global_id("Account", target["id"]),
            "target_privilege": to_global_id("Privilege", rpt["id"]),
        }
        results = await in_process(
            runtime,
            {k: variables[k] for k in ("id", "first")} | {"organization_pk": org["id"]},
            args.repeat,
        )
    finally:
        await db.close_database()

    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "entitle.cli",
        "serve",
        env={**os.environ, **environ},
        cwd=ROOT.parent,
    )
    base = f"http://127.0.0.1:{environ['ENTITLE_PORT']}"
    try:
        async with httpx.AsyncClient() as probe:
            for _ in range(100):
                try:
                    if (await probe.get(f"{base}/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
        results |= await over_http(base, server.pid, variables, args)
    finally:
        server.terminate()
        await asyncio.wait_for(server.wait(), timeout=10)
        if drop:
            await drop()
    nested, real = results["nested_in_process"], results["allow_all"]
    results["ratios"] = {
        "nested_over_floor": nested["median_ms"] / results["floor"]["median_ms"],
        "real_policy_over_allow_all": nested["median_ms"] / real["median_ms"],
        "http_nested_over_floor": results["nested"]["median_ms"] / results["floor"]["median_ms"],
    }
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python -m bench.run", *sys.argv[1:]]),
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "db": args.db,
        "accounts": args.scale,
        "workers": int(environ["ENTITLE_WORKERS"]),
        "organizations": args.orgs,
        "build_seconds": build_seconds,
        "results": results,
    }


def table(report: dict) -> str:
    r = report["results"]
    rows = [
        (
            "nested (HTTP, first: 500)",
            f"{r['nested']['median_ms']:.1f} ms median "
            f"({r['nested']['min_ms']:.1f}..{r['nested']['max_ms']:.1f}), {r['nested']['bytes']} B",
        ),
        (
            "nested (in process)",
            f"{r['nested_in_process']['median_ms']:.1f} ms, "
            f"{r['nested_in_process']['sql_statements']} SQL statements",
        ),
        ("allow-all policy (in process)", f"{r['allow_all']['median_ms']:.1f} ms"),
        ("floor (SQL + json)", f"{r['floor']['median_ms']:.1f} ms"),
        ("nested / floor", f"{r['ratios']['nested_over_floor']:.2f}x (target <= 3x)"),
        (
            "real policy / allow-all",
            f"{r['ratios']['real_policy_over_allow_all']:.2f}x (target <= 1.15x)",
        ),
        (
            "viewer",
            f"{r['viewer']['rps']:.0f} req/s, p50 {r['viewer']['p50_ms']:.1f} ms, "
            f"p99 {r['viewer']['p99_ms']:.1f} ms at {r['viewer']['clients']} clients "
            f"({r['viewer']['errors']} errors)",
        ),
        (
            "search (SAA, own organization)",
            f"p50 {r['search']['p50_ms']:.1f} ms, p95 {r['search']['p95_ms']:.1f} ms",
        ),
        (
            "search (operator, all accounts)",
            f"p50 {r['search_all']['p50_ms']:.1f} ms, p95 {r['search_all']['p95_ms']:.1f} ms",
        ),
        ("mutation (grant or revoke)", f"{r['mutation']['per_second']:.0f}/s"),
        (
            "server RSS",
            f"{r['rss_after_nested_mb']:.0f} MB after nested, {r['rss_end_mb']:.0f} MB at end "
            f"(all processes; the largest {r['rss_end_largest_process_mb']:.0f} MB)",
        ),
    ]
    width = max(len(k) for k, _ in rows)
    head = (
        f"{report['db']}, {report['accounts']} accounts, {report['organizations']} orgs, "
        f"{report['machine']['cores']} cores, {report.get('workers', 1)} server worker(s)"
    )
    return "\n".join([head, *(f"{k.ljust(width)}  {v}" for k, v in rows)])


def cli() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--scale", type=int, default=10_000, help="accounts (up to 100000)")
    parser.add_argument("--orgs", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="server processes (default: 1 on SQLite, one per core on PostgreSQL)",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "ENTITLE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--out", type=Path, default=ROOT / "results")
    args = parser.parse_args()
    report = asyncio.run(main(args))
    print(table(report))
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{report['db']}-{report['accounts']}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written: {path}")


if __name__ == "__main__":
    cli()
