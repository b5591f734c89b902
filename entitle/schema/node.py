"""Relay's Node interface and opaque global IDs."""

from __future__ import annotations

import base64
import binascii

import strawberry

from entitle.authz.guards import field


def to_global_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def from_global_id(global_id: str) -> tuple[str, int] | None:
    """(type name, primary key), or None for anything that is not one of our IDs."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, pk = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        return (type_name, int(pk)) if type_name and pk.isdigit() else None
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


@strawberry.interface(description="An object with a global ID, fetchable with `node(id:)`.")
class Node:
    pk: strawberry.Private[int]

    @field(description="The object's global ID.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id(self.__strawberry_definition__.name, self.pk))


def pk_of(global_id: object, type_name: str) -> int | None:
    """The primary key behind a global ID when it names a `type_name`, else None."""
    decoded = from_global_id(str(global_id)) if global_id is not None else None
    return decoded[1] if decoded is not None and decoded[0] == type_name else None
