"""Field guards: every field of the schema declares one where it is declared.

`guard_resolvers` puts each guard in front of its field's resolver when the schema is
built. A field without a guard is refused (deny by default), and a test walks the schema
so that never happens by accident. Guards are synchronous look-ups over decisions
the request has already cached; they never touch the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import strawberry
from graphql import GraphQLObjectType, GraphQLResolveInfo, default_field_resolver

from entitle.errors import Forbidden, Unauthenticated

if TYPE_CHECKING:
    from entitle.context import Context

GUARD = "entitle.guard"


@dataclass(frozen=True, slots=True)
class Guard:
    """kind: public | signed_in | structural | object; action is the policy action for object."""

    kind: str
    action: str = "read"

    def check(self, source: Any, context: Context) -> None:
        if self.kind == "object":
            if not context.authz.can(self.action, source):
                raise Forbidden()
        elif self.kind == "signed_in" and not context.viewer.signed_in:
            raise Unauthenticated()


PUBLIC = Guard("public")
SIGNED_IN = Guard("signed_in")
# On connections, edges, page info, payloads and errors: containers whose content was
# authorized when they were built, and whose object fields carry their own guards.
STRUCTURAL = Guard("structural")
READ = Guard("object", "read")


def field(guard: Guard = READ, **kwargs: Any) -> Any:
    """`strawberry.field` with the guard the policy applies to it."""
    return strawberry.field(metadata={GUARD: guard}, **kwargs)


def requires(action: str, **kwargs: Any) -> Any:
    """A field readable only when the policy allows `action` on its parent object."""
    return field(Guard("object", action), **kwargs)


def guard_of(info: GraphQLResolveInfo) -> Guard | None:
    definition = info.parent_type.fields[info.field_name].extensions.get("strawberry-definition")
    if definition is None:
        return None
    return definition.metadata.get(GUARD)


def _refuse(_root: Any, _info: GraphQLResolveInfo, **_kwargs: Any) -> Any:
    raise Forbidden("This field has no authorization rule, so it is refused.")


def _guarded(guard: Guard, resolve: Callable[..., Any]) -> Callable[..., Any]:
    check = guard.check

    def guarded(root: Any, info: GraphQLResolveInfo, **kwargs: Any) -> Any:
        check(root, info.context)
        return resolve(root, info, **kwargs)

    return guarded


def guard_resolvers(schema: strawberry.Schema) -> strawberry.Schema:
    """Put each field's guard in front of its resolver, once, when the schema is built.

    A schema extension with `resolve` did the same per resolved field through graphql-core's
    middleware chain: a quarter of the nested benchmark's time. Fields whose guard has
    nothing to check (public, structural) keep their resolver untouched; a field without a
    guard gets a resolver that refuses (deny by default, at run time as well as in the test
    that walks the schema).
    """
    for type_ in schema._schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        for field_ in type_.fields.values():
            definition = field_.extensions.get("strawberry-definition")
            guard = definition.metadata.get(GUARD) if definition else None
            if guard is None:
                field_.resolve = _refuse
            elif guard.kind in ("signed_in", "object"):
                field_.resolve = _guarded(guard, field_.resolve or default_field_resolver)
    return schema
