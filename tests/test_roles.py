"""Roles through GraphQL: ROLE-1..ROLE-10, with ENT-3 and ENT-8 through roles."""

from __future__ import annotations

import asyncio
import json

import pytest

from entitle.models import Account, AuditEvent, Role, RoleAssignment
from entitle.schema.node import to_global_id
from tests.factories import add_accounts
from tests.mutations import account_gid, mutate, privilege_gid
from tests.state import unchanged

ROLE = "role { id name description status type grants { level privilege { code } } }"
ERRORS = "errors { code message field }"


def _mutation(name: str, payload: str) -> str:
    input_type = f"{name[0].upper()}{name[1:]}Input"
    return f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {payload} {ERRORS} }} }}"


DOCS = {
    name: _mutation(name, ROLE)
    for name in ("roleCreate", "roleUpdate", "roleDelete", "roleAssign", "roleUnassign")
}
DOCS["accountRolesUpdate"] = _mutation("accountRolesUpdate", "account { userType roles { name } }")
SEARCH = """
query($filter: RoleFilter, $sort: RoleSort = RELEVANCE, $first: Int = 50, $after: String) {
  roles(filter: $filter, sort: $sort, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { name type status } }
  }
}
"""
EFFECTIVE = """
query($id: ID!) { account(id: $id) {
  userType roles { name }
  effectiveGrants { level privilege { code } sources { kind level role { name } } }
} }
"""


async def run(client, mutation: str, **input) -> dict:
    return (await client.execute(DOCS[mutation], {"input": input})).ok()[mutation]


def codes(payload: dict) -> list[tuple[str, str | None]]:
    return [(e["code"], e["field"]) for e in payload["errors"]]


async def grants(**levels: str) -> list[dict]:
    return [{"privilegeId": await privilege_gid(c), "level": lvl} for c, lvl in levels.items()]


async def role_gid(name: str, org: str = "100001") -> str:
    row = (
        await Role.select(Role.id)
        .where((Role.name == name) & (Role.organization.number == org))
        .first()
    )
    return to_global_id("Role", row["id"])


async def names(client, **filter) -> list[str]:
    sort = filter.pop("sort", "NAME")
    data = (await client.execute(SEARCH, {"filter": filter, "sort": sort})).ok()
    return [e["node"]["name"] for e in data["roles"]["edges"]]


async def effective(client, user_id: str) -> dict:
    return (await client.execute(EFFECTIVE, {"id": await account_gid(user_id)})).ok()["account"]


# ROLE-1 ---------------------------------------------------------------------------------


async def test_role_1_the_saa_creates_a_role(saa_alpha):
    payload = await run(
        saa_alpha,
        "roleCreate",
        name="Traders",
        description="Trade reporting readers",
        grant=await grants(RPT_VIEW="USER"),
    )
    assert payload["errors"] == []
    assert payload["role"]["name"] == "Traders" and payload["role"]["status"] == "ACTIVE"


@pytest.mark.parametrize("user_id", ["aa.alpha", "aa2.alpha", "user.alpha"])
async def test_role_1_only_the_saa_creates_roles(anonymous, user_id):
    client = await anonymous.login(user_id)
    async with unchanged():
        payload = await run(client, "roleCreate", name="Mine", grant=await grants(RPT_VIEW="USER"))
    assert codes(payload) == [("FORBIDDEN", None)]


@pytest.mark.parametrize(
    ("input", "code", "field"),
    [
        ({"name": "x" * 51}, "INVALID", "name"),
        ({"name": "  "}, "INVALID", "name"),
        ({"name": "Ok", "description": "d" * 251}, "INVALID", "description"),
        ({"name": "report READERS"}, "CONFLICT", "name"),
    ],
)
async def test_role_1_names_are_short_and_unique_ignoring_case(saa_alpha, input, code, field):
    async with unchanged():
        payload = await run(saa_alpha, "roleCreate", **input)
    assert codes(payload) == [(code, field)]


async def test_role_1_names_are_unique_ignoring_case_beyond_ascii(saa_alpha):
    assert (await run(saa_alpha, "roleCreate", name="Équipe de nuit"))["errors"] == []
    async with unchanged():
        payload = await run(saa_alpha, "roleCreate", name="éQUIPE DE NUIT")
    assert codes(payload) == [("CONFLICT", "name")]


async def test_role_1_the_same_name_is_fine_in_another_organization(saa_beta):
    payload = await run(saa_beta, "roleCreate", name="Registration Admins")
    assert payload["errors"] == []


async def test_role_1_two_concurrent_creates_differing_by_case_one_conflict(saa_alpha):
    results = await asyncio.gather(
        run(saa_alpha, "roleCreate", name="Night Desk"),
        run(saa_alpha, "roleCreate", name="NIGHT DESK"),
    )
    assert sorted(codes(r) for r in results) == [[], [("CONFLICT", "name")]]
    assert await Role.count().where(Role.name.is_in(["Night Desk", "NIGHT DESK"])) == 1


async def test_role_1_the_name_never_changes(saa_alpha):
    result = await saa_alpha.execute(
        'mutation { roleUpdate(input: { roleId: "x", name: "New" }) { errors { code } } }'
    )
    assert result.status == 200 and result.errors  # there is no `name` to change


async def test_role_1_the_saa_edits_the_description(saa_alpha, aa_alpha):
    role = await role_gid("Report Readers")
    edited = await run(saa_alpha, "roleUpdate", roleId=role, description="Reports, read-only")
    assert edited["role"]["description"] == "Reports, read-only"
    async with unchanged():
        refused = await run(aa_alpha, "roleUpdate", roleId=role, description="mine")
    assert codes(refused) == [("FORBIDDEN", "roleId")]


async def test_role_1_another_organizations_role_is_not_found(saa_beta):
    async with unchanged():
        payload = await run(
            saa_beta, "roleUpdate", roleId=await role_gid("Report Readers"), description="x"
        )
    assert codes(payload) == [("NOT_FOUND", "roleId")]


# ROLE-2 ---------------------------------------------------------------------------------


async def test_role_2_the_type_follows_the_grants(saa_alpha):
    created = await run(saa_alpha, "roleCreate", name="Empty")
    assert created["role"]["type"] == "INCOMPLETE"
    role = created["role"]["id"]
    user = await run(saa_alpha, "roleUpdate", roleId=role, grant=await grants(RPT_VIEW="USER"))
    assert user["role"]["type"] == "USER"
    admin = await run(saa_alpha, "roleUpdate", roleId=role, grant=await grants(RPT_VIEW="ADMIN"))
    assert admin["role"]["type"] == "ADMIN"


# ROLE-3 ---------------------------------------------------------------------------------


async def test_role_3_only_active_complete_roles_are_assigned(saa_alpha):
    empty = (await run(saa_alpha, "roleCreate", name="Empty"))["role"]["id"]
    async with unchanged():
        refused = await run(
            saa_alpha, "roleAssign", roleId=empty, accountIds=[await account_gid("user.alpha")]
        )
    assert codes(refused) == [("INVALID", "roleId")]
    assert "INCOMPLETE" in refused["errors"][0]["message"]


async def test_role_3_an_account_may_hold_several_roles(saa_alpha):
    target = await account_gid("user.alpha")
    payload = (
        await saa_alpha.execute(
            DOCS["accountRolesUpdate"],
            {"input": {"accountId": target, "assign": [await role_gid("Registration Admins")]}},
        )
    ).ok()["accountRolesUpdate"]
    assert payload["errors"] == []
    assert sorted(r["name"] for r in payload["account"]["roles"]) == [
        "Registration Admins",
        "Report Readers",
    ]


# ROLE-4 ---------------------------------------------------------------------------------

TEMPLATES = "{ roleTemplates { id name orgClass grants { level privilege { code } } } }"


async def test_role_4_templates_are_per_organization_class(saa_alpha, saa_gamma, aa_alpha):
    firm = (await saa_alpha.execute(TEMPLATES)).ok()["roleTemplates"]
    assert [t["name"] for t in firm] == ["Operations", "Registration", "Organization"]
    regulator = (await saa_gamma.execute(TEMPLATES)).ok()["roleTemplates"]
    assert [t["name"] for t in regulator] == ["Registration", "Query without SSN", "Query with SSN"]
    assert (await aa_alpha.execute(TEMPLATES)).ok()["roleTemplates"] == []


async def test_role_4_a_role_from_a_template_with_some_grants_then_extended(saa_alpha):
    operations = (await saa_alpha.execute(TEMPLATES)).ok()["roleTemplates"][0]
    created = await run(
        saa_alpha,
        "roleCreate",
        name="Ops Desk",
        templateId=operations["id"],
        templatePrivilegeIds=[await privilege_gid("RPT_VIEW")],
    )
    assert [g["privilege"]["code"] for g in created["role"]["grants"]] == ["RPT_VIEW"]
    extended = await run(
        saa_alpha,
        "roleUpdate",
        roleId=created["role"]["id"],
        grant=await grants(AM_CHANGE_PASSWORD="USER"),
    )
    assert sorted(g["privilege"]["code"] for g in extended["role"]["grants"]) == [
        "AM_CHANGE_PASSWORD",
        "RPT_VIEW",
    ]


async def test_role_4_another_classes_template_is_not_found(saa_alpha, saa_gamma):
    regulator = (await saa_gamma.execute(TEMPLATES)).ok()["roleTemplates"][0]
    async with unchanged():
        payload = await run(saa_alpha, "roleCreate", name="X", templateId=regulator["id"])
    assert codes(payload) == [("NOT_FOUND", "templateId")]


# ROLE-5 ---------------------------------------------------------------------------------


async def test_role_5_roles_cannot_hold_identifier_privileges(saa_alpha):
    async with unchanged():
        payload = await run(
            saa_alpha, "roleCreate", name="Trace", grant=await grants(TRF_TRACE="USER")
        )
    assert codes(payload) == [("INVALID", "grant")]
    ok = await run(saa_alpha, "roleCreate", name="Trace", grant=await grants(RPT_VIEW="USER"))
    assert ok["errors"] == []


# ROLE-6 and ENT-8 -----------------------------------------------------------------------


async def test_role_6_an_admin_role_makes_a_user_an_aa_and_back(saa_alpha):
    target = await account_gid("user.alpha")
    admins = await role_gid("Registration Admins")
    await run(saa_alpha, "roleAssign", roleId=admins, accountIds=[target])
    after = await effective(saa_alpha, "user.alpha")
    assert after["userType"] == "AA"
    filing = next(g for g in after["effectiveGrants"] if g["privilege"]["code"] == "REG_FILING")
    assert filing["level"] == "ADMIN"  # ENT-8: the highest level wins
    assert sorted((s["kind"], s["level"]) for s in filing["sources"]) == [
        ("DIRECT", "USER"),
        ("ROLE", "ADMIN"),
    ]
    await run(saa_alpha, "roleUnassign", roleId=admins, accountIds=[target])
    back = await effective(saa_alpha, "user.alpha")
    assert back["userType"] == "USER"
    filing = next(g for g in back["effectiveGrants"] if g["privilege"]["code"] == "REG_FILING")
    assert (filing["level"], filing["sources"][0]["kind"]) == ("USER", "DIRECT")


async def test_role_6_an_admin_role_ends_the_new_aas_sessions(saa_alpha, user_alpha, user2_alpha):
    viewer = "{ viewer { userId } }"
    readers = await role_gid("Report Readers")  # USER grants only: the session stays
    await run(
        saa_alpha, "roleAssign", roleId=readers, accountIds=[await account_gid("user2.alpha")]
    )
    assert (await user2_alpha.execute(viewer)).ok()["viewer"] == {"userId": "user2.alpha"}
    # AUTH-4: the session was opened without MFA; as an AA the account signs in again.
    admins = await role_gid("Registration Admins")
    await run(saa_alpha, "roleAssign", roleId=admins, accountIds=[await account_gid("user2.alpha")])
    assert (await user2_alpha.execute(viewer)).ok()["viewer"] is None
    assert (await user_alpha.execute(viewer)).ok()["viewer"] == {"userId": "user.alpha"}


async def test_acc_11_a_role_edit_changes_live_holders_not_deleted_ones(saa_alpha):
    readers = await role_gid("Report Readers")  # held by user.alpha
    await run(
        saa_alpha, "roleAssign", roleId=readers, accountIds=[await account_gid("user2.alpha")]
    )
    deleted = await saa_alpha.execute(
        "mutation($i: AccountDeleteInput!) { accountDelete(input: $i) { errors { code } } }",
        {"i": {"accountId": await account_gid("user.alpha"), "reason": "Left"}},
    )
    assert deleted.ok()["accountDelete"]["errors"] == []
    before = await Account.select().where(Account.user_id == "user.alpha").first()
    payload = await run(
        saa_alpha, "roleUpdate", roleId=readers, grant=await grants(RPT_VIEW="ADMIN")
    )
    assert payload["errors"] == []
    after = await Account.select().where(Account.user_id == "user.alpha").first()
    assert after == before  # ACC-11: a deleted account is only read
    live = await Account.select(Account.user_type).where(Account.user_id == "user2.alpha")
    assert live == [{"user_type": "AA"}]  # ROLE-6, ROLE-8


async def test_ent_8_effective_grants_name_the_role_they_come_through(saa_alpha):
    data = await effective(saa_alpha, "user.alpha")
    compliance = next(
        g for g in data["effectiveGrants"] if g["privilege"]["code"] == "RPT_COMPLIANCE"
    )
    assert compliance["sources"] == [
        {"kind": "ROLE", "level": "USER", "role": {"name": "Report Readers"}}
    ]


async def test_ent_8_a_role_gives_the_viewer_its_powers(anonymous, saa_alpha):
    # user.alpha gets ADMIN on report viewing through a role and so becomes an AA who
    # administers it: what roles give counts exactly like direct grants.
    await run(
        saa_alpha,
        "roleUpdate",
        roleId=await role_gid("Report Readers"),
        grant=await grants(RPT_VIEW="ADMIN"),
    )
    await run(
        saa_alpha,
        "roleAssign",
        roleId=await role_gid("Report Readers"),
        accountIds=[await account_gid("user.alpha")],
    )
    from tests.mutations import mutate

    await mutate(
        saa_alpha,
        "accountEntitlementsUpdate",
        accountId=await account_gid("user.alpha"),
        grant=[{"privilegeId": await privilege_gid("AM_MANAGE_ACCESS"), "level": "USER"}],
    )
    now_aa = await anonymous.login("user.alpha")
    payload = await mutate(
        now_aa,
        "accountEntitlementsUpdate",
        accountId=await account_gid("user2.alpha"),
        revoke=[await privilege_gid("RPT_VIEW")],
    )
    assert payload["errors"] == []


# ROLE-7 ---------------------------------------------------------------------------------


async def _small_role(saa_alpha) -> str:
    """A role whose every privilege aa.alpha administers."""
    created = await run(
        saa_alpha,
        "roleCreate",
        name="Filers",
        grant=await grants(REG_FILING="USER", REG_FORM_U4="USER"),
    )
    return created["role"]["id"]


async def test_role_7_an_aa_with_assign_roles_assigns_what_they_administer(saa_alpha, aa_alpha):
    role = await _small_role(saa_alpha)
    payload = await run(
        aa_alpha, "roleAssign", roleId=role, accountIds=[await account_gid("user2.alpha")]
    )
    assert payload["errors"] == []
    back = await run(
        aa_alpha, "roleUnassign", roleId=role, accountIds=[await account_gid("user2.alpha")]
    )
    assert back["errors"] == []


async def test_role_7_not_a_role_with_a_privilege_they_do_not_administer(aa_alpha):
    # Report Readers holds RPT_COMPLIANCE, which aa.alpha does not administer.
    async with unchanged():
        payload = await run(
            aa_alpha,
            "roleAssign",
            roleId=await role_gid("Report Readers"),
            accountIds=[await account_gid("user2.alpha")],
        )
    assert codes(payload) == [("FORBIDDEN", "roleId")]


async def test_role_7_not_a_role_granting_admin_level(aa_alpha):
    """ENT-2: only the SAA grants ADMIN level; an ADMIN role would make the user an AA
    (ROLE-6), even one whose privileges the AA administers at ADMIN."""
    async with unchanged():
        payload = await run(
            aa_alpha,
            "roleAssign",
            roleId=await role_gid("Registration Admins"),  # REG_FILING, REG_FORM_U4 at ADMIN
            accountIds=[await account_gid("user2.alpha")],
        )
    assert codes(payload) == [("FORBIDDEN", "roleId")]


@pytest.mark.parametrize("target", ["aa.alpha", "aa2.alpha", "saa.alpha"])
async def test_role_7_only_on_user_accounts_other_than_their_own(saa_alpha, aa_alpha, target):
    role = await _small_role(saa_alpha)
    async with unchanged():
        payload = await run(
            aa_alpha, "roleAssign", roleId=role, accountIds=[await account_gid(target)]
        )
    assert codes(payload) == [("FORBIDDEN", "accountId")]


async def test_role_7_an_aa_with_assign_roles_views_every_role(aa_alpha, aa2_alpha, user_alpha):
    assert await names(aa_alpha) == ["Registration Admins", "Report Readers", "SSN Reviewers"]
    # Without Assign Roles, an AA sees no roles; a user sees the roles they hold.
    assert await names(aa2_alpha) == []
    assert await names(user_alpha) == ["Report Readers"]


async def test_role_7_an_aa_without_assign_roles_cannot_assign(saa_alpha, aa2_alpha):
    role = await _small_role(saa_alpha)
    async with unchanged():
        payload = await run(
            aa2_alpha, "roleAssign", roleId=role, accountIds=[await account_gid("user.alpha")]
        )
    assert codes(payload) == [("NOT_FOUND", "roleId")]


async def test_role_7_the_operator_and_other_organizations_do_not_assign(operator, saa_beta):
    role = await role_gid("Report Readers")
    for client, code in ((operator, "FORBIDDEN"), (saa_beta, "NOT_FOUND")):
        async with unchanged():
            payload = await run(
                client, "roleAssign", roleId=role, accountIds=[await account_gid("user2.alpha")]
            )
        assert codes(payload) == [(code, "roleId")]


# ENT-3 through roles --------------------------------------------------------------------


async def test_ent_3_sensitive_privileges_in_roles_need_acknowledgement(saa_alpha):
    async with unchanged():
        refused = await run(
            saa_alpha,
            "roleCreate",
            name="Secret",
            grant=await grants(REG_FILING="USER", REG_VIEW_DOB="USER"),
        )
    assert codes(refused) == [("CONFIRMATION_REQUIRED", "acknowledgeSensitive")]
    created = await run(
        saa_alpha,
        "roleCreate",
        name="Secret",
        acknowledgeSensitive=True,
        grant=await grants(REG_FILING="USER", REG_VIEW_DOB="USER"),
    )
    assert created["errors"] == []
    target = [await account_gid("user.alpha")]
    async with unchanged():
        refused = await run(
            saa_alpha, "roleAssign", roleId=created["role"]["id"], accountIds=target
        )
    assert codes(refused) == [("CONFIRMATION_REQUIRED", "acknowledgeSensitive")]
    assigned = await run(
        saa_alpha,
        "roleAssign",
        roleId=created["role"]["id"],
        accountIds=target,
        acknowledgeSensitive=True,
    )
    assert assigned["errors"] == []
    event = (
        await AuditEvent.select(AuditEvent.after)
        .where(AuditEvent.action == "account.roles_update")
        .first()
    )
    after = event["after"] if isinstance(event["after"], dict) else json.loads(event["after"])
    assert after["acknowledged_sensitive"] == ["REG_VIEW_DOB"]  # recorded (ENT-3)


# ROLE-8 ---------------------------------------------------------------------------------


async def test_role_8_changing_a_role_changes_every_holder_at_once(saa_alpha):
    role = await role_gid("Report Readers")
    await run(saa_alpha, "roleUpdate", roleId=role, grant=await grants(RPT_VIEW="ADMIN"))
    data = await effective(saa_alpha, "user.alpha")
    assert data["userType"] == "AA"
    await run(saa_alpha, "roleUpdate", roleId=role, revoke=[await privilege_gid("RPT_COMPLIANCE")])
    data = await effective(saa_alpha, "user.alpha")
    assert "RPT_COMPLIANCE" not in {g["privilege"]["code"] for g in data["effectiveGrants"]}


async def test_role_8_a_role_held_by_200_accounts_changes_in_constant_statements(
    saa_alpha, fresh, sql_statements
):
    role = await role_gid("Report Readers")
    counts = []
    for holders in (10, 200):
        ids = await add_accounts("100001", holders, now=fresh.clock.now(), prefix=f"h{holders}")
        await run(
            saa_alpha,
            "roleAssign",
            roleId=role,
            accountIds=[to_global_id("Account", i) for i in ids],
        )
        with sql_statements() as stats:
            level = "ADMIN" if holders == 10 else "USER"
            payload = await run(
                saa_alpha, "roleUpdate", roleId=role, grant=await grants(RPT_VIEW=level)
            )
        assert payload["errors"] == []
        counts.append(stats.statements)
        if holders == 10:  # ROLE-6 followed for every holder in the same statement
            aas = Account.user_id.like("h10%") & (Account.user_type == "AA")
            assert await Account.count().where(aas) == 10
    assert counts[0] == counts[1], counts


# ROLE-9 ---------------------------------------------------------------------------------


async def test_role_9_a_held_role_is_not_deleted(saa_alpha):
    async with unchanged():
        payload = await run(
            saa_alpha, "roleDelete", roleId=await role_gid("Report Readers"), reason="Old"
        )
    assert codes(payload) == [("INVALID", "roleId")]


async def test_role_9_a_role_held_only_by_deleted_accounts_is_deleted(saa_alpha):
    role = await role_gid("Report Readers")  # held by user.alpha alone
    gone = await mutate(
        saa_alpha, "accountDelete", accountId=await account_gid("user.alpha"), reason="Left"
    )
    assert gone["errors"] == []
    payload = await run(saa_alpha, "roleDelete", roleId=role, reason="Retired")
    assert payload["errors"] == []


async def test_role_3_the_same_assignment_asked_at_once_is_made_once(saa_alpha):
    role = await role_gid("Registration Admins")
    target = [await account_gid("user2.alpha")]
    payloads = await asyncio.gather(
        *[run(saa_alpha, "roleAssign", roleId=role, accountIds=target) for _ in range(6)]
    )
    # Each answers with a payload: done, or told the roles changed meanwhile (PostgreSQL).
    assert all(codes(p) in ([], [("CONFLICT", "roleId")]) for p in payloads)
    held = await RoleAssignment.count().where(
        (RoleAssignment.role.name == "Registration Admins")
        & (RoleAssignment.account.user_id == "user2.alpha")
    )
    assert held == 1


async def test_role_9_an_unheld_role_is_deleted_with_a_reason_and_stays_listed(saa_alpha):
    role = await role_gid("Registration Admins")
    async with unchanged():
        no_reason = await run(saa_alpha, "roleDelete", roleId=role, reason=" ")
    assert codes(no_reason) == [("INVALID", "reason")]
    deleted = await run(saa_alpha, "roleDelete", roleId=role, reason="Merged into Filers")
    assert deleted["role"]["status"] == "DELETED"
    assert "Registration Admins" not in await names(saa_alpha)
    assert await names(saa_alpha, statuses=["DELETED"]) == ["Registration Admins"]
    async with unchanged():
        assign = await run(
            saa_alpha, "roleAssign", roleId=role, accountIds=[await account_gid("user.alpha")]
        )
        edit = await run(saa_alpha, "roleUpdate", roleId=role, description="again")
    assert codes(assign) == [("INVALID", "roleId")]
    assert codes(edit) == [("FORBIDDEN", "roleId")]
    # A deleted role's name may be used again.
    assert (await run(saa_alpha, "roleCreate", name="Registration Admins"))["errors"] == []


# ROLE-10 --------------------------------------------------------------------------------


async def test_role_10_text_search_contains_exact_and_wildcard(saa_alpha):
    assert await names(saa_alpha, text="read") == ["Report Readers"]
    assert await names(saa_alpha, text='"report readers"') == ["Report Readers"]
    assert await names(saa_alpha, text='"report"') == []
    # A `%` pattern is anchored, as in SQL: it starts with r and ends with s.
    assert await names(saa_alpha, text="r%s") == ["Registration Admins", "Report Readers"]
    assert await names(saa_alpha, text="%r%s") == [
        "Registration Admins",
        "Report Readers",
        "SSN Reviewers",
    ]
    assert await names(saa_alpha, text="%admins") == ["Registration Admins"]


async def test_role_10_filters_by_type_and_entitlement_with_level(saa_alpha):
    assert await names(saa_alpha, types=["ADMIN"]) == ["Registration Admins"]
    filing = await privilege_gid("REG_FILING")
    assert await names(saa_alpha, privilegeId=filing) == ["Registration Admins", "SSN Reviewers"]
    assert await names(saa_alpha, privilegeId=filing, level="USER") == ["SSN Reviewers"]


async def test_role_10_sorts(saa_alpha, operator):
    assert await names(saa_alpha, sort="TYPE") == [
        "Registration Admins",
        "Report Readers",
        "SSN Reviewers",
    ]
    assert (await names(saa_alpha, text="re", sort="RELEVANCE"))[0] == "Registration Admins"
    await run(saa_alpha, "roleUpdate", roleId=await role_gid("SSN Reviewers"), description="fresh")
    assert (await names(saa_alpha, sort="UPDATED"))[0] == "SSN Reviewers"
    by_class = await names(operator, sort="ORG_CLASS")
    assert by_class[-1] == "Query with SSN"  # REGULATOR sorts after FIRM


async def test_role_10_pages_with_cursors(saa_alpha):
    first = (await saa_alpha.execute(SEARCH, {"first": 2, "sort": "NAME"})).ok()["roles"]
    assert first["totalCount"] == 3 and first["pageInfo"]["hasNextPage"]
    rest = (
        await saa_alpha.execute(
            SEARCH, {"first": 2, "sort": "NAME", "after": first["pageInfo"]["endCursor"]}
        )
    ).ok()["roles"]
    assert [e["node"]["name"] for e in rest["edges"]] == ["SSN Reviewers"]


async def test_role_10_each_role_lists_the_accounts_holding_it(saa_alpha, aa_alpha):
    query = (
        "query($id: ID!) { role(id: $id) { accounts { totalCount edges { node { userId } } } } }"
    )
    role = {"id": await role_gid("SSN Reviewers")}
    holders = (await saa_alpha.execute(query, role)).ok()["role"]["accounts"]
    assert [e["node"]["userId"] for e in holders["edges"]] == ["user2.alpha"]


async def test_role_10_the_holders_list_shows_holders_that_are_not_active(saa_alpha):
    # A disabled holder still holds the role (ROLE-9 refuses to delete it), so it is listed.
    await Account.update({Account.status: "DISABLED_BY_ADMIN"}).where(
        Account.user_id == "user2.alpha"
    )
    query = (
        "query($id: ID!) { role(id: $id) { accounts { totalCount edges { node { userId } } } } }"
    )
    role = await role_gid("SSN Reviewers")
    holders = (await saa_alpha.execute(query, {"id": role})).ok()["role"]["accounts"]
    assert [e["node"]["userId"] for e in holders["edges"]] == ["user2.alpha"]
    assert holders["totalCount"] == 1
    refused = await run(saa_alpha, "roleDelete", roleId=role, reason="unused")
    assert codes(refused) == [("INVALID", "roleId")]


async def test_roles_are_invisible_to_other_organizations_and_anonymous(saa_beta, anonymous):
    assert "SSN Reviewers" not in await names(saa_beta)
    query = "query($id: ID!) { role(id: $id) { name } }"
    assert (await saa_beta.execute(query, {"id": await role_gid("SSN Reviewers")})).ok() == {
        "role": None
    }
    assert (await anonymous.execute(SEARCH)).error_codes() == ["UNAUTHENTICATED"]


async def test_role_changes_and_assignments_are_audited(saa_alpha, fresh):
    created = await run(
        saa_alpha, "roleCreate", name="Audited", grant=await grants(RPT_VIEW="USER")
    )
    await run(
        saa_alpha,
        "roleAssign",
        roleId=created["role"]["id"],
        accountIds=[await account_gid("user2.alpha")],
    )
    actions = [
        e["action"] for e in await AuditEvent.select(AuditEvent.action).order_by(AuditEvent.id)
    ]
    assert actions[-2:] == ["role.create", "account.roles_update"]


async def test_role_assignments_and_changes_are_emailed_to_the_holders(saa_alpha, fresh):
    from entitle.models import OutboxMessage

    role = await role_gid("Report Readers")
    await run(saa_alpha, "roleAssign", roleId=role, accountIds=[await account_gid("user2.alpha")])
    await run(saa_alpha, "roleUpdate", roleId=role, grant=await grants(AM_CHANGE_PASSWORD="USER"))
    await run(saa_alpha, "roleUpdate", roleId=role, description="only the description")
    sent = await OutboxMessage.select(OutboxMessage.kind, OutboxMessage.to_address).order_by(
        OutboxMessage.id
    )
    assert [(m["kind"], m["to_address"]) for m in sent] == [
        ("account.roles_changed", "user2.alpha@example.com"),
        ("role.changed", "user.alpha@example.com"),
        ("role.changed", "user2.alpha@example.com"),
    ]


# ROLE-10: saved views -------------------------------------------------------------------

SAVE = """
mutation($input: RoleViewSaveInput!) {
  roleViewSave(input: $input) { view { id name sort filter roles { edges { node { name } } } }
  errors { code field } }
}
"""
VIEWS = "{ roleViews { id name roles { totalCount edges { node { name } } } } }"


async def test_role_10_saved_views_always_show_current_data(saa_alpha):
    saved = (
        await saa_alpha.execute(
            SAVE, {"input": {"name": "Admin roles", "filter": {"types": ["ADMIN"]}, "sort": "NAME"}}
        )
    ).ok()["roleViewSave"]
    assert saved["errors"] == []
    assert [e["node"]["name"] for e in saved["view"]["roles"]["edges"]] == ["Registration Admins"]
    assert saved["view"]["filter"] == {"types": ["ADMIN"]}
    await run(saa_alpha, "roleCreate", name="Desk Admins", grant=await grants(RPT_VIEW="ADMIN"))
    (view,) = (await saa_alpha.execute(VIEWS)).ok()["roleViews"]
    assert [e["node"]["name"] for e in view["roles"]["edges"]] == [
        "Desk Admins",
        "Registration Admins",
    ]


async def test_role_10_saved_views_are_each_admins_own(saa_alpha, aa_alpha, aa2_alpha):
    await saa_alpha.execute(SAVE, {"input": {"name": "Mine"}})
    assert (await aa_alpha.execute(VIEWS)).ok()["roleViews"] == []
    (view,) = (await saa_alpha.execute(VIEWS)).ok()["roleViews"]
    delete = (
        "mutation($i: RoleViewDeleteInput!) { roleViewDelete(input: $i) { errors { code field } } }"
    )
    async with unchanged():
        refused = (await aa_alpha.execute(delete, {"i": {"viewId": view["id"]}})).ok()
    assert refused["roleViewDelete"]["errors"] == [{"code": "NOT_FOUND", "field": "viewId"}]
    # Saving under the same name (any case) replaces the view.
    await saa_alpha.execute(SAVE, {"input": {"name": "MINE", "sort": "TYPE"}})
    assert len((await saa_alpha.execute(VIEWS)).ok()["roleViews"]) == 1
    done = (await saa_alpha.execute(delete, {"i": {"viewId": view["id"]}})).ok()
    assert done["roleViewDelete"]["errors"] == []
    # An AA without Assign Roles does not search roles, so saves nothing.
    refused = (await aa2_alpha.execute(SAVE, {"input": {"name": "x"}})).ok()["roleViewSave"]
    assert refused["errors"] == [{"code": "FORBIDDEN", "field": None}]


async def test_role_10_a_view_saved_with_a_bad_privilege_id_is_refused(saa_alpha):
    # Stored, it would fail every later `roleViews` read as bad input.
    saved = (
        await saa_alpha.execute(
            SAVE, {"input": {"name": "Broken", "filter": {"privilegeId": "garbage"}}}
        )
    ).ok()["roleViewSave"]
    assert saved == {"view": None, "errors": [{"code": "NOT_FOUND", "field": "privilegeId"}]}
    assert (await saa_alpha.execute(VIEWS)).ok()["roleViews"] == []


async def test_role_3_assigning_to_200_accounts_costs_what_10_do(saa_alpha, fresh, sql_statements):
    role = await role_gid("Registration Admins")
    counts = []
    for holders in (10, 200):
        ids = await add_accounts("100001", holders, now=fresh.clock.now(), prefix=f"a{holders}")
        accounts = [to_global_id("Account", i) for i in ids]
        with sql_statements() as stats:
            payload = await run(saa_alpha, "roleAssign", roleId=role, accountIds=accounts)
        assert payload["errors"] == []
        counts.append(stats.statements)
    assert counts[0] == counts[1], counts
