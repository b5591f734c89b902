"""Jobs a request wants run as soon as it has been answered, not at the scheduler's next tick.

A mutation that queues an email or asks for an export says so here; the server hands the
names to its scheduler once the response is out, when every transaction has committed. Outside
a request (a job, the CLI) nobody is collecting and wanting is a no-op.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

# A set shared by the request's tasks: each resolver's task copies the context, not the set.
_wanted: ContextVar[set[str] | None] = ContextVar("entitle_jobs_wanted", default=None)


def want(job: str) -> None:
    wanted = _wanted.get()
    if wanted is not None:
        wanted.add(job)


@contextlib.contextmanager
def collecting() -> Iterator[set[str]]:
    """The jobs wanted by what runs inside the block."""
    wanted: set[str] = set()
    token = _wanted.set(wanted)
    try:
        yield wanted
    finally:
        _wanted.reset(token)
