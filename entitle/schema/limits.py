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

from graphql import GraphQLError
from graphql.validation import ValidationRule
from strawberry.extensions import (
    AddValidationRules,
    SchemaExtension,
    max_aliases,
    query_depth_limiter,
)


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


def _holds_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


class RefuseNulCharacters(SchemaExtension):
    """No field anywhere takes a NUL character, and PostgreSQL cannot store one in text:
    refused up front as bad input, rather than failing deep in a query as a fault."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if "\x00" in (context.query or "") or _holds_nul(context.variables):
            raise GraphQLError(
                "Text may not contain NUL characters.", extensions={"code": "BAD_USER_INPUT"}
            )
        yield
