"""Entitlement catalog reads (ENT-1)."""

from __future__ import annotations

import strawberry

from entitle.authz.guards import SIGNED_IN, field
from entitle.models import Application as ApplicationTable
from entitle.resolvers.loaders import load_visible
from entitle.schema.catalog import Application, Privilege


async def privilege_by_pk(info: strawberry.Info, pk: int) -> Privilege | None:
    return await load_visible(info, info.context.loaders.privilege_by_id, pk, Privilege.from_row)


async def application_by_pk(info: strawberry.Info, pk: int) -> Application | None:
    loader = info.context.loaders.application_by_id
    return await load_visible(info, loader, pk, Application.from_row)


async def list_applications(info: strawberry.Info) -> list[Application]:
    # The catalog is a few dozen rows that only the operator changes: a plain list.
    rows = await ApplicationTable.select(*ApplicationTable.all_columns()).order_by(
        ApplicationTable.position
    )
    return info.context.authz.visible([Application.from_row(r) for r in rows])


@strawberry.type
class CatalogQuery:
    @field(SIGNED_IN, description="The entitlement catalog (ENT-1).")
    async def applications(self, info: strawberry.Info) -> list[Application]:
        return await list_applications(info)
