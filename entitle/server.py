"""The ASGI app: /graphql (with GraphiQL), /healthz, /readyz, request IDs, lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import re
import secrets
from collections.abc import AsyncIterator

from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.asgi import GraphQL

from entitle import db
from entitle.authz.actor import ANONYMOUS_VIEWER
from entitle.authz.engine import RequestAuthz
from entitle.context import Context
from entitle.downloads import download_export
from entitle.http_auth import authenticate, bearer_token
from entitle.jobs import wanted
from entitle.jobs.runner import Scheduler
from entitle.logs import request_id_var
from entitle.resolvers.loaders import Loaders
from entitle.runtime import Runtime
from entitle.schema.schema import build_schema
from entitle.settings import Settings, load_settings

logger = logging.getLogger("entitle.server")
_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Tags each request with an ID (the client's, when well-formed) for logs and responses."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        supplied = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = supplied if _CLIENT_REQUEST_ID.match(supplied) else secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            with db.count_statements() as stats:
                await self.app(scope, receive, send_with_id)
            logger.debug(
                "%s %s: %d SQL statements", scope["method"], scope["path"], stats.statements
            )
        finally:
            request_id_var.reset(token)


class WantedJobsMiddleware:
    """Hands the jobs a request wanted (an email to send, an export to write) to the
    scheduler once the request has been answered, so they run within a second or so rather
    than at the next tick."""

    def __init__(self, app: ASGIApp, scheduler: Scheduler) -> None:
        self.app = app
        self.scheduler = scheduler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with wanted.collecting() as jobs:
            await self.app(scope, receive, send)
        if jobs:
            self.scheduler.soon(jobs)


class GraphQLApp(GraphQL):
    def __init__(self, runtime: Runtime) -> None:
        super().__init__(
            build_schema(runtime.settings),
            graphql_ide="graphiql" if runtime.settings.graphiql else None,
            allow_queries_via_get=False,
        )
        self.runtime = runtime

    def parse_json(self, data: str | bytes) -> object:
        # strawberry turns only JSONDecodeError into a 400: bytes that are not UTF-8, nesting
        # deep enough to exhaust the parser's recursion, and a body that is a bare string,
        # number or null (it calls `.get` on whatever it parsed) each escaped as a 500.
        try:
            parsed = super().parse_json(data)
        except (UnicodeDecodeError, RecursionError) as exc:
            raise HTTPException(400, "Unable to parse request body as JSON") from exc
        if not isinstance(parsed, dict | list):
            raise HTTPException(400, "The request body must be a JSON object")
        return parsed

    async def get_context(self, request: Request, response: Response) -> Context:
        runtime = self.runtime
        token = bearer_token(request)
        signed_in = await authenticate(request, runtime)
        viewer = signed_in.viewer if signed_in else ANONYMOUS_VIEWER
        loaders = Loaders()
        if signed_in:
            loaders.account_by_id.prime(viewer.account_id, signed_in.account)
        return Context(
            request=request,
            response=response,
            request_id=request.scope.get("state", {}).get("request_id", "-"),
            runtime=runtime,
            viewer=viewer,
            authz=RequestAuthz(runtime.authorizer, viewer),
            loaders=loaders,
            bearer_token=token,
        )


async def healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(_: Request) -> Response:
    try:
        await db.ping()
    except Exception:  # any failure to reach the database means "not ready"
        logger.exception("readiness check failed")
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Starlette:
    runtime = runtime or Runtime(settings or load_settings())
    if not db.is_bound():
        db.bind_settings(runtime.settings)
    scheduler = Scheduler(runtime.settings, runtime.clock)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await db.open_database()
        # What is alive now (schema, policy, modules) lives as long as the process: frozen,
        # the collector no longer walks it, and collections come less often. Measured with
        # `viewer` at 50 clients on PostgreSQL, two workers: 1,046 -> 1,175 and 785 -> 907
        # requests/s in two alternating pairs of runs (p99 unchanged).
        gc.collect()
        gc.freeze()
        gc.set_threshold(10_000, 50, 100)
        timer = None
        if runtime.settings.jobs_interval_seconds > 0:
            timer = asyncio.create_task(scheduler.run_forever())
        try:
            yield
        finally:
            if timer:
                timer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await timer
            await db.close_database()

    graphql = GraphQLApp(runtime)
    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/exports/{export_id}", download_export, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.add_middleware(WantedJobsMiddleware, scheduler=scheduler)
    app.add_middleware(RequestIdMiddleware)
    return app
