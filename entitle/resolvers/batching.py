"""When a request's DataLoaders send their batches.

aiodataloader sends a batch one event-loop tick after its first key. Resolvers that reach
the same loader through await chains of different lengths (an account's `roles` and its
`effectiveGrants` both need role grants) then land in one batch or in two depending on
how fast the previous query returned, so a statement count would vary from run to run.
The scheduler holds every batch of the request until nothing else of it is runnable and
no batch of it is in flight, which is breadth-first resolution: one batch per loader per
level of the query, whatever the timing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Hashable, Sequence
from typing import Any

from aiodataloader import DataLoader, Loader, dispatch_queue

# Under load the event loop is never idle; after this many ticks a batch goes anyway, so a
# busy server degrades to aiodataloader's own per-tick dispatch rather than stalling.
MAX_DEFERRALS = 32


class BatchScheduler:
    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.pending: dict[int, DataLoader] = {}
        self.in_flight = 0
        self.armed = False
        self.deferrals = 0

    def want(self, loader: DataLoader) -> None:
        self.pending.setdefault(id(loader), loader)
        self._arm()

    def _arm(self) -> None:
        if not self.armed and self.pending and self.in_flight == 0:
            self.armed = True
            self.deferrals = 0
            self.loop.call_soon(self._release)

    def _release(self) -> None:
        # `_ready` holds the callbacks runnable now (CPython's asyncio loop); while there
        # are some, resolvers may still be on their way to a load.
        runnable = getattr(self.loop, "_ready", None)
        if runnable and self.deferrals < MAX_DEFERRALS:
            self.deferrals += 1
            self.loop.call_soon(self._release)
            return
        self.armed = False
        if self.in_flight:
            return
        loaders = list(self.pending.values())
        self.pending.clear()
        for loader in loaders:
            dispatch_queue(loader)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        self.in_flight += 1
        try:
            yield
        finally:
            self.in_flight -= 1
            self._arm()


class ScheduledLoader(DataLoader):
    """A DataLoader whose batches the request's scheduler releases."""

    def __init__(self, scheduler: BatchScheduler) -> None:
        super().__init__()
        self.scheduler = scheduler

    def do_resolve_reject(self, key: Hashable, future: asyncio.Future) -> None:
        self._queue.append(Loader(key=key, future=future))
        if len(self._queue) == 1:
            self.scheduler.want(self)

    async def batch_load_fn(self, keys: Sequence[Any]) -> list[Any]:
        async with self.scheduler.running():
            return await self.load_batch(keys)

    async def load_batch(self, keys: Sequence[Any]) -> list[Any]:
        raise NotImplementedError
