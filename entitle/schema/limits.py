"""Limits on what a request may hold, checked before execution.

Query-size limits: their validation rules are built once per process.

strawberry's QueryDepthLimiter and MaxAliasesLimiter build a new rule class in every
instance, and extensions are instantiated per request, so the rules tuple differs on
every request and ValidationCache (keyed by it) never hits: each request re-ran full
validation (bench profile of `viewer { userId }`). These extensions hand strawberry the
same rule classes every time.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    SelectionSetNode,
    StringValueNode,
    Visitor,
    get_named_type,
    get_operation_ast,
    visit,
)
from graphql.execution.values import get_argument_values, get_variable_values
from graphql.validation import ValidationRule
from strawberry.extensions import (
    AddValidationRules,
    SchemaExtension,
    max_aliases,
    query_depth_limiter,
)

from entitle.storable import storable_text


@functools.cache
def depth_rule(max_depth: int) -> type[ValidationRule]:
    return query_depth_limiter.create_validator(max_depth, None, None)


@functools.cache
def aliases_rule(max_alias_count: int) -> type[ValidationRule]:
    return max_aliases.create_validator(max_alias_count)


class DepthLimit(AddValidationRules):
    def __init__(self, max_depth: int) -> None:
        super().__init__([depth_rule(max_depth)])


class AliasLimit(AddValidationRules):
    def __init__(self, max_alias_count: int) -> None:
        super().__init__([aliases_rule(max_alias_count)])


def _holds_nul_or_lone_surrogate(value: object) -> bool:
    if isinstance(value, str):
        return not storable_text(value)
    if isinstance(value, dict):
        return any(
            _holds_nul_or_lone_surrogate(k) or _holds_nul_or_lone_surrogate(v)
            for k, v in value.items()
        )
    if isinstance(value, list):
        return any(_holds_nul_or_lone_surrogate(v) for v in value)
    return False


class RefuseNulAndLoneSurrogates(SchemaExtension):
    """No field anywhere takes a NUL character or a lone UTF-16 surrogate, and neither
    database can store one (`entitle.storable`): refused up front as bad input, rather than
    failing deep in a query as a fault."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if _holds_nul_or_lone_surrogate([context.query, context.variables]):
            raise _unstorable()
        yield
        # A string literal can spell a NUL as an escape (`"\u0000"`) the text does not hold;
        # graphql-core already refuses escaped lone surrogates. Only escapes need the walk.
        document = context.graphql_document
        if document is not None and "\\u" in (context.query or ""):
            literals = _StringLiterals()
            visit(document, literals)
            if _holds_nul_or_lone_surrogate(literals.values):
                raise _unstorable()


def _unstorable() -> GraphQLError:
    return GraphQLError(
        "Text may not contain NUL characters or lone UTF-16 surrogates.",
        extensions={"code": "BAD_USER_INPUT"},
    )


class _StringLiterals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.values: list[str] = []

    def enter_string_value(self, node: StringValueNode, *_: object) -> None:
        self.values.append(node.value)


# --- how many objects a query may ask for ----------------------------------------------------

_COMPOSITE = (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType)


def count_nodes(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
) -> int | None:
    """The most objects the operation could return: each field with a `first` argument
    counts `first` times the product of the `first`s above it, as GitHub's node limit does.
    Lists without `first` (an account's grants and roles) are bounded by the catalog and the
    organization, and count once. None when the variables do not fit: execution says why."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return None
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
    if isinstance(coerced, list):  # the variables' errors
        return None
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    root = schema.get_root_type(operation.operation)
    assert root is not None  # the document was validated against this schema

    def walk(parent: GraphQLNamedType, selections: SelectionSetNode, above: int) -> int:
        total = 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                fields = getattr(parent, "fields", {})
                field = fields.get(selection.name.value)
                if field is None:  # __typename and the like
                    continue
                times = above
                if "first" in field.args:
                    first = get_argument_values(field, selection, coerced).get("first")
                    times = above * max(first or 0, 0)
                    total += times
                child = get_named_type(field.type)
                if selection.selection_set is not None and isinstance(child, _COMPOSITE):
                    total += walk(child, selection.selection_set, times)
            else:
                if isinstance(selection, FragmentSpreadNode):
                    fragment = fragments[selection.name.value]
                    condition, inner = fragment.type_condition, fragment.selection_set
                else:
                    condition, inner = selection.type_condition, selection.selection_set
                named = schema.get_type(condition.name.value) if condition else parent
                total += walk(named or parent, inner, above)
        return total

    return walk(root, operation.selection_set, 1)


class NodeLimit(SchemaExtension):
    """Refuses, before anything runs, a query that could return more than `limit` objects:
    depth and page size alone let three nested pages of 500 ask for 125 million."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        assert context.graphql_document is not None
        nodes = count_nodes(
            context.schema._schema,
            context.graphql_document,
            context.operation_name,
            context.variables,
        )
        if nodes is not None and nodes > self.limit:
            # A result set here means the operation never runs: nothing is read or written.
            context.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        f"This query could return up to {nodes:,} objects, more than the "
                        f"limit of {self.limit:,}: ask for smaller pages (`first`).",
                        extensions={"code": "QUERY_TOO_COSTLY", "nodes": nodes},
                    )
                ],
            )
        yield
