"""The README's first command, for real: `entitle serve --demo` on a TCP port."""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pyotp
import pytest

from entitle.demo import DEMO_TOTP_SECRET
from tests.conftest import POSTGRES_ADMIN_URL, _postgres_reachable
from tests.graphql_client import LOGIN, step_mutation

DONE_WHEN = """
{ viewer { userId organization { name accounts(first: 5) { edges { node { userId status } } } } } }
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _entitle(*args: str, env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "entitle.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        **kwargs,
    )


@pytest.fixture
def environ(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ENTITLE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}",
        "ENTITLE_ENV": "test",
        "ENTITLE_DEMO_PASSWORD": "a demo password for the cli",
        "ENTITLE_PORT": str(_free_port()),
    }


def _wait_until_healthy(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("the server did not come up")


def _sign_in(base: str, user_id: str, password: str) -> str:
    """A demo admin signs in from a new device: password, then a code from the demo
    authenticator secret the README documents (the server runs on the real clock)."""
    login = httpx.post(
        f"{base}/graphql",
        json={"query": LOGIN, "variables": {"input": {"userId": user_id, "password": password}}},
    ).json()["data"]["login"]
    assert login["step"] == "VERIFY_MFA", login
    query, name = step_mutation("VERIFY_MFA")
    code = pyotp.TOTP(DEMO_TOTP_SECRET).now()
    done = httpx.post(
        f"{base}/graphql",
        json={"query": query, "variables": {"input": {"token": login["token"], "code": code}}},
    ).json()["data"][name]
    assert done["step"] == "DONE", done
    return done["token"]


@contextlib.contextmanager
def serving_demo(environ: dict[str, str]) -> Iterator[tuple[str, int]]:
    """`entitle serve --demo` in a process of its own: its base URL (once healthy) and pid."""
    process = subprocess.Popen(
        [sys.executable, "-m", "entitle.cli", "serve", "--demo"],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{environ['ENTITLE_PORT']}"
    try:
        _wait_until_healthy(base)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_serve_demo_migrates_seeds_and_serves_over_http(environ):
    with serving_demo(environ) as (base, _):
        token = _sign_in(base, "saa.alpha", environ["ENTITLE_DEMO_PASSWORD"])
        body = httpx.post(
            f"{base}/graphql",
            json={"query": DONE_WHEN},
            headers={"authorization": f"Bearer {token}"},
        ).json()
        assert "errors" not in body
        viewer = body["data"]["viewer"]
        assert viewer["organization"]["name"] == "Alpha Securities"
        assert len(viewer["organization"]["accounts"]["edges"]) == 5
        page = httpx.get(f"{base}/graphql", headers={"accept": "text/html"})
        assert page.status_code == 200 and "graphiql" in page.text.lower()


WANTED = """
mutation($export: ReportExportCreateInput!, $certify: OrganizationCertifyInput!) {
  reportExportCreate(input: $export) { reportExport { id } errors { code } }
  organizationCertify(input: $certify) { errors { code } }
}
"""


def _unsent_and_all(database: str) -> tuple[int, int]:
    with contextlib.closing(sqlite3.connect(database)) as connection:
        return connection.execute(
            "SELECT count(*) FILTER (WHERE sent_at IS NULL), count(*) FROM outbox_message"
        ).fetchone()


def test_what_a_mutation_queues_runs_at_once_not_at_the_next_tick(environ):
    # An hour between ticks: only the first, at start-up, runs during this test.
    environ |= {"ENTITLE_JOBS_INTERVAL_SECONDS": "3600"}
    database = environ["ENTITLE_DATABASE_URL"].removeprefix("sqlite:///")
    with serving_demo(environ) as (base, _):
        token = _sign_in(base, "saa.alpha", environ["ENTITLE_DEMO_PASSWORD"])
        client = httpx.Client(base_url=base, headers={"authorization": f"Bearer {token}"})
        organization = client.post(
            "/graphql", json={"query": "{ viewer { organization { id } } }"}
        ).json()["data"]["viewer"]["organization"]["id"]
        deadline = time.monotonic() + 10
        while _unsent_and_all(database)[0] and time.monotonic() < deadline:
            time.sleep(0.1)  # the start-up tick delivers what seeding queued
        emails_before = _unsent_and_all(database)[1]
        done = client.post(
            "/graphql",
            json={
                "query": WANTED,
                "variables": {
                    "export": {"report": "ACCOUNT_DETAILS"},
                    "certify": {"organizationId": organization, "acceptTerms": True},
                },
            },
        ).json()["data"]
        assert done["reportExportCreate"]["errors"] == []
        assert done["organizationCertify"]["errors"] == []
        export_id = done["reportExportCreate"]["reportExport"]["id"]
        # The export is written and CERT-3's confirmation sent within seconds, not the hour.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            ready = client.get(f"/exports/{export_id}")
            unsent, emails = _unsent_and_all(database)
            if ready.status_code == 200 and not unsent:
                break
            time.sleep(0.1)
        assert ready.status_code == 200, ready.text
        assert ready.content.startswith(b"PK")
        assert emails > emails_before and unsent == 0


def test_demo_seeding_is_refused_in_production(environ):
    environ |= {"ENTITLE_ENV": "production", "ENTITLE_DATA_KEYS": "x" * 43 + "="}
    assert _entitle("migrate", env=environ).returncode == 0
    refused = _entitle("seed", "--demo", env=environ)
    assert refused.returncode == 2
    assert "refused" in refused.stderr


def test_seed_refuses_a_database_that_has_data(environ):
    assert _entitle("migrate", env=environ).returncode == 0
    assert _entitle("seed", "--demo", env=environ).returncode == 0
    again = _entitle("seed", "--demo", env=environ)
    assert again.returncode == 2 and "empty" in again.stderr


def test_schema_command_prints_the_sdl(environ):
    printed = _entitle("schema", env=environ)
    assert printed.returncode == 0
    assert printed.stdout == (Path(__file__).parent.parent / "schema.graphql").read_text()


def test_jobs_run_runs_every_job_once(environ):
    assert _entitle("migrate", env=environ).returncode == 0
    assert _entitle("seed", "--demo", env=environ).returncode == 0
    ran = _entitle("jobs", "run", env=environ)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.startswith("drafts: DraftsReport(")
    # AUTH-8: the demo accounts were used lately, so nothing is dormant.
    assert "dormancy: DormancyReport(warned=0, deleted=0, reset=0)" in ran.stdout
    assert "outbox: 0" in ran.stdout
    only = _entitle("jobs", "run", "--only", "dormancy", env=environ)
    assert only.returncode == 0, only.stderr
    assert only.stdout == "dormancy: DormancyReport(warned=0, deleted=0, reset=0)\n"


@pytest.fixture
async def postgres_database() -> AsyncIterator[str]:
    """A database of its own on the test PostgreSQL server, dropped afterwards."""
    if not await _postgres_reachable():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is unreachable in CI")
        pytest.skip("PostgreSQL is unreachable")
    name = f"entitle_cli_{os.getpid()}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def test_several_workers_serve_one_postgresql_database(environ, postgres_database):
    environ |= {"ENTITLE_DATABASE_URL": postgres_database, "ENTITLE_WORKERS": "2"}
    with serving_demo(environ) as (base, pid):
        token = _sign_in(base, "aa.alpha", environ["ENTITLE_DEMO_PASSWORD"])
        # Many connections, so both workers take some; every one knows the session.
        with httpx.Client(
            headers={"authorization": f"Bearer {token}"},
            limits=httpx.Limits(max_keepalive_connections=0),
        ) as client:
            for _ in range(20):
                body = client.post(f"{base}/graphql", json={"query": "{ viewer { userId } }"})
                assert body.json() == {"data": {"viewer": {"userId": "aa.alpha"}}}
        workers = subprocess.run(
            ["pgrep", "-P", str(pid)], capture_output=True, text=True
        ).stdout.split()
        assert len(workers) >= 2, workers
