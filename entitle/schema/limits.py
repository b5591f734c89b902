"""Query-size limits whose validation rules are built once per process.

strawberry's QueryDepthLimiter and MaxAliasesLimiter build a new rule class in every
instance, and extensions are instantiated per request, so the rules tuple differs on
every request and ValidationCache (keyed by it) never hits: each request re-ran full
validation (bench profile of `viewer { userId }`). These extensions hand strawberry the
same rule classes every time.
"""

from __future__ import annotations

import functools

from graphql.validation import ValidationRule
from strawberry.extensions import AddValidationRules, max_aliases, query_depth_limiter


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
