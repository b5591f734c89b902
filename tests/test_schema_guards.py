"""Deny by default: every field of every type, query and mutation declares a guard."""

from __future__ import annotations

import strawberry
from graphql import GraphQLNonNull, GraphQLObjectType

from entitle.authz.guards import GUARD, guard_resolvers
from entitle.schema.schema import build_schema


def _fields():
    schema = build_schema()._schema
    for type_name, graphql_type in schema.type_map.items():
        if type_name.startswith("__") or not isinstance(graphql_type, GraphQLObjectType):
            continue
        for field_name, field in graphql_type.fields.items():
            yield type_name, field_name, field


def test_every_field_query_and_mutation_has_a_guard():
    unguarded = [
        f"{type_name}.{field_name}"
        for type_name, field_name, field in _fields()
        if GUARD not in field.extensions["strawberry-definition"].metadata
    ]
    assert unguarded == []


def test_the_walk_covers_queries_mutations_and_types():
    walked = {(t, f) for t, f, _ in _fields()}
    assert {("Query", "accounts"), ("Mutation", "login"), ("Account", "email")} <= walked
    assert ("Individual", "ssn") in walked


def test_fields_behind_a_stricter_action_are_nullable():
    # A denied non-null field would null its whole parent (and a list around it).
    strict_non_null = [
        f"{type_name}.{field_name}"
        for type_name, field_name, field in _fields()
        if (guard := field.extensions["strawberry-definition"].metadata[GUARD]).kind == "object"
        and guard.action != "read"
        and isinstance(field.type, GraphQLNonNull)
    ]
    assert strict_non_null == []


async def test_a_field_without_a_guard_is_refused_at_run_time():
    @strawberry.type
    class Query:
        @strawberry.field
        def forgotten(self) -> str:
            return "secret"

    schema = guard_resolvers(strawberry.Schema(query=Query))
    result = await schema.execute("{ forgotten }")
    assert result.data is None
    assert result.errors[0].extensions == {"code": "FORBIDDEN"}
