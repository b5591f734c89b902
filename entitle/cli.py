"""The `entitle` command: serve, migrate, seed."""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
import sys

from entitle import db, logs
from entitle.jobs.runner import JOBS
from entitle.runtime import Runtime
from entitle.settings import Settings, SettingsError, load_settings

logger = logging.getLogger("entitle.cli")


async def _prepare(runtime: Runtime, *, demo: bool) -> None:
    from entitle import demo as demo_data
    from entitle.services.migrations import migrate

    await db.open_database()
    try:
        await migrate()
        if demo and await demo_data.is_empty():
            await _seed(runtime)
    finally:
        await db.close_database()


async def _seed(runtime: Runtime) -> None:
    from entitle import demo as demo_data

    settings = runtime.settings
    if settings.is_production:
        raise SettingsError("demo data is refused when ENTITLE_ENV=production")
    if not await demo_data.is_empty():
        raise SettingsError("the database already has data; demo data goes into an empty one")
    password = str(settings.demo_password) if settings.demo_password else secrets.token_urlsafe(12)
    await demo_data.seed_demo(
        password=password,
        passwords=runtime.passwords,
        cipher=runtime.cipher,
        now=runtime.clock.now(),
        terms_version=settings.terms_version,
    )
    if settings.demo_password is None:
        print(f"Demo accounts created. Their password (ENTITLE_DEMO_PASSWORD unset): {password}")
    else:
        print("Demo accounts created with the password in ENTITLE_DEMO_PASSWORD.")


def cmd_migrate(settings: Settings, _: argparse.Namespace) -> None:
    from entitle.services.migrations import migrate

    async def run() -> None:
        await db.open_database()
        try:
            await migrate(quiet=False)
        finally:
            await db.close_database()

    asyncio.run(run())


def cmd_seed(settings: Settings, args: argparse.Namespace) -> None:
    if not args.demo:
        raise SettingsError("say what to seed: `entitle seed --demo`")
    runtime = Runtime(settings)

    async def run() -> None:
        await db.open_database()
        try:
            await _seed(runtime)
        finally:
            await db.close_database()

    asyncio.run(run())


def cmd_serve(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    runtime = None
    if args.demo:
        if settings.is_production:
            raise SettingsError("--demo is refused when ENTITLE_ENV=production")
        runtime = Runtime(settings)
        asyncio.run(_prepare(runtime, demo=True))
    print(f"GraphQL (and GraphiQL) on http://{settings.host}:{settings.port}/graphql")
    if settings.workers > 1:
        # Each worker builds its app from the environment; this process only supervises
        # them, so it loads neither schema nor policies (RSS 85 -> 56 MB).
        app = "entitle.server:create_app"
    else:
        from entitle.server import create_app

        app = create_app(runtime=runtime or Runtime(settings))
    uvicorn.run(
        app,
        factory=settings.workers > 1,
        workers=settings.workers,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        access_log=False,
        log_config=None,
    )


def cmd_jobs(settings: Settings, args: argparse.Namespace) -> None:
    from entitle.jobs.runner import run_once

    runtime = Runtime(settings)

    async def run() -> None:
        await db.open_database()
        try:
            for name, result in (await run_once(settings, runtime.clock, args.only)).items():
                print(f"{name}: {result}")
        finally:
            await db.close_database()

    asyncio.run(run())


def cmd_schema(_: Settings, __: argparse.Namespace) -> None:
    from entitle.schema.schema import build_schema, export_sdl

    sys.stdout.write(export_sdl(build_schema()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="entitle", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve GraphQL over HTTP")
    serve.add_argument(
        "--demo",
        action="store_true",
        help="first migrate the database and load the demo data if it is empty",
    )
    commands.add_parser("migrate", help="apply pending database migrations")
    seed = commands.add_parser("seed", help="load data into an empty database")
    seed.add_argument("--demo", action="store_true", help="the demo organizations and accounts")
    commands.add_parser("schema", help="print the GraphQL schema (SDL)")
    jobs = commands.add_parser("jobs", help="scheduled jobs")
    jobs.add_argument("action", choices=["run"], help="run every job once")
    jobs.add_argument("--only", choices=sorted(JOBS), help="run just this job")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        logs.configure(settings.log_level)
        db.bind_settings(settings)
        commands_by_name = {
            "serve": cmd_serve,
            "migrate": cmd_migrate,
            "seed": cmd_seed,
            "schema": cmd_schema,
            "jobs": cmd_jobs,
        }
        commands_by_name[args.command](settings, args)
    except SettingsError as exc:
        print(f"entitle: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
