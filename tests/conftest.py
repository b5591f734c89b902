"""Fixtures: every database test runs on SQLite and on PostgreSQL, over the real HTTP app.

PostgreSQL comes from ENTITLE_TEST_POSTGRES_URL (default: the local server). Without it
the PostgreSQL half is skipped, except when CI is set: then it fails the run.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import pytest

from entitle import db, demo
from entitle.clock import FrozenClock
from entitle.runtime import Runtime
from entitle.server import create_app
from entitle.services.migrations import migrate
from entitle.settings import Env, load_settings
from tests.factories import add_test_devices
from tests.graphql_client import DEMO_PASSWORD, GraphQLClient

START = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
POSTGRES_ADMIN_URL = os.environ.get(
    "ENTITLE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


async def _postgres_reachable() -> bool:
    try:
        connection = await asyncio.wait_for(asyncpg.connect(POSTGRES_ADMIN_URL), timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await connection.close()
    return True


def _restore(template: Path, path: Path) -> None:
    # No connection outlives a query on SQLite, so the file can be swapped whole.
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, path)


class Database:
    """One backend's test database: migrated once, reset to the demo data per test."""

    def __init__(self, backend: str, url: str, workdir: Path) -> None:
        self.backend = backend
        self.url = url
        self.workdir = workdir
        self.settings = load_settings(
            {
                "ENTITLE_ENV": Env.TEST.value,
                "ENTITLE_DATABASE_URL": url,
                "ENTITLE_EXPORT_DIR": str(workdir / f"exports-{backend}"),
            }
        )
        self.clock = FrozenClock(START)
        self.runtime = Runtime(self.settings, clock=self.clock)
        self.template = workdir / "template.sqlite"

    async def setup(self) -> None:
        self.engine = db.bind_settings(self.settings)
        await db.open_database()
        await migrate()
        await self._seed()
        if self.backend == "sqlite":
            await db.engine().run_ddl("PRAGMA wal_checkpoint(TRUNCATE)")
            shutil.copyfile(self.settings.sqlite_path, self.template)

    async def _seed(self) -> None:
        await demo.seed_demo(
            password=DEMO_PASSWORD,
            passwords=self.runtime.passwords,
            cipher=self.runtime.cipher,
            now=START,
        )
        await add_test_devices(now=START)

    async def reset(self) -> None:
        self.clock.set(START)
        db.bind(self.engine)
        if self.backend == "sqlite":
            # Pooled connections would keep reading the file being replaced.
            await self.engine.close_pool()
            _restore(self.template, Path(self.settings.sqlite_path))
        else:
            tables = ", ".join(f'"{name}"' for name in db.table_names())
            await db.engine().run_ddl(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
            await self._seed()

    async def teardown(self) -> None:
        await db.close_database()


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("entitle")


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
async def database(request: pytest.FixtureRequest, workdir: Path) -> AsyncIterator[Database]:
    backend = request.param
    dropdb = None
    if backend == "sqlite":
        url = f"sqlite:///{workdir / 'test.sqlite'}"
    else:
        if not await _postgres_reachable():
            message = f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}"
            if os.environ.get("CI"):
                pytest.fail(message + " (CI is set, so this fails the run)")
            pytest.skip(message)
        name = f"entitle_test_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

        async def dropdb() -> None:
            admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()

    database = Database(backend, url, workdir)
    await database.setup()
    yield database
    await database.teardown()
    if dropdb:
        await dropdb()


@pytest.fixture
async def fresh(database: Database) -> Database:
    """The demo data, as seeded, at the start of this test."""
    await database.reset()
    return database


@pytest.fixture
def clock(fresh: Database) -> FrozenClock:
    return fresh.clock


@pytest.fixture
async def http(fresh: Database) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime=fresh.runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://entitle.test") as client:
        yield client


@pytest.fixture
def anonymous(http: httpx.AsyncClient, clock: FrozenClock) -> GraphQLClient:
    return GraphQLClient(http, now=clock.now)


def _persona(user_id: str):
    @pytest.fixture
    async def persona(anonymous: GraphQLClient) -> GraphQLClient:
        return await anonymous.login(user_id)

    return persona


operator = _persona("operator")
saa_alpha = _persona("saa.alpha")
aa_alpha = _persona("aa.alpha")
aa2_alpha = _persona("aa2.alpha")
user_alpha = _persona("user.alpha")
user2_alpha = _persona("user2.alpha")
saa_beta = _persona("saa.beta")
aa_beta = _persona("aa.beta")
saa_gamma = _persona("saa.gamma")
user_gamma = _persona("user.gamma")


@pytest.fixture
def sql_statements() -> Iterator[type]:
    """Count the SQL statements of a block: `with sql_statements() as stats: ...`."""
    return db.count_statements
