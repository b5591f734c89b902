"""Runs every job once, each under its own lock, and keeps running them on a timer."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from entitle.clock import Clock
from entitle.jobs import certification, dormancy, drafts, exports, lockouts, requests
from entitle.jobs.locks import exclusive
from entitle.services import outbox
from entitle.settings import Settings

logger = logging.getLogger("entitle.jobs")

Job = Callable[[Settings, datetime], Awaitable[Any]]


async def _deliver(settings: Settings, now: datetime) -> int:
    return await outbox.deliver_pending(settings, now=now)


# The outbox goes last, so a run delivers the emails the jobs before it wrote.
JOBS: dict[str, Job] = {
    "drafts": drafts.run,
    "dormancy": dormancy.run,
    "lockouts": lockouts.run,
    "requests": requests.run,
    "certification": certification.run,
    "exports": exports.run,
    "outbox": _deliver,
}


async def run_once(settings: Settings, clock: Clock, only: str | None = None) -> dict[str, Any]:
    """Run each job (or just `only`); a job another process holds is skipped this time."""
    results: dict[str, Any] = {}
    for name, job in JOBS.items():
        if only and name != only:
            continue
        async with exclusive(name) as won:
            results[name] = (
                await job(settings, clock.now()) if won else "skipped: running elsewhere"
            )
    return results


async def run_forever(settings: Settings, clock: Clock) -> None:
    """The server's scheduler; a failing run is logged and retried on the next tick."""
    while True:
        try:
            await run_once(settings, clock)
        except Exception:  # one bad run must not stop the schedule
            logger.exception("scheduled jobs failed")
        await asyncio.sleep(settings.jobs_interval_seconds)
