"""Relay's Node interface and opaque global IDs."""

from __future__ import annotations

import base64
import binascii

import strawberry

from entitle.authz.guards import field
from entitle.storable import INT_MAX


def to_global_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def from_global_id(global_id: str) -> tuple[str, int] | None:
    """(type name, primary key), or None for anything that is not one of our IDs.

    Every primary key is a serial, 1 to INT_MAX: any other key names nothing, and handed
    to the database would fail the query rather than find no row."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, pk = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    # str.isdigit() also takes digits int() refuses ("²") or reads (Arabic-Indic).
    if not (type_name and pk.isascii() and pk.isdigit() and len(pk) <= len(str(INT_MAX))):
        return None
    key = int(pk)
    return (type_name, key) if 1 <= key <= INT_MAX else None


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
