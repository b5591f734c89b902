"""The schema: Query and Mutation composed from per-aggregate resolvers, and its extensions."""

from __future__ import annotations

from collections.abc import AsyncIterator

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.types import ExecutionContext

from entitle.authz.guards import PUBLIC, SIGNED_IN, AuthorizationExtension, field
from entitle.resolvers import accounts, catalog, individuals, nodes, organizations, sessions
from entitle.schema.accounts import Account, AccountFilter
from entitle.schema.catalog import Application, Privilege
from entitle.schema.identifiers import Identifier
from entitle.schema.individuals import Individual
from entitle.schema.masking import MaskUnexpectedErrors
from entitle.schema.node import Node
from entitle.schema.organizations import Organization
from entitle.schema.pagination import Connection
from entitle.schema.sessions import LoginInput, LoginPayload, LogoutInput, LogoutPayload
from entitle.settings import Settings


@strawberry.type
class Query:
    @field(SIGNED_IN, description="Any object by global ID; null when missing or not visible.")
    async def node(self, info: strawberry.Info, id: strawberry.ID) -> Node | None:
        return await nodes.node_by_id(info, id)

    @field(PUBLIC, description="The signed-in account; null when signed out.")
    async def viewer(self, info: strawberry.Info) -> Account | None:
        account_id = info.context.viewer.account_id
        return None if account_id is None else await accounts.account_by_pk(info, account_id)

    @field(SIGNED_IN)
    async def organization(self, info: strawberry.Info, id: strawberry.ID) -> Organization | None:
        return await nodes.node_by_id(info, id, "Organization")

    @field(SIGNED_IN, description="The operator sees every organization; others their own.")
    async def organizations(
        self,
        info: strawberry.Info,
        first: int = 20,
        after: str | None = None,
        text: str | None = None,
    ) -> Connection[Organization]:
        return await organizations.list_organizations(info, first=first, after=after, text=text)

    @field(SIGNED_IN)
    async def account(self, info: strawberry.Info, id: strawberry.ID) -> Account | None:
        return await nodes.node_by_id(info, id, "Account")

    @field(SIGNED_IN, description="Account search over every account the viewer may see (ACC-8).")
    async def accounts(
        self,
        info: strawberry.Info,
        first: int = 20,
        after: str | None = None,
        filter: AccountFilter | None = None,
    ) -> Connection[Account]:
        return await accounts.search_accounts(info, first=first, after=after, filter=filter)

    @field(SIGNED_IN, description="The entitlement catalog (ENT-1).")
    async def applications(self, info: strawberry.Info) -> list[Application]:
        return await catalog.list_applications(info)

    @field(SIGNED_IN)
    async def individual(self, info: strawberry.Info, id: strawberry.ID) -> Individual | None:
        return await nodes.node_by_id(info, id, "Individual")

    @field(SIGNED_IN, description="Individuals associated with the viewer's organization (IND-6).")
    async def individuals(
        self,
        info: strawberry.Info,
        first: int = 20,
        after: str | None = None,
        crd_number: str | None = None,
    ) -> Connection[Individual]:
        return await individuals.list_individuals(
            info, first=first, after=after, crd_number=crd_number
        )


@strawberry.type
class Mutation:
    @field(PUBLIC, description="Sign in with user ID and password; answers a bearer token.")
    async def login(self, info: strawberry.Info, input: LoginInput) -> LoginPayload:
        return await sessions.login(info, input)

    @field(SIGNED_IN, description="End this session (or every session of the account).")
    async def logout(
        self, info: strawberry.Info, input: LogoutInput | None = None
    ) -> LogoutPayload:
        return await sessions.logout(info, input)


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
    max_depth = settings.max_query_depth if settings else 12
    return EntitleSchema(
        query=Query,
        mutation=Mutation,
        types=[Account, Organization, Application, Privilege, Identifier, Individual],
        extensions=[
            lambda: QueryDepthLimiter(max_depth=max_depth),
            lambda: MaxAliasesLimiter(max_alias_count=30),
            lambda: MaxTokensLimiter(max_token_count=2_000),
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            AuthorizationExtension,
            FlushSensitiveReads,
            MaskUnexpectedErrors,
        ],
    )


def export_sdl(schema: strawberry.Schema) -> str:
    """The SDL committed as schema.graphql: a breaking change shows up in review."""
    return schema.as_str() + "\n"
