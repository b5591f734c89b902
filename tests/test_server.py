"""The HTTP surface: health, request IDs, masked faults, query limits, GraphiQL."""

from __future__ import annotations

import base64
import json
import logging

from graphql import parse

from entitle.models import Individual
from entitle.schema.limits import count_nodes
from entitle.schema.schema import build_schema
from tests.mutations import account_gid
from tests.state import unchanged
from tests.test_individuals import INDIVIDUAL, jane


async def test_healthz_answers_without_the_database(http, sql_statements):
    with sql_statements() as stats:
        response = await http.get("/healthz")
    assert response.json() == {"status": "ok"}
    assert stats.statements == 0


async def test_readyz_checks_the_database(http):
    assert (await http.get("/readyz")).json() == {"status": "ok"}


async def test_every_response_carries_a_request_id(http):
    first = await http.get("/healthz")
    second = await http.get("/healthz")
    assert len(first.headers["x-request-id"]) == 16
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_a_well_formed_client_request_id_is_kept_and_a_bad_one_replaced(http):
    kept = await http.get("/healthz", headers={"x-request-id": "client-abc-12345"})
    assert kept.headers["x-request-id"] == "client-abc-12345"
    replaced = await http.get("/healthz", headers={"x-request-id": "bad id\nwith newline"})
    assert replaced.headers["x-request-id"] != "bad id\nwith newline"


async def test_an_unexpected_fault_is_masked_with_a_request_id_found_in_the_log(user_gamma, caplog):
    # Key rotation gone wrong: a ciphertext no configured key decrypts.
    await Individual.update({Individual.ssn_ciphertext: "gAAAAAbroken"}).where(
        Individual.crd_number == "5000001"
    )
    with caplog.at_level(logging.ERROR, logger="entitle.errors"):
        result = await user_gamma.execute(INDIVIDUAL, await jane())
    assert result.status == 200
    (error,) = result.errors
    request_id = result.headers["x-request-id"]
    assert error["extensions"] == {"code": "INTERNAL", "requestId": request_id}
    assert error["path"] == ["individual", "ssn"]
    assert "Traceback" not in str(result.body) and "ciphertext" not in str(result.body)
    assert result.data["individual"]["dateOfBirth"] == "1980-04-12"
    assert request_id in caplog.text and "Traceback" in caplog.text


async def test_forbidden_and_unauthenticated_errors_are_not_masked(anonymous):
    result = await anonymous.execute("{ accounts { totalCount } }")
    assert result.errors[0]["message"] == "Sign in to read this."


async def test_too_deep_a_query_is_refused(saa_alpha):
    deep = (
        "{ viewer { "
        + "organization { accounts { edges { node { " * 4
        + "userId"
        + " } } } }" * 4
        + " } }"
    )
    result = await saa_alpha.execute(deep)
    assert result.data is None
    assert "exceeds maximum operation depth" in result.errors[0]["message"]


async def test_too_many_aliases_are_refused(saa_alpha):
    aliases = " ".join(f"a{i}: viewer {{ userId }}" for i in range(40))
    result = await saa_alpha.execute("{ " + aliases + " }")
    assert result.data is None and result.errors


ORGS_ACCOUNTS = """query($orgs: Int!) { organizations(first: $orgs) { edges { node {
  accounts(first: 500) { edges { node { userId } } } } } } }"""


async def test_a_query_asking_for_too_many_objects_is_refused_before_it_runs(
    operator, sql_statements
):
    # 99 organizations of up to 500 accounts: 99 + 49,500 objects, within 50,000.
    allowed = await operator.execute(ORGS_ACCOUNTS, {"orgs": 99})
    assert not allowed.errors and allowed.data["organizations"]["edges"]
    with sql_statements() as signing_in:
        await operator.execute("{ __typename }")
    with sql_statements() as stats:
        refused = await operator.execute(ORGS_ACCOUNTS, {"orgs": 100})  # 100 + 50,000
    assert refused.data is None
    (error,) = refused.errors
    assert error["extensions"] == {"code": "QUERY_TOO_COSTLY", "nodes": 50_100}
    assert "50,100" in error["message"] and "50,000" in error["message"]
    assert stats.statements == signing_in.statements  # the session's, nothing of the query


async def test_a_mutation_asking_for_too_many_objects_changes_nothing(saa_alpha):
    # The payload's nested pages: 500 accounts, each with roles of up to 500 holders.
    document = """mutation($input: AccountUpdateInput!) { accountUpdate(input: $input) {
      account { organization { accounts(first: 500) { edges { node {
        roles { accounts(first: 500) { totalCount } } } } } } }
      errors { code } } }"""
    input = {"accountId": await account_gid("user.alpha"), "title": "Analyst"}
    async with unchanged(ignore={"account_session"}):
        refused = await saa_alpha.execute(document, {"input": input})
    assert refused.data is None
    assert refused.errors[0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


def _nodes(document: str, variables: dict | None = None, name: str | None = None) -> int | None:
    schema = build_schema()._schema
    return count_nodes(schema, parse(document), name, variables)


def test_nodes_are_counted_through_fragments_variables_and_defaults():
    # Defaults count: accounts 20, each account's roles once, each role's accounts 20.
    assert _nodes("{ accounts { edges { node { roles { accounts { totalCount } } } } } }") == 420
    fragments = """
      query Q($n: Int = 10) { node(id: "x") { ...org } }
      fragment org on Organization { accounts(first: $n) { edges { node { ...acct } } } }
      fragment acct on Account { roles { ... on Role { accounts(first: 3) { totalCount } } } }
    """
    assert _nodes(fragments) == 10 + 10 * 3
    assert _nodes(fragments, {"n": 100}) == 100 + 100 * 3
    # Each operation of a document is counted alone; variables that do not fit are left
    # to execution to refuse.
    two = "query A { accounts(first: 5) { totalCount } } query B { roles { totalCount } }"
    assert (_nodes(two, name="A"), _nodes(two, name="B")) == (5, 20)
    assert _nodes(fragments, {"n": "many"}) is None


async def _post_escaped(client, query: str, variables: dict) -> dict:
    """The request as ASCII JSON, so a lone surrogate travels as the escape `\\ud800` a
    browser would send (httpx refuses to encode one as UTF-8)."""
    response = await client.http.post(
        "/graphql",
        content=json.dumps({"query": query, "variables": variables}),
        headers={"authorization": f"Bearer {client.token}", "content-type": "application/json"},
    )
    assert response.status_code == 200, response.text
    return response.json()


EMAIL_CONTAINS = """query($value: String) { accountDetailsReport(definition: {
  filters: [{column: EMAIL, operator: CONTAINS, value: $value}]}) { rows { totalCount } } }"""
SAVE_REPORT = """mutation($input: SavedReportCreateInput!) {
  savedReportCreate(input: $input) { savedReport { name } errors { code field } } }"""


def _codes(body: dict) -> list[str | None]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]


async def test_a_lone_surrogate_anywhere_is_refused_as_bad_input(saa_alpha):
    lone = "\ud800"
    in_variables = await _post_escaped(saa_alpha, EMAIL_CONTAINS, {"value": f"a{lone}b"})
    assert _codes(in_variables) == ["BAD_USER_INPUT"] and in_variables["data"] is None
    assert "surrogate" in in_variables["errors"][0]["message"]
    in_query = await _post_escaped(saa_alpha, "{ viewer { userId } } # " + lone, {})
    assert _codes(in_query) == ["BAD_USER_INPUT"]
    async with unchanged(ignore={"account_session"}):
        saved = await _post_escaped(
            saa_alpha, SAVE_REPORT, {"input": {"name": lone, "definition": {}}}
        )
    assert _codes(saved) == ["BAD_USER_INPUT"] and saved["data"] is None
    # An escaped pair is one character, which the databases store.
    pair = await _post_escaped(saa_alpha, EMAIL_CONTAINS, {"value": "\U0001f600"})
    assert _codes(pair) == [] and pair["data"]["accountDetailsReport"]["rows"]["totalCount"] == 0


def _email_contains(literal: str) -> str:
    return f"""{{ accountDetailsReport(definition: {{filters: [{{column: EMAIL,
      operator: CONTAINS, value: "{literal}"}}]}}) {{ rows {{ totalCount }} }} }}"""


async def test_a_nul_spelled_as_an_escape_in_a_string_literal_is_refused(saa_alpha):
    for escape in (r"\u0000", r"\u{0}"):
        refused = await saa_alpha.execute(_email_contains(f"a{escape}b"))
        assert refused.error_codes() == ["BAD_USER_INPUT"] and refused.data is None, escape
    async with unchanged(ignore={"account_session"}):
        saved = await saa_alpha.execute(
            r'mutation { savedReportCreate(input: {name: "a\u0000b", definition: {}}) '
            "{ errors { code } } }"
        )
    assert saved.error_codes() == ["BAD_USER_INPUT"] and saved.data is None
    accented = await saa_alpha.execute(_email_contains(r"\u00e9"))
    assert accented.ok()["accountDetailsReport"]["rows"]["totalCount"] == 0


CONNECTIONS = [
    "accounts",
    "organizations",
    "organizationsWithoutSaa",
    "individuals",
    "auditEvents",
    "requests",
    "roles",
]
FORGED_CURSORS = [
    [2**63],
    [2**31],
    ["\ud800"],
    ["a\u0000b"],
    [True],
    [1.5],
    [{"id": 1}],
    [None],
    ["x", 2**63],
    ["x", "\ud800"],
    [2**63, 1],
    ["\ud800", 1],
]


async def test_a_forged_cursor_is_refused_on_every_connection(operator):
    for connection in CONNECTIONS:
        query = f"query($after: String) {{ {connection}(after: $after) {{ totalCount }} }}"
        for values in FORGED_CURSORS:
            after = base64.urlsafe_b64encode(json.dumps(values).encode()).decode()
            result = await operator.execute(query, {"after": after})
            assert result.error_codes() == ["BAD_USER_INPUT"], (connection, values, result.body)
            assert result.errors[0]["extensions"]["field"] == "after"
        # A real page's cursor still pages (every demo organization has an SAA, so that
        # list has none).
        page = f"{{ {connection}(first: 1) {{ pageInfo {{ endCursor }} }} }}"
        end = (await operator.execute(page)).ok()[connection]["pageInfo"]["endCursor"]
        assert (end is None) == (connection == "organizationsWithoutSaa")
        if end is not None:
            assert (await operator.execute(query, {"after": end})).ok()[connection]


async def test_malformed_requests_get_a_client_error_not_a_500(http):
    response = await http.post(
        "/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    syntax = await http.post("/graphql", json={"query": "{ viewer { "})
    assert syntax.status_code == 200
    assert syntax.json()["errors"][0]["message"].startswith("Syntax Error")


async def test_queries_are_not_accepted_over_get(http):
    response = await http.get("/graphql", params={"query": "{ viewer { userId } }"})
    assert response.status_code != 200 or "data" not in response.text


async def test_graphiql_is_served_to_browsers(http):
    response = await http.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_a_json_body_that_is_no_request_object_is_a_client_error_not_a_500(http):
    # A bare string, number or null, bytes that are not UTF-8, and nesting deep enough to
    # exhaust the parser's recursion each used to escape as a 500.
    bodies = [b'"hello"', b"5", b"null", b'{"query": "\xff"}', b"[" * 100_000 + b"]" * 100_000]
    for body in bodies:
        response = await http.post(
            "/graphql", content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == 400, body[:20]
        assert "Traceback" not in response.text
        assert response.headers["x-request-id"]
