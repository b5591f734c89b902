"""CSV exports of the account reports (CERT-2, REP-1) through the GraphQL endpoint, the
exports job and the download route."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from entitle.jobs import runner
from entitle.models import Account, AuditEvent, ReportExport
from entitle.schema.node import to_global_id
from tests.factories import organization_id
from tests.mutations import account_gid, codes, mutate, privilege_gid
from tests.state import unchanged

ERRORS = "errors { code message field }"
EXPORT = f"""
mutation($input: ReportExportCreateInput!) {{
  reportExportCreate(input: $input) {{
    reportExport {{ id status fileName downloadUrl report format subTable }}
    {ERRORS}
  }}
}}
"""
EXPORTS = """
{ reportExports { id status rowCount byteSize fileName downloadUrl expiresAt failure } }
"""
SAVE = f"""
mutation($input: SavedReportCreateInput!) {{
  savedReportCreate(input: $input) {{ savedReport {{ id }} {ERRORS} }}
}}
"""


async def alpha() -> str:
    return to_global_id("Organization", await organization_id("100001"))


async def ask(client, **input) -> dict:
    return (await client.execute(EXPORT, {"input": input})).ok()["reportExportCreate"]


async def certification_export(client, **input) -> dict:
    return await ask(client, report="CERTIFICATION", organizationId=await alpha(), **input)


async def run_job(fresh, clock) -> None:
    await runner.run_once(fresh.settings, clock, "exports")


async def listed(client) -> list[dict]:
    return (await client.execute(EXPORTS)).ok()["reportExports"]


async def download(client, export_id: str):
    headers = {"authorization": f"Bearer {client.token}"} if client.token else {}
    return await client.http.get(f"/exports/{export_id}", headers=headers)


def csv_rows(response) -> list[list[str]]:
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    (member,) = archive.namelist()
    assert member.endswith(".csv")
    text = archive.read(member).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


async def ready_export(client, fresh, clock, **input) -> list[list[str]]:
    """Ask for an export, let the job write it, and download it: its CSV lines."""
    asked = await ask(client, **input)
    assert asked["errors"] == [], asked["errors"]
    await run_job(fresh, clock)
    response = await download(client, asked["reportExport"]["id"])
    assert response.status_code == 200, response.text
    return csv_rows(response)


def by_user(rows: list[list[str]]) -> dict[str, list[list[str]]]:
    header, *data = rows
    column = header.index("User ID")
    grouped: dict[str, list[list[str]]] = {}
    for row in data:
        grouped.setdefault(row[column], []).append(dict(zip(header, row, strict=True)))
    return grouped


async def test_cert_2_quick_export_is_prepared_listed_downloaded_and_audited(
    saa_alpha, fresh, clock
):
    asked = await certification_export(saa_alpha, definition={"columns": ["USER_ID", "STATUS"]})
    assert asked["errors"] == []
    export = asked["reportExport"]
    assert (export["status"], export["downloadUrl"]) == ("PREPARING", None)
    assert export["fileName"].startswith("accounts-certification-report-alpha-securities-")
    # Not downloadable while it is being prepared.
    early = await download(saa_alpha, export["id"])
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "CONFLICT"
    await run_job(fresh, clock)
    (ready,) = await listed(saa_alpha)
    assert ready["status"] == "READY"
    assert ready["rowCount"] == 7
    assert ready["downloadUrl"].endswith(f"/exports/{export['id']}")
    response = await download(saa_alpha, export["id"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert export["fileName"] in response.headers["content-disposition"]
    header, *data = csv_rows(response)
    # The quick export: the chosen columns, then the three counts.
    assert header == [
        "User ID",
        "Status",
        "Number of Roles Assigned to Account",
        "Individual Entitlements Assigned to Account Outside of Role",
        "All Entitlements Assigned to Account",
    ]
    assert ["user.alpha", "ACTIVE", "1", "5", "6"] in data
    assert len(data) == 7
    actions = await AuditEvent.select(AuditEvent.action, AuditEvent.actor_label).where(
        AuditEvent.action.like("report_export.%")
    )
    assert actions == [
        {"action": "report_export.create", "actor_label": "saa.alpha"},
        {"action": "report_export.download", "actor_label": "saa.alpha"},
    ]


async def test_cert_2_advanced_exports_one_sub_table_each(saa_alpha, fresh, clock):
    async def sub_table(name: str) -> dict[str, list[dict]]:
        lines = await ready_export(
            saa_alpha,
            fresh,
            clock,
            report="CERTIFICATION",
            organizationId=await alpha(),
            definition={"columns": ["USER_ID"]},
            format="ADVANCED",
            subTable=name,
        )
        return by_user(lines)

    outside = await sub_table("ENTITLEMENTS_OUTSIDE_ROLES")
    assert {r["Code"] for r in outside["user.alpha"]} == {
        "REG_FILING",
        "REG_FORM_U4",
        "RPT_VIEW",
        "TRF_TRACE",
        "TRF_EQUITY",
    }
    assert len(outside["user.alpha"]) == 5
    assert {r["Access Level"] for r in outside["saa.alpha"]} == {"Admin"}
    everything = await sub_table("ALL_ENTITLEMENTS")
    rows = {r["Code"]: r for r in everything["user.alpha"]}
    assert len(rows) == len(everything["user.alpha"]) == 6
    assert rows["RPT_VIEW"]["Source"] == "Direct; Role: Report Readers"
    assert rows["RPT_COMPLIANCE"]["Source"] == "Role: Report Readers"
    roles = await sub_table("ROLES")
    assert [r["Role"] for r in roles["user.alpha"]] == ["Report Readers"]
    # An account without any row in the sub-table keeps one line, its detail blank.
    assert [r["Role"] for r in roles["saa.alpha"]] == [""]


async def test_rep_1_exports_of_a_saved_report_cover_what_the_aa_administers(
    aa_alpha, fresh, clock
):
    saved = (
        await aa_alpha.execute(
            SAVE,
            {
                "input": {
                    "name": "Everyone",
                    "definition": {"columns": ["USER_ID", "ALL_ENTITLEMENTS"]},
                }
            },
        )
    ).ok()["savedReportCreate"]["savedReport"]["id"]
    rows = by_user(
        await ready_export(aa_alpha, fresh, clock, report="ACCOUNT_DETAILS", savedReportId=saved)
    )
    assert set(rows) == {"user.alpha", "user2.alpha", "draft.alpha"}
    assert rows["user.alpha"][0]["All Entitlements Assigned to Account"] == "4"
    detailed = by_user(
        await ready_export(
            aa_alpha,
            fresh,
            clock,
            report="ACCOUNT_DETAILS",
            savedReportId=saved,
            format="ADVANCED",
            subTable="ALL_ENTITLEMENTS",
        )
    )
    # Only the privileges aa.alpha holds ADMIN on.
    assert {r["Code"] for r in detailed["user.alpha"]} == {
        "REG_FILING",
        "REG_FORM_U4",
        "RPT_VIEW",
        "TRF_TRACE",
    }


ROLES_OF_USER = """query { accountDetailsReport(definition: {columns: [USER_ID, ROLES],
  filters: [{column: USER_ID, operator: EQUALS, value: "user.alpha"}]}) {
  rows { edges { node { cells { column value } account { roles { name } } } } } } }"""


@pytest.mark.parametrize(
    ("user_id", "roles"),
    [("aa.alpha", ["Report Readers"]), ("aa2.alpha", [])],  # with and without Assign Roles
)
async def test_rep_1_reports_and_exports_name_only_the_roles_the_aa_may_see(
    anonymous, fresh, clock, user_id, roles
):
    """ROLE-7: an AA without Assign Roles sees only the roles they hold, in the graph, in
    the report's count and in every export."""
    aa = await anonymous.login(user_id)
    (edge,) = (await aa.execute(ROLES_OF_USER)).ok()["accountDetailsReport"]["rows"]["edges"]
    assert [r["name"] for r in edge["node"]["account"]["roles"]] == roles
    assert {c["column"]: c["value"] for c in edge["node"]["cells"]}["ROLES"] == str(len(roles))

    async def sub_table(name: str) -> dict[str, list[dict]]:
        definition = {"columns": ["USER_ID", "ROLES"]}
        lines = await ready_export(
            aa,
            fresh,
            clock,
            report="ACCOUNT_DETAILS",
            definition=definition,
            format="ADVANCED",
            subTable=name,
        )
        return by_user(lines)

    listed_roles = (await sub_table("ROLES"))["user.alpha"]
    assert [r["Role"] for r in listed_roles] == (roles or [""])
    assert {r["Number of Roles Assigned to Account"] for r in listed_roles} == {str(len(roles))}
    everything = {r["Code"]: r for r in (await sub_table("ALL_ENTITLEMENTS"))["user.alpha"]}
    named = "Role: Report Readers" if roles else "Role"
    assert everything["RPT_VIEW"]["Source"] == f"Direct; {named}"  # counted, named if seen


async def test_rep_1_exports_neutralise_spreadsheet_formulas(saa_alpha, fresh, clock):
    titles = {
        "user.alpha": '=HYPERLINK("http://evil.example")',
        "user2.alpha": "+1+2",
        "aa.alpha": "-5",
        "aa2.alpha": "@SUM(A1)",
        "draft.alpha": "Analyst = senior",
    }
    for user_id, title in titles.items():
        await Account.update({Account.title: title}).where(Account.user_id == user_id)
    rows = by_user(
        await ready_export(
            saa_alpha,
            fresh,
            clock,
            report="ACCOUNT_DETAILS",
            definition={"columns": ["USER_ID", "TITLE"]},
        )
    )
    assert rows["user.alpha"][0]["Title"] == '\'=HYPERLINK("http://evil.example")'
    assert rows["user2.alpha"][0]["Title"] == "'+1+2"
    assert rows["aa.alpha"][0]["Title"] == "'-5"
    assert rows["aa2.alpha"][0]["Title"] == "'@SUM(A1)"
    assert rows["draft.alpha"][0]["Title"] == "Analyst = senior"


async def test_rep_1_downloads_are_their_owners_alone_and_expire(
    saa_alpha, aa_alpha, saa_beta, anonymous, fresh, clock
):
    asked = await certification_export(saa_alpha)
    export_id = asked["reportExport"]["id"]
    await run_job(fresh, clock)
    async with unchanged(ignore={"account_session"}):
        for other in (aa_alpha, saa_beta):
            response = await download(other, export_id)
            assert response.status_code == 404
            assert await listed(other) == []
            node = await other.execute(
                "query($id: ID!) { node(id: $id) { id } }", {"id": export_id}
            )
            assert node.ok()["node"] is None
        signed_out = await download(anonymous, export_id)
        assert signed_out.status_code == 401
        assert signed_out.json()["error"]["code"] == "UNAUTHENTICATED"
        assert (await download(saa_alpha, "bm90LWFuLWlk")).status_code == 404
    # A day later the export has expired: refused at once, then cleared by the job.
    clock.advance(hours=24)
    saa_alpha = await anonymous.login("saa.alpha")  # the earlier session has idled out
    gone = await download(saa_alpha, export_id)
    assert gone.status_code == 410
    assert gone.json()["error"]["code"] == "EXPIRED"
    (expired,) = await listed(saa_alpha)
    assert (expired["status"], expired["downloadUrl"]) == ("EXPIRED", None)
    await run_job(fresh, clock)
    row = await ReportExport.select(ReportExport.id, ReportExport.status).first()
    assert row["status"] == "EXPIRED"
    assert not (fresh.settings.export_dir and _zip_exists(fresh, row["id"]))


async def _revoke(saa, user_id: str, code: str) -> None:
    payload = await mutate(
        saa,
        "accountEntitlementsUpdate",
        accountId=await account_gid(user_id),
        revoke=[await privilege_gid(code)],
        confirmRevocations=True,
    )
    assert payload["errors"] == [], payload["errors"]


@pytest.mark.parametrize(
    "taken",
    [
        "REG_FORM_U4",  # one privilege the export counted
        "AM_MANAGE_ACCESS",  # account management itself: no account details report at all
    ],
)
async def test_rep_1_an_export_is_not_served_past_its_owners_access(
    saa_alpha, aa_alpha, fresh, clock, taken
):
    """REP-1, ENT-2: an export covers what its owner administers; once the SAA takes some
    of that away, the file (written before or after) is no longer theirs to download."""
    kept = await ask(aa_alpha, report="ACCOUNT_DETAILS", definition={"columns": ["USER_ID"]})
    await run_job(fresh, clock)
    assert (await download(aa_alpha, kept["reportExport"]["id"])).status_code == 200
    waiting = await ask(aa_alpha, report="ACCOUNT_DETAILS", definition={"columns": ["USER_ID"]})
    await _revoke(saa_alpha, "aa.alpha", taken)
    await run_job(fresh, clock)
    for asked in (kept, waiting):
        refused = await download(aa_alpha, asked["reportExport"]["id"])
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "FORBIDDEN"
    # Asked again, an export covers what the AA administers now.
    if taken == "REG_FORM_U4":
        again = await ready_export(
            aa_alpha,
            fresh,
            clock,
            report="ACCOUNT_DETAILS",
            definition={"columns": ["USER_ID"]},
            format="ADVANCED",
            subTable="ENTITLEMENTS_OUTSIDE_ROLES",
        )
        assert "REG_FORM_U4" not in {r["Code"] for r in by_user(again)["user.alpha"]}


def _zip_exists(fresh, pk: int) -> bool:
    from entitle.services.reports.exports import path_of

    return path_of(fresh.settings, pk).exists()


async def test_cert_2_bad_export_requests_change_nothing(saa_alpha, aa_alpha, user_alpha, saa_beta):
    org = await alpha()
    cases = [
        (
            saa_alpha,
            {"report": "CERTIFICATION", "organizationId": org, "format": "ADVANCED"},
            ("INVALID", "subTable"),
        ),
        (
            saa_alpha,
            {"report": "CERTIFICATION", "organizationId": org, "subTable": "ROLES"},
            ("INVALID", "subTable"),
        ),
        (saa_alpha, {"report": "CERTIFICATION"}, ("INVALID", "organizationId")),
        (aa_alpha, {"report": "CERTIFICATION", "organizationId": org}, ("FORBIDDEN", None)),
        (
            saa_beta,
            {"report": "CERTIFICATION", "organizationId": org},
            ("NOT_FOUND", "organizationId"),
        ),
        (user_alpha, {"report": "ACCOUNT_DETAILS"}, ("FORBIDDEN", None)),
        (
            saa_alpha,
            {
                "report": "ACCOUNT_DETAILS",
                "definition": {
                    "filters": [{"column": "ROLES", "operator": "EQUALS", "value": "x"}]
                },
            },
            ("INVALID", "definition.filters.0.value"),
        ),
        (
            saa_alpha,
            {"report": "ACCOUNT_DETAILS", "savedReportId": to_global_id("SavedReport", 999)},
            ("NOT_FOUND", "savedReportId"),
        ),
        (
            saa_alpha,
            {
                "report": "ACCOUNT_DETAILS",
                "savedReportId": to_global_id("SavedReport", 1),
                "definition": {},
            },
            ("INVALID", "savedReportId"),
        ),
        (
            saa_alpha,
            {
                "report": "CERTIFICATION",
                "organizationId": org,
                "savedReportId": to_global_id("SavedReport", 1),
            },
            ("INVALID", "savedReportId"),
        ),
    ]
    async with unchanged(ignore={"account_session"}):
        for client, input, expected in cases:
            payload = await ask(client, **input)
            assert codes(payload) == [expected], input


async def test_rep_1_exports_refuse_a_date_filter_on_9999_12_31(saa_alpha):
    filters = [{"column": "CREATED_AT", "operator": "EQUALS", "value": "9999-12-31"}]
    async with unchanged(ignore={"account_session"}):
        payload = await ask(saa_alpha, report="ACCOUNT_DETAILS", definition={"filters": filters})
    assert codes(payload) == [("INVALID", "definition.filters.0.value")]


async def test_rep_1_an_export_id_beyond_the_database_integer_is_not_found(saa_alpha):
    async with unchanged(ignore={"account_session"}):
        for pk in (2**31, 2**63, 2**31 - 1):
            export_id = to_global_id("ReportExport", pk)
            response = await download(saa_alpha, export_id)
            assert response.status_code == 404, (pk, response.text)
            assert response.json()["error"]["code"] == "NOT_FOUND"
            node = await saa_alpha.execute(
                "query($id: ID!) { node(id: $id) { id } }", {"id": export_id}
            )
            assert node.ok()["node"] is None
            asked = await ask(
                saa_alpha,
                report="ACCOUNT_DETAILS",
                savedReportId=to_global_id("SavedReport", pk),
            )
            assert codes(asked) == [("NOT_FOUND", "savedReportId")], pk


async def test_rep_1_at_most_five_exports_are_prepared_at_once_per_admin(saa_alpha, fresh, clock):
    for _ in range(5):
        assert (await ask(saa_alpha, report="ACCOUNT_DETAILS"))["errors"] == []
    refused = await ask(saa_alpha, report="ACCOUNT_DETAILS")
    assert codes(refused) == [("THROTTLED", None)]
    await run_job(fresh, clock)
    assert (await ask(saa_alpha, report="ACCOUNT_DETAILS"))["errors"] == []
