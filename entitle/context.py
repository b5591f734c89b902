"""The typed per-request context every resolver receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from entitle.authz.actor import Viewer
from entitle.authz.engine import RequestAuthz
from entitle.runtime import Runtime
from entitle.services.audit import AuditBuffer

if TYPE_CHECKING:
    from entitle.resolvers.loaders import Loaders


@dataclass
class Context:
    request: Request
    response: Response | None
    request_id: str
    runtime: Runtime
    viewer: Viewer
    authz: RequestAuthz
    loaders: Loaders
    audit: AuditBuffer = field(default_factory=AuditBuffer)
    bearer_token: str | None = None

    def sign_in(self, viewer: Viewer) -> None:
        """Read the rest of the request as `viewer` (after a successful login)."""
        self.viewer = viewer
        self.authz = RequestAuthz(self.authz.authorizer, viewer)

    def forget_reads(self) -> None:
        """Drop every row loaded so far: after a write, a payload must read what is stored now."""
        self.loaders = type(self.loaders)()
