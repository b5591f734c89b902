"""schema.graphql at the repository root is the exported schema, never stale."""

from pathlib import Path

from entitle.schema.schema import build_schema, export_sdl

SCHEMA_FILE = Path(__file__).parent.parent / "schema.graphql"


def test_schema_graphql_matches_the_code():
    assert SCHEMA_FILE.read_text() == export_sdl(build_schema()), (
        "schema.graphql is stale: run `entitle schema > schema.graphql` and review the diff"
    )
