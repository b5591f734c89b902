"""The account reports through the GraphQL endpoint: the accounts certification report
(CERT-2) and the account details report with saved "My Reports" (REP-1)."""

from __future__ import annotations

import base64
import json

import pytest

from entitle.models import Account, AuditEvent, Role, RoleAssignment, SavedReport
from entitle.schema.node import to_global_id
from tests.factories import add_accounts, organization_id
from tests.mutations import account_gid, codes
from tests.state import unchanged

ERRORS = "errors { code message field }"
ROWS = """
rows(first: $first, after: $after) {
  totalCount
  pageInfo { hasNextPage endCursor }
  edges { node { cells { column value } account { userId } } }
}
"""
CERTIFICATION_REPORT = f"""
query($org: ID!, $definition: AccountReportInput, $first: Int = 50, $after: String) {{
  organization(id: $org) {{
    certificationReport(definition: $definition) {{
      columns {{ column label kind }}
      groups {{ values {{ column value }} count }}
      {ROWS}
    }}
  }}
}}
"""
DETAILS_REPORT = f"""
query($definition: AccountReportInput, $first: Int = 50, $after: String) {{
  accountDetailsReport(definition: $definition) {{
    groups {{ values {{ column value }} count }}
    {ROWS}
  }}
}}
"""
COUNTS = ["USER_ID", "ROLES", "ENTITLEMENTS_OUTSIDE_ROLES", "ALL_ENTITLEMENTS"]
# The demo's Alpha accounts that are not deleted, machine accounts and the SAA included.
ALPHA_UNDELETED = {
    "saa.alpha",
    "aa.alpha",
    "aa2.alpha",
    "user.alpha",
    "user2.alpha",
    "draft.alpha",
    "m2m.alpha",
}


async def alpha() -> str:
    return to_global_id("Organization", await organization_id("100001"))


def table(report: dict) -> dict[str, dict[str, str | None]]:
    """user ID -> {column: value} of a report's rows."""
    rows = {}
    for edge in report["rows"]["edges"]:
        cells = {c["column"]: c["value"] for c in edge["node"]["cells"]}
        rows[edge["node"]["account"]["userId"]] = cells
    return rows


async def certification_report(client, definition=None, **variables) -> dict:
    response = await client.execute(
        CERTIFICATION_REPORT, {"org": await alpha(), "definition": definition, **variables}
    )
    return response.ok()["organization"]["certificationReport"]


async def details_report(client, definition=None, **variables) -> dict:
    response = await client.execute(DETAILS_REPORT, {"definition": definition, **variables})
    return response.ok()["accountDetailsReport"]


# --- CERT-2 ----------------------------------------------------------------------------------


async def test_cert_2_lists_every_account_with_its_roles_and_entitlements(saa_alpha):
    report = await certification_report(saa_alpha, {"columns": [*COUNTS, "STATUS"]})
    rows = table(report)
    # Deleted accounts are left out by default; machine accounts and the SAA are in.
    assert set(rows) == ALPHA_UNDELETED
    assert report["rows"]["totalCount"] == 7
    # user.alpha: five grants outside roles, and Report Readers adds RPT_COMPLIANCE.
    assert rows["user.alpha"] == {
        "USER_ID": "user.alpha",
        "ROLES": "1",
        "ENTITLEMENTS_OUTSIDE_ROLES": "5",
        "ALL_ENTITLEMENTS": "6",
        "STATUS": "ACTIVE",
    }
    assert [c["label"] for c in report["columns"]][1:4] == [
        "Number of Roles Assigned to Account",
        "Individual Entitlements Assigned to Account Outside of Role",
        "All Entitlements Assigned to Account",
    ]
    # The three sub-tables are the account's roles, grants and effective grants.
    detail = await saa_alpha.execute(
        """query($org: ID!) { organization(id: $org) { certificationReport(definition:
             {filters: [{column: USER_ID, operator: EQUALS, value: "USER.ALPHA"}]}) {
           rows { edges { node { account {
             roles { name } grants { privilege { code } level }
             effectiveGrants { privilege { code } level }
           } } } } } } }""",
        {"org": await alpha()},
    )
    (edge,) = detail.ok()["organization"]["certificationReport"]["rows"]["edges"]
    account = edge["node"]["account"]
    assert [r["name"] for r in account["roles"]] == ["Report Readers"]
    assert len(account["grants"]) == 5
    assert {g["privilege"]["code"] for g in account["effectiveGrants"]} >= {"RPT_COMPLIANCE"}
    assert len(account["effectiveGrants"]) == 6
    # Asking for deleted accounts brings them in.
    with_deleted = await certification_report(saa_alpha, {"includeDeleted": True})
    assert "former.alpha" in table(with_deleted)


async def test_cert_2_filters_groups_chooses_columns_and_pages(saa_alpha, aa_alpha):
    saa_only = await certification_report(
        saa_alpha,
        {
            "columns": ["USER_ID", "USER_TYPE"],
            "filters": [{"column": "USER_TYPE", "operator": "EQUALS", "value": "SAA"}],
        },
    )
    assert table(saa_only) == {"saa.alpha": {"USER_ID": "saa.alpha", "USER_TYPE": "SAA"}}
    # Filters combine: never signed in, and holding at least one entitlement.
    never = await certification_report(
        saa_alpha,
        {
            "filters": [
                {"column": "LAST_SIGN_IN_AT", "operator": "IS_EMPTY"},
                {"column": "ALL_ENTITLEMENTS", "operator": "GREATER_THAN", "value": "0"},
                {"column": "LAST_NAME", "operator": "CONTAINS", "value": "ST"},
            ]
        },
    )
    assert set(table(never)) == {"user2.alpha"}
    # Grouping orders rows by the groups and counts each.
    grouped = await certification_report(
        saa_alpha, {"columns": ["USER_ID", "USER_TYPE"], "groupBy": ["USER_TYPE"]}
    )
    assert grouped["groups"] == [
        {"values": [{"column": "USER_TYPE", "value": v}], "count": n}
        for v, n in (("AA", 2), ("SAA", 1), ("USER", 4))
    ]
    types = [
        {c["column"]: c["value"] for c in e["node"]["cells"]}["USER_TYPE"]
        for e in grouped["rows"]["edges"]
    ]
    assert types == sorted(types)
    # Cursor pages walk the same rows in the same order.
    walked, after = [], None
    while True:
        page = await certification_report(
            saa_alpha, {"groupBy": ["USER_TYPE"]}, first=2, after=after
        )
        walked += [e["node"]["account"]["userId"] for e in page["rows"]["edges"]]
        if not page["rows"]["pageInfo"]["hasNextPage"]:
            break
        after = page["rows"]["pageInfo"]["endCursor"]
    assert walked == [e["node"]["account"]["userId"] for e in grouped["rows"]["edges"]]


@pytest.mark.parametrize(
    ("filter_", "field"),
    [
        ({"column": "ROLES", "operator": "EQUALS", "value": "many"}, "definition.filters.0.value"),
        (
            {"column": "STATUS", "operator": "EQUALS", "value": "ASLEEP"},
            "definition.filters.0.value",
        ),
        ({"column": "STATUS", "operator": "CONTAINS", "value": "ACT"}, "definition.filters.0"),
        (
            {"column": "CREATED_AT", "operator": "LESS_THAN", "value": "soon"},
            "definition.filters.0.value",
        ),
        ({"column": "EMAIL", "operator": "EQUALS"}, "definition.filters.0.value"),
        ({"column": "TITLE", "operator": "IS_EMPTY", "value": "x"}, "definition.filters.0.value"),
    ],
)
async def test_cert_2_a_bad_filter_is_refused_with_a_typed_error(saa_alpha, filter_, field):
    response = await saa_alpha.execute(
        CERTIFICATION_REPORT, {"org": await alpha(), "definition": {"filters": [filter_]}}
    )
    assert response.error_codes() == ["BAD_USER_INPUT"]
    assert response.errors[0]["extensions"]["field"] == field


async def test_cert_2_unknown_columns_and_foreign_cursors_are_refused(saa_alpha):
    unknown = await saa_alpha.execute(
        CERTIFICATION_REPORT,
        {
            "org": await alpha(),
            "definition": {"filters": [{"column": "SALARY", "operator": "EQUALS", "value": "1"}]},
        },
    )
    assert unknown.data is None
    assert "SALARY" in unknown.errors[0]["message"]
    page = await certification_report(saa_alpha, first=1)
    cursor = page["rows"]["pageInfo"]["endCursor"]
    # A cursor of the ungrouped order does not fit a grouped report.
    response = await saa_alpha.execute(
        CERTIFICATION_REPORT,
        {"org": await alpha(), "definition": {"groupBy": ["ROLES"]}, "after": cursor},
    )
    assert response.error_codes() == ["BAD_USER_INPUT"]
    garbage = await saa_alpha.execute(
        CERTIFICATION_REPORT, {"org": await alpha(), "after": "not-a-cursor"}
    )
    assert garbage.error_codes() == ["BAD_USER_INPUT"]


def _cursor(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


@pytest.mark.parametrize(
    ("group_by", "after"),
    [
        ([], ["saa.alpha", 2**63]),
        ([], ["saa.alpha", 2**31]),
        (["ROLES"], [2**63, "saa.alpha", 1]),
        ([], ["\ud800", 1]),
        ([], ["a\u0000b", 1]),
        ([], ["saa.alpha", True]),
        ([], ["saa.alpha", 1.5]),
        (["STATUS"], [["ACTIVE"], "saa.alpha", 1]),
    ],
    ids=[
        "huge-id",
        "int4-max-plus-1",
        "huge-count",
        "lone-surrogate",
        "nul",
        "bool",
        "float",
        "list",
    ],
)
async def test_cert_2_a_forged_cursor_is_refused_on_after(saa_alpha, group_by, after):
    response = await saa_alpha.execute(
        CERTIFICATION_REPORT,
        {"org": await alpha(), "definition": {"groupBy": group_by}, "after": _cursor(after)},
    )
    assert response.error_codes() == ["BAD_USER_INPUT"], response.body
    assert response.errors[0]["extensions"]["field"] == "after"
    # Before every user ID, at the integer's limit: the whole report.
    report = await certification_report(saa_alpha, after=_cursor(["", 2**31 - 1]))
    assert set(table(report)) == ALPHA_UNDELETED


@pytest.mark.parametrize("operator", ["GREATER_THAN", "EQUALS", "NOT_EQUALS", "LESS_THAN"])
async def test_cert_2_a_date_filter_on_9999_12_31_is_refused(saa_alpha, operator):
    last_day = {"column": "CREATED_AT", "operator": operator, "value": "9999-12-31"}
    response = await saa_alpha.execute(
        CERTIFICATION_REPORT, {"org": await alpha(), "definition": {"filters": [last_day]}}
    )
    assert response.error_codes() == ["BAD_USER_INPUT"], response.body
    assert response.errors[0]["extensions"]["field"] == "definition.filters.0.value"
    day_before = {**last_day, "value": "9999-12-30"}
    report = await certification_report(saa_alpha, {"filters": [day_before]})
    expected = ALPHA_UNDELETED if operator in ("NOT_EQUALS", "LESS_THAN") else set()
    assert set(table(report)) == expected


@pytest.mark.parametrize(
    "value",
    ["\u00b2", "\u0661", "-1", "2147483648", "9" * 30],
    ids=["superscript", "arabic-indic", "negative", "int4-max-plus-1", "30-digits"],
)
async def test_cert_2_a_count_filter_takes_ascii_digits_up_to_the_integer_limit(saa_alpha, value):
    response = await saa_alpha.execute(
        CERTIFICATION_REPORT,
        {
            "org": await alpha(),
            "definition": {"filters": [{"column": "ROLES", "operator": "EQUALS", "value": value}]},
        },
    )
    assert response.error_codes() == ["BAD_USER_INPUT"], response.body
    assert response.errors[0]["extensions"]["field"] == "definition.filters.0.value"
    at_limit = {"column": "ROLES", "operator": "LESS_THAN", "value": "2147483647"}
    report = await certification_report(saa_alpha, {"filters": [at_limit]})
    assert set(table(report)) == ALPHA_UNDELETED


async def test_cert_2_is_read_by_the_saa_and_the_operator_only(
    operator, saa_alpha, aa_alpha, user_alpha, saa_beta, anonymous
):
    assert table(await certification_report(operator))
    assert table(await certification_report(saa_alpha))
    for client in (aa_alpha, user_alpha):
        response = await client.execute(CERTIFICATION_REPORT, {"org": await alpha()})
        assert response.error_codes() == ["FORBIDDEN"]
    # Another organization's admin does not see the organization at all.
    other = await saa_beta.execute(CERTIFICATION_REPORT, {"org": await alpha()})
    assert other.ok()["organization"] is None
    signed_out = await anonymous.execute(CERTIFICATION_REPORT, {"org": await alpha()})
    assert signed_out.error_codes() == ["UNAUTHENTICATED"]


# --- REP-1 -----------------------------------------------------------------------------------


async def test_rep_1_each_admin_reports_on_what_they_administer(
    saa_alpha, aa_alpha, aa2_alpha, saa_beta, operator
):
    everything = table(await details_report(saa_alpha, {"columns": COUNTS}))
    assert set(everything) == ALPHA_UNDELETED
    assert everything["user.alpha"]["ALL_ENTITLEMENTS"] == "6"
    # aa.alpha administers the USER accounts, and counts only the privileges they hold
    # ADMIN on: REG_FILING, REG_FORM_U4, RPT_VIEW, TRF_TRACE of user.alpha's six.
    aa = table(await details_report(aa_alpha, {"columns": COUNTS}))
    assert set(aa) == {"user.alpha", "user2.alpha", "draft.alpha"}
    assert aa["user.alpha"] == {
        "USER_ID": "user.alpha",
        "ROLES": "1",
        "ENTITLEMENTS_OUTSIDE_ROLES": "4",
        "ALL_ENTITLEMENTS": "4",
    }
    # aa2.alpha holds ADMIN on RPT_VIEW, RPT_COMPLIANCE and CAT_REPORTER.
    aa2 = table(await details_report(aa2_alpha, {"columns": COUNTS}))
    assert aa2["user.alpha"]["ALL_ENTITLEMENTS"] == "2"
    assert aa2["user2.alpha"]["ENTITLEMENTS_OUTSIDE_ROLES"] == "2"
    # Another organization's SAA reports on their own organization only.
    beta = table(await details_report(saa_beta))
    assert beta and all(user_id.endswith(".beta") for user_id in beta)
    # The operator is the SAA of the operator's organization, and reports on it alone.
    staff = table(await details_report(operator))
    assert "operator" in staff and not any(u.endswith((".alpha", ".beta")) for u in staff)


async def test_rep_1_users_and_anonymous_cannot_run_it(user_alpha, anonymous):
    assert (await user_alpha.execute(DETAILS_REPORT)).error_codes() == ["FORBIDDEN"]
    assert (await anonymous.execute(DETAILS_REPORT)).error_codes() == ["UNAUTHENTICATED"]


DETAILS_USERS = """query($definition: AccountReportInput) {
  accountDetailsReport(definition: $definition) {
    rows(first: 50) { edges { node { account { userId } } } } } }"""
SAVE = f"""
mutation($input: SavedReportCreateInput!) {{
  savedReportCreate(input: $input) {{
    savedReport {{ id name definition {{ columns filters {{ column operator value }} }} }}
    {ERRORS}
  }}
}}
"""
UPDATE = f"""
mutation($input: SavedReportUpdateInput!) {{
  savedReportUpdate(input: $input) {{ savedReport {{ id name }} {ERRORS} }}
}}
"""
DELETE = f"""
mutation($input: SavedReportDeleteInput!) {{
  savedReportDelete(input: $input) {{ deletedSavedReportId {ERRORS} }}
}}
"""
MY_REPORTS = """
query { myReports { id name report { rows { totalCount edges { node { account { userId } } } } } } }
"""
DISABLE = f"""
mutation($input: AccountDisableInput!) {{ accountDisable(input: $input) {{ {ERRORS} }} }}
"""
ACTIVE_USERS = {
    "columns": ["USER_ID", "STATUS"],
    "filters": [{"column": "STATUS", "operator": "EQUALS", "value": "ACTIVE"}],
}


async def test_rep_1_saved_reports_always_show_current_data(aa_alpha):
    saved = (
        await aa_alpha.execute(
            SAVE, {"input": {"name": "Active users", "definition": ACTIVE_USERS}}
        )
    ).ok()
    assert saved["savedReportCreate"]["errors"] == []
    report_id = saved["savedReportCreate"]["savedReport"]["id"]
    (mine,) = (await aa_alpha.execute(MY_REPORTS)).ok()["myReports"]
    assert mine["name"] == "Active users"
    assert mine["report"]["rows"]["totalCount"] == 2  # user.alpha, user2.alpha
    # Disabling an account changes what the saved report shows the next time it opens.
    disabled = await aa_alpha.execute(
        DISABLE, {"input": {"accountId": await account_gid("user2.alpha"), "reason": "Leave."}}
    )
    assert disabled.ok()["accountDisable"]["errors"] == []
    (mine,) = (await aa_alpha.execute(MY_REPORTS)).ok()["myReports"]
    assert [e["node"]["account"]["userId"] for e in mine["report"]["rows"]["edges"]] == [
        "user.alpha"
    ]
    renamed = await aa_alpha.execute(
        UPDATE, {"input": {"savedReportId": report_id, "name": "  Active   people "}}
    )
    assert renamed.ok()["savedReportUpdate"]["savedReport"]["name"] == "Active people"
    deleted = await aa_alpha.execute(DELETE, {"input": {"savedReportId": report_id}})
    assert deleted.ok()["savedReportDelete"]["deletedSavedReportId"] == report_id
    assert (await aa_alpha.execute(MY_REPORTS)).ok()["myReports"] == []
    actions = await AuditEvent.select(AuditEvent.action).where(
        AuditEvent.action.like("saved_report.%")
    )
    assert [a["action"] for a in actions] == [
        "saved_report.create",
        "saved_report.update",
        "saved_report.delete",
    ]


async def test_rep_1_saved_reports_are_their_owners_alone(
    aa_alpha, saa_alpha, saa_beta, user_alpha
):
    saved = (await aa_alpha.execute(SAVE, {"input": {"name": "Mine", "definition": {}}})).ok()
    report_id = saved["savedReportCreate"]["savedReport"]["id"]
    async with unchanged(ignore={"account_session"}):
        for client in (saa_alpha, saa_beta):
            theirs = (await client.execute(MY_REPORTS)).ok()["myReports"]
            assert report_id not in {r["id"] for r in theirs}
            node = await client.execute(
                "query($id: ID!) { node(id: $id) { id } }", {"id": report_id}
            )
            assert node.ok()["node"] is None
            update = await client.execute(
                UPDATE, {"input": {"savedReportId": report_id, "name": "Theirs"}}
            )
            assert codes(update.ok()["savedReportUpdate"]) == [("NOT_FOUND", "savedReportId")]
            delete = await client.execute(DELETE, {"input": {"savedReportId": report_id}})
            assert codes(delete.ok()["savedReportDelete"]) == [("NOT_FOUND", "savedReportId")]
        refused = await user_alpha.execute(SAVE, {"input": {"name": "Mine", "definition": {}}})
        assert codes(refused.ok()["savedReportCreate"]) == [("FORBIDDEN", None)]


async def test_rep_1_text_and_saved_names_ignore_case_beyond_ascii(saa_alpha):
    await Account.update({Account.first_name: "Élodie"}).where(Account.user_id == "user.alpha")
    definition = {
        "columns": ["USER_ID", "FIRST_NAME"],
        "filters": [{"column": "FIRST_NAME", "operator": "EQUALS", "value": "éLODIE"}],
    }
    found = (await saa_alpha.execute(DETAILS_USERS, {"definition": definition})).ok()
    edges = found["accountDetailsReport"]["rows"]["edges"]
    assert [e["node"]["account"]["userId"] for e in edges] == ["user.alpha"]
    first = await saa_alpha.execute(SAVE, {"input": {"name": "Été", "definition": {}}})
    assert first.ok()["savedReportCreate"]["errors"] == []
    async with unchanged(ignore={"account_session"}):
        again = await saa_alpha.execute(SAVE, {"input": {"name": "éTÉ", "definition": {}}})
        assert codes(again.ok()["savedReportCreate"]) == [("CONFLICT", "name")]


async def test_rep_1_bad_saved_reports_change_nothing(aa_alpha):
    await aa_alpha.execute(SAVE, {"input": {"name": "Mine", "definition": {}}})
    bad = [
        ({"name": "", "definition": {}}, ("INVALID", "name")),
        ({"name": "x" * 101, "definition": {}}, ("INVALID", "name")),
        ({"name": "MINE", "definition": {}}, ("CONFLICT", "name")),
        (
            {
                "name": "Counts",
                "definition": {
                    "filters": [{"column": "ROLES", "operator": "CONTAINS", "value": "1"}]
                },
            },
            ("INVALID", "definition.filters.0"),
        ),
        (
            {
                "name": "Squared",
                "definition": {
                    "filters": [{"column": "ROLES", "operator": "EQUALS", "value": "\u00b2"}]
                },
            },
            ("INVALID", "definition.filters.0.value"),
        ),
        (
            {"name": "Groups", "definition": {"groupBy": ["ROLES", "STATUS", "EMAIL", "TITLE"]}},
            ("INVALID", "definition.groupBy"),
        ),
    ]
    async with unchanged(ignore={"account_session"}):
        for input, expected in bad:
            response = await aa_alpha.execute(SAVE, {"input": input})
            assert codes(response.ok()["savedReportCreate"]) == [expected], input
    owner = await Account.select(Account.id).where(Account.user_id == "aa.alpha").first()
    assert await SavedReport.count().where(SavedReport.owner == owner["id"]) == 1


async def test_rep_1_saved_reports_refuse_a_date_filter_on_9999_12_31(aa_alpha):
    kept = (await aa_alpha.execute(SAVE, {"input": {"name": "Mine", "definition": {}}})).ok()
    saved_id = kept["savedReportCreate"]["savedReport"]["id"]
    last_day = {
        "filters": [{"column": "CREATED_AT", "operator": "GREATER_THAN", "value": "9999-12-31"}]
    }
    async with unchanged(ignore={"account_session"}):
        created = await aa_alpha.execute(
            SAVE, {"input": {"name": "Far future", "definition": last_day}}
        )
        assert codes(created.ok()["savedReportCreate"]) == [
            ("INVALID", "definition.filters.0.value")
        ]
        updated = await aa_alpha.execute(
            UPDATE, {"input": {"savedReportId": saved_id, "definition": last_day}}
        )
        assert codes(updated.ok()["savedReportUpdate"]) == [
            ("INVALID", "definition.filters.0.value")
        ]
    mine = (await aa_alpha.execute(MY_REPORTS)).ok()["myReports"]
    assert [r["name"] for r in mine] == ["Mine"]


@pytest.mark.parametrize(
    "pk", [2**31, 2**63, 2**31 - 1], ids=["int4-max-plus-1", "2**63", "int4-max"]
)
async def test_rep_1_a_saved_report_id_beyond_the_database_integer_is_not_found(aa_alpha, pk):
    saved_id = to_global_id("SavedReport", pk)
    async with unchanged(ignore={"account_session"}):
        updated = await aa_alpha.execute(
            UPDATE, {"input": {"savedReportId": saved_id, "name": "Renamed"}}
        )
        assert codes(updated.ok()["savedReportUpdate"]) == [("NOT_FOUND", "savedReportId")]
        deleted = await aa_alpha.execute(DELETE, {"input": {"savedReportId": saved_id}})
        assert codes(deleted.ok()["savedReportDelete"]) == [("NOT_FOUND", "savedReportId")]
    node = await aa_alpha.execute("query($id: ID!) { node(id: $id) { id } }", {"id": saved_id})
    assert node.ok()["node"] is None


async def test_rep_1_report_pages_cost_the_same_statements_for_10_and_100(
    saa_alpha, fresh, clock, sql_statements
):
    ids = await add_accounts("100001", 120, now=clock.now())
    role = await Role.select(Role.id).where(Role.name == "Report Readers").first()
    await RoleAssignment.insert(
        *[RoleAssignment(role=role["id"], account=i, assigned_at=clock.now()) for i in ids]
    )
    query = """query($first: Int!) { accountDetailsReport(definition: {groupBy: [STATUS]}) {
      groups { count }
      rows(first: $first) { totalCount edges { node { cells { value } account {
        userId roles { name } grants { level privilege { code } }
        effectiveGrants { level privilege { code } }
      } } } } } }"""
    counts = []
    for first in (10, 100):
        with sql_statements() as stats:
            data = (await saa_alpha.execute(query, {"first": first})).ok()
        assert len(data["accountDetailsReport"]["rows"]["edges"]) == first
        counts.append(stats.statements)
    assert counts[0] == counts[1], counts


async def test_rep_1_the_demo_saas_reports_open_on_current_data(saa_alpha):
    reports = {r["name"]: r for r in (await saa_alpha.execute(MY_REPORTS)).ok()["myReports"]}
    assert set(reports) == {"Never signed in", "Entitlements by user type"}
    never = [
        e["node"]["account"]["userId"]
        for e in reports["Never signed in"]["report"]["rows"]["edges"]
    ]
    assert "user2.alpha" in never and "saa.alpha" not in never
