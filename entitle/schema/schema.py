"""The schema: Query and Mutation composed from per-aggregate resolvers, and its extensions."""

from __future__ import annotations

from collections.abc import AsyncIterator

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.types import ExecutionContext

from entitle.authz.guards import guard_resolvers
from entitle.resolvers.accounts import AccountMutation, AccountQuery
from entitle.resolvers.audit import AuditQuery
from entitle.resolvers.catalog import CatalogQuery
from entitle.resolvers.certification import CertificationMutation, CertificationQuery
from entitle.resolvers.credentials import CredentialMutation
from entitle.resolvers.exports import ExportMutation, ExportQuery
from entitle.resolvers.individuals import IndividualQuery
from entitle.resolvers.nodes import NodeQuery
from entitle.resolvers.organizations import OrganizationMutation, OrganizationQuery
from entitle.resolvers.reports import ReportMutation, ReportQuery
from entitle.resolvers.requests import RequestMutation, RequestQuery
from entitle.resolvers.roles import RoleMutation, RoleQuery
from entitle.resolvers.sessions import SessionMutation, SessionQuery
from entitle.schema.accounts import Account
from entitle.schema.audit import AuditEvent
from entitle.schema.catalog import Application, Privilege
from entitle.schema.certification import CertificationPeriod
from entitle.schema.exports import ReportExport
from entitle.schema.identifiers import Identifier
from entitle.schema.individuals import Individual
from entitle.schema.limits import AliasLimit, DepthLimit, NodeLimit, RefuseNulAndLoneSurrogates
from entitle.schema.masking import MaskUnexpectedErrors
from entitle.schema.organizations import Organization
from entitle.schema.reports import SavedReport
from entitle.schema.roles import Role, RoleTemplate, RoleView
from entitle.settings import Settings


@strawberry.type
class Query(
    NodeQuery,
    AccountQuery,
    OrganizationQuery,
    RoleQuery,
    CatalogQuery,
    IndividualQuery,
    AuditQuery,
    SessionQuery,
    RequestQuery,
    CertificationQuery,
    ReportQuery,
    ExportQuery,
):
    pass


@strawberry.type
class Mutation(
    SessionMutation,
    CredentialMutation,
    AccountMutation,
    OrganizationMutation,
    RoleMutation,
    RequestMutation,
    CertificationMutation,
    ReportMutation,
    ExportMutation,
):
    pass


class FlushSensitiveReads(SchemaExtension):
    """Writes the audit events of sensitive reads once the operation has resolved (REP-2)."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        await context.audit.flush(at=context.runtime.clock.now(), request_id=context.request_id)


class EntitleSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Errors meant for clients are not faults; MaskUnexpectedErrors logs the real ones.
        return None


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    # Without settings (exporting the SDL), the settings' own defaults.
    max_depth = (settings or Settings).max_query_depth
    max_nodes = (settings or Settings).max_query_nodes
    schema = EntitleSchema(
        query=Query,
        mutation=Mutation,
        types=[
            Account,
            Organization,
            Application,
            Privilege,
            Identifier,
            Individual,
            AuditEvent,
            Role,
            RoleTemplate,
            RoleView,
            CertificationPeriod,
            SavedReport,
            ReportExport,
        ],
        extensions=[
            RefuseNulAndLoneSurrogates,
            lambda: DepthLimit(max_depth),
            lambda: AliasLimit(30),
            lambda: NodeLimit(max_nodes),
            lambda: MaxTokensLimiter(max_token_count=2_000),
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            FlushSensitiveReads,
            MaskUnexpectedErrors,
        ],
    )
    return guard_resolvers(schema)


def export_sdl(schema: strawberry.Schema) -> str:
    """The SDL committed as schema.graphql: a breaking change shows up in review."""
    return schema.as_str() + "\n"
