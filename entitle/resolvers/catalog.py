"""Entitlement catalog reads (ENT-1)."""

from __future__ import annotations

import strawberry

from entitle.models import Application as ApplicationTable
from entitle.schema.catalog import Application, Privilege


async def privilege_by_pk(info: strawberry.Info, pk: int) -> Privilege | None:
    row = await info.context.loaders.privilege_by_id.load(pk)
    if row is None:
        return None
    privilege = Privilege.from_row(row)
    return privilege if info.context.authz.can("read", privilege) else None


async def application_by_pk(info: strawberry.Info, pk: int) -> Application | None:
    row = await info.context.loaders.application_by_id.load(pk)
    if row is None:
        return None
    application = Application.from_row(row)
    return application if info.context.authz.can("read", application) else None


async def list_applications(info: strawberry.Info) -> list[Application]:
    # The catalog is a few dozen rows that only the operator changes: a plain list.
    rows = await ApplicationTable.select(*ApplicationTable.all_columns()).order_by(
        ApplicationTable.position
    )
    return info.context.authz.visible([Application.from_row(r) for r in rows])
