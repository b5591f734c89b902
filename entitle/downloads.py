"""GET /exports/{id}: an export's zip file, for its owner, over an authenticated session.

Answers as JSON errors the way the API does: 401 without a session, 403 when its owner's
access has shrunk since asking, 404 for an export that is not the viewer's (or does not
exist), 409 while it is being prepared, 410 once it has expired.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from entitle.authz.engine import RequestAuthz
from entitle.http_auth import authenticate
from entitle.runtime import Runtime
from entitle.schema.node import pk_of
from entitle.services.actor import Actor
from entitle.services.errors import DomainError
from entitle.services.reports import exports

STATUS_BY_CODE = {"FORBIDDEN": 403, "NOT_FOUND": 404, "CONFLICT": 409, "EXPIRED": 410}


def _error(status: int, code: str, message: str) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status_code=status, headers=headers
    )


async def download_export(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    signed_in = await authenticate(request, runtime)
    if signed_in is None:
        return _error(401, "UNAUTHENTICATED", "Sign in to download exports.")
    export_id = pk_of(request.path_params["export_id"], "ReportExport")
    if export_id is None:
        return _error(404, "NOT_FOUND", "No such export.")
    actor = Actor(
        authz=RequestAuthz(runtime.authorizer, signed_in.viewer),
        now=runtime.clock.now(),
        request_id=request.scope.get("state", {}).get("request_id"),
        settings=runtime.settings,
    )
    try:
        row, path = await exports.for_download(actor, export_id)
    except DomainError as error:
        return _error(STATUS_BY_CODE.get(error.code, 400), error.code, error.message)
    return FileResponse(
        path,
        media_type="application/zip",
        filename=row["file_name"],
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )
