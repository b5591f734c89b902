"""Field guards: every field of the schema declares one where it is declared.

`AuthorizationExtension` looks the guard up for each resolved field and runs it before
the resolver. A field without a guard is refused (deny by default), and a test walks the
schema so that never happens by accident. Guards are synchronous look-ups over decisions
the request has already cached; they never touch the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import strawberry
from graphql import GraphQLResolveInfo
from strawberry.extensions import SchemaExtension

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


class AuthorizationExtension(SchemaExtension):
    def resolve(
        self,
        _next: Callable[..., Any],
        root: Any,
        info: GraphQLResolveInfo,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        if info.field_name.startswith("__") or info.parent_type.name.startswith("__"):
            return _next(root, info, *args, **kwargs)  # introspection
        guard = guard_of(info)
        if guard is None:
            raise Forbidden("This field has no authorization rule, so it is refused.")
        guard.check(root, info.context)
        return _next(root, info, *args, **kwargs)
