"""Individual reads (IND-1, IND-6)."""

from __future__ import annotations

import asyncio

import strawberry

from entitle.authz.facts import IndividualFacts
from entitle.authz.guards import SIGNED_IN, field
from entitle.models import Individual as IndividualTable
from entitle.resolvers.pagination import paginate
from entitle.schema.individuals import Individual
from entitle.schema.node import pk_of
from entitle.schema.pagination import Connection


async def _individuals(info: strawberry.Info, rows: list[dict]) -> list[Individual]:
    loader = info.context.loaders.organizations_by_individual
    associations = await asyncio.gather(*(loader.load(r["id"]) for r in rows))
    return [
        Individual.from_row(row, frozenset(a["organization"] for a in assoc))
        for row, assoc in zip(rows, associations, strict=True)
    ]


async def individual_by_pk(info: strawberry.Info, pk: int) -> Individual | None:
    row = await info.context.loaders.individual_by_id.load(pk)
    if row is None:
        return None
    (individual,) = await _individuals(info, [row])
    return individual if info.context.authz.can("read", individual) else None


async def list_individuals(
    info: strawberry.Info, *, first: int, after: str | None, crd_number: str | None
) -> Connection[Individual]:
    conditions = [IndividualTable.crd_number == crd_number.strip()] if crd_number else []
    connection = await paginate(
        info,
        IndividualTable,
        columns=IndividualTable.all_columns(),
        conditions=conditions,
        where=info.context.authz.where("read", IndividualFacts),
        order=(IndividualTable.last_name, IndividualTable.id),
        first=first,
        after=after,
        node=lambda row: row,
    )
    nodes = await _individuals(info, [edge.node for edge in connection.edges])
    for edge, node in zip(connection.edges, nodes, strict=True):
        edge.node = node
    return connection


@strawberry.type
class IndividualQuery:
    @field(SIGNED_IN)
    async def individual(self, info: strawberry.Info, id: strawberry.ID) -> Individual | None:
        pk = pk_of(id, "Individual")
        return None if pk is None else await individual_by_pk(info, pk)

    @field(SIGNED_IN, description="Individuals associated with the viewer's organization (IND-6).")
    async def individuals(
        self,
        info: strawberry.Info,
        first: int = 20,
        after: str | None = None,
        crd_number: str | None = None,
    ) -> Connection[Individual]:
        return await list_individuals(info, first=first, after=after, crd_number=crd_number)
