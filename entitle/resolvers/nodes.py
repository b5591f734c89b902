"""`node(id:)`: any object by its global ID, or null when missing or hidden."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry

from entitle.authz.guards import SIGNED_IN, field
from entitle.resolvers.accounts import account_by_pk
from entitle.resolvers.audit import audit_event_by_pk
from entitle.resolvers.catalog import application_by_pk, privilege_by_pk
from entitle.resolvers.certification import certification_period_by_pk
from entitle.resolvers.exports import report_export_by_pk
from entitle.resolvers.identifiers import identifier_by_pk
from entitle.resolvers.individuals import individual_by_pk
from entitle.resolvers.organizations import organization_by_pk
from entitle.resolvers.reports import saved_report_by_pk
from entitle.resolvers.requests import request_by_pk, signatory_by_pk
from entitle.resolvers.roles import role_by_pk, role_view_by_pk
from entitle.schema.node import Node, from_global_id

BY_TYPE: dict[str, Callable[[strawberry.Info, int], Awaitable[Any]]] = {
    "Account": account_by_pk,
    "Organization": organization_by_pk,
    "Application": application_by_pk,
    "Privilege": privilege_by_pk,
    "Identifier": identifier_by_pk,
    "Individual": individual_by_pk,
    "AuditEvent": audit_event_by_pk,
    "Role": role_by_pk,
    "RoleView": role_view_by_pk,
    "Request": request_by_pk,
    "AuthorizedSignatory": signatory_by_pk,
    "CertificationPeriod": certification_period_by_pk,
    "SavedReport": saved_report_by_pk,
    "ReportExport": report_export_by_pk,
}


async def node_by_id(info: strawberry.Info, global_id: str, type_name: str | None = None) -> Any:
    decoded = from_global_id(global_id)
    if decoded is None or (type_name is not None and decoded[0] != type_name):
        return None
    resolve = BY_TYPE.get(decoded[0])
    return await resolve(info, decoded[1]) if resolve else None


@strawberry.type
class NodeQuery:
    @field(SIGNED_IN, description="Any object by global ID; null when missing or not visible.")
    async def node(self, info: strawberry.Info, id: strawberry.ID) -> Node | None:
        return await node_by_id(info, id)
