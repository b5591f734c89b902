"""Runs every job once, each under its own lock, and keeps running them on a timer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Collection, Iterable
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


async def run_once(
    settings: Settings, clock: Clock, only: str | Collection[str] | None = None
) -> dict[str, Any]:
    """Run each job (or just those named); a job another process holds is skipped this time."""
    names = {only} if isinstance(only, str) else only
    results: dict[str, Any] = {}
    for name, job in JOBS.items():
        if names is not None and name not in names:
            continue
        async with exclusive(name) as won:
            results[name] = (
                await job(settings, clock.now()) if won else "skipped: running elsewhere"
            )
    return results


class Scheduler:
    """The server's timer: every job each interval, and those a request wants in between."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self._soon: set[str] = set()
        self._wake: asyncio.Event | None = None

    def soon(self, jobs: Iterable[str]) -> None:
        """Run these jobs once the current run is over; a no-op when the timer is off."""
        if self._wake is not None:
            self._soon.update(jobs)
            self._wake.set()

    async def run_forever(self) -> None:
        """A failing run is logged and retried on the next tick."""
        self._wake = wake = asyncio.Event()
        loop = asyncio.get_running_loop()
        every = self.settings.jobs_interval_seconds
        tick = loop.time()
        try:
            while True:
                only: set[str] | None = None
                if loop.time() >= tick:
                    tick = loop.time() + every
                else:
                    only = self._soon.copy()
                self._soon.clear()
                wake.clear()
                try:
                    await run_once(self.settings, self.clock, only)
                except Exception:  # one bad run must not stop the schedule
                    logger.exception("scheduled jobs failed")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), max(0.0, tick - loop.time()))
        finally:
            self._wake = None
