"""What every mutation resolver shares: the actor, ID decoding, failures as values."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry

from entitle.schema.errors import ErrorCode, UserError
from entitle.schema.node import pk_of
from entitle.services.actor import Actor
from entitle.services.errors import DomainError, NotFound

T = TypeVar("T")


def actor_of(info: strawberry.Info) -> Actor:
    context = info.context
    return Actor(
        authz=context.authz,
        now=context.runtime.clock.now(),
        request_id=context.request_id,
        settings=context.runtime.settings,
    )


def decode(global_id: strawberry.ID | str, type_name: str, field: str) -> int:
    """The primary key behind a global ID of `type_name`; anything else is NOT_FOUND."""
    pk = pk_of(global_id, type_name)
    if pk is None:
        raise NotFound(f"No such {type_name.lower()}.", field)
    return pk


def decode_all(ids: list[strawberry.ID] | None, type_name: str, field: str) -> set[int]:
    return {decode(i, type_name, field) for i in ids or []}


async def attempt(
    info: strawberry.Info, operation: Callable[[], Awaitable[T]]
) -> tuple[T | None, list[UserError]]:
    """Run a service call; a business failure becomes the payload's errors (and the
    transaction it raised in has rolled back, so nothing changed)."""
    try:
        result = await operation()
    except DomainError as error:
        return None, [
            UserError(code=ErrorCode(error.code), message=error.message, field=error.field)
        ]
    info.context.forget_reads()
    return result, []
