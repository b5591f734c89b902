"""Who an HTTP request stands for: the bearer token of a session, as /graphql and the
export downloads read it."""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request

from entitle.runtime import Runtime
from entitle.services import sessions


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def authenticate(request: Request, runtime: Runtime) -> sessions.Authenticated | None:
    token = bearer_token(request)
    if not token:
        return None
    return await sessions.authenticate(
        token,
        now=runtime.clock.now(),
        idle=timedelta(seconds=runtime.settings.session_idle_seconds),
    )
