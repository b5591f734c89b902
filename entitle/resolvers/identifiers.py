"""Identifier reads (ENT-5)."""

from __future__ import annotations

import strawberry

from entitle.resolvers.loaders import load_visible
from entitle.schema.identifiers import Identifier


async def identifier_by_pk(info: strawberry.Info, pk: int) -> Identifier | None:
    return await load_visible(info, info.context.loaders.identifier_by_id, pk, Identifier.from_row)
