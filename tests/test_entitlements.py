"""Grants and identifiers through GraphQL: ENT-2..ENT-9, ACC-9 imports, REP-2 reads."""

from __future__ import annotations

import asyncio

import pytest

from entitle.models import Account, AuditEvent, Grant, Identifier, Organization
from tests.graphql_client import DEMO_PASSWORD, LOGIN, persona_device
from tests.mutations import (
    MUTATIONS,
    NEW_PERSON,
    account_gid,
    codes,
    identifier_gid,
    mutate,
    privilege_gid,
)
from tests.state import unchanged

GRANTS = """
query($id: ID!) {
  account(id: $id) {
    userType
    grants { level privilege { code } }
    effectiveGrants { level privilege { code } sources { kind level } }
    identifiers { value }
  }
}
"""


async def held(client, user_id: str) -> dict[str, str]:
    data = (await client.execute(GRANTS, {"id": await account_gid(user_id)})).ok()["account"]
    return {g["privilege"]["code"]: g["level"] for g in data["grants"]}


async def change(client, user_id: str, **input) -> dict:
    for key in ("revoke",):
        input[key] = [await privilege_gid(c) for c in input.get(key, [])]
    input["grant"] = [
        {"privilegeId": await privilege_gid(c), "level": level}
        for c, level in input.pop("grant", {}).items()
    ]
    for key in ("assignIdentifiers", "unassignIdentifiers"):
        input[key] = [await identifier_gid(v) for v in input.get(key, [])]
    return await mutate(
        client, "accountEntitlementsUpdate", accountId=await account_gid(user_id), **input
    )


# ENT-2 ----------------------------------------------------------------------------------


async def test_ent_2_an_aa_grants_at_user_level_what_they_administer(aa_alpha):
    payload = await change(aa_alpha, "user2.alpha", grant={"REG_FORM_U4": "USER"})
    assert payload["errors"] == []
    assert (await held(aa_alpha, "user2.alpha"))["REG_FORM_U4"] == "USER"


@pytest.mark.parametrize(
    ("target", "grant", "field"),
    [
        ("user2.alpha", {"CAT_REPORTER": "USER"}, "grant"),  # aa.alpha does not administer CAT
        ("user2.alpha", {"RPT_VIEW": "ADMIN"}, "grant"),  # only the SAA grants ADMIN
        ("aa2.alpha", {"RPT_VIEW": "USER"}, "accountId"),  # only the SAA changes an AA
        ("aa.alpha", {"REG_FORM_U5": "USER"}, "accountId"),  # not their own account
    ],
)
async def test_ent_2_what_an_aa_may_not_grant(aa_alpha, target, grant, field):
    async with unchanged():
        payload = await change(aa_alpha, target, grant=grant)
    assert codes(payload) == [("FORBIDDEN", field)]


async def test_ent_2_the_saa_grants_admin_and_the_user_becomes_an_aa(saa_alpha):
    payload = await change(saa_alpha, "user.alpha", grant={"RPT_VIEW": "ADMIN"})
    assert payload["errors"] == [] and payload["account"]["userType"] == "AA"
    # ROLE-6 in its direct form: without an ADMIN grant the account is a USER again.
    back = await change(saa_alpha, "user.alpha", grant={"RPT_VIEW": "USER"})
    assert back["account"]["userType"] == "USER"


async def test_ent_2_a_privilege_not_available_to_the_organization_type_is_not_found(saa_gamma):
    async with unchanged():
        payload = await change(saa_gamma, "user.gamma", grant={"TRF_TRACE": "USER"})
    assert codes(payload) == [("NOT_FOUND", "grant")]


async def test_ent_2_a_user_changes_nothing(user_alpha):
    async with unchanged():
        payload = await change(user_alpha, "user.alpha", grant={"RPT_COMPLIANCE": "USER"})
    assert codes(payload) == [("FORBIDDEN", "accountId")]


async def test_ent_2_another_organizations_saa_finds_nothing(saa_beta):
    async with unchanged():
        payload = await change(saa_beta, "user.alpha", revoke=["RPT_VIEW"])
    assert codes(payload) == [("NOT_FOUND", "accountId")]


async def test_several_changes_are_all_or_nothing(aa_alpha):
    async with unchanged():
        payload = await change(
            aa_alpha, "user2.alpha", grant={"REG_FORM_U4": "USER", "CAT_SUBMIT": "USER"}
        )
    assert codes(payload) == [("FORBIDDEN", "grant")]


# ENT-3 ----------------------------------------------------------------------------------


async def test_ent_3_a_sensitive_grant_needs_an_acknowledgement(saa_alpha, fresh):
    async with unchanged():
        refused = await change(saa_alpha, "user.alpha", grant={"REG_VIEW_SSN": "USER"})
    assert codes(refused) == [("CONFIRMATION_REQUIRED", "acknowledgeSensitive")]
    granted = await change(
        saa_alpha, "user.alpha", grant={"REG_VIEW_SSN": "USER"}, acknowledgeSensitive=True
    )
    assert granted["errors"] == []
    (event,) = (
        await AuditEvent.select()
        .where(AuditEvent.action == "account.entitlements_update")
        .output(load_json=True)
    )
    assert event["after"]["acknowledged_sensitive"] == ["REG_VIEW_SSN"]


# ENT-4 ----------------------------------------------------------------------------------


async def test_ent_4_revoking_a_parent_revokes_its_children_after_confirmation(saa_alpha):
    async with unchanged():
        refused = await change(saa_alpha, "user.alpha", revoke=["REG_FILING"])
    assert codes(refused) == [("CONFIRMATION_REQUIRED", "confirmRevocations")]
    assert "REG_FORM_U4" in refused["errors"][0]["message"]
    done = await change(saa_alpha, "user.alpha", revoke=["REG_FILING"], confirmRevocations=True)
    assert done["errors"] == []
    grants = await held(saa_alpha, "user.alpha")
    assert "REG_FILING" not in grants and "REG_FORM_U4" not in grants


async def test_ent_4_removing_every_child_but_keeping_the_parent_needs_confirmation(saa_alpha):
    async with unchanged():
        refused = await change(saa_alpha, "user.alpha", revoke=["REG_FORM_U4"])
    assert codes(refused) == [("CONFIRMATION_REQUIRED", "confirmRevocations")]
    done = await change(saa_alpha, "user.alpha", revoke=["REG_FORM_U4"], confirmRevocations=True)
    assert done["errors"] == [] and "REG_FILING" in await held(saa_alpha, "user.alpha")


async def test_ent_4_a_child_needs_its_parent(saa_alpha):
    async with unchanged():
        payload = await change(
            saa_alpha, "user2.alpha", grant={"CAT_SUBMIT": "USER"}, revoke=["CAT_REPORTER"]
        )
    assert codes(payload) == [("INVALID", "grant")]
    assert "needs its parent CAT_REPORTER" in payload["errors"][0]["message"]
    added = await change(saa_alpha, "user2.alpha", grant={"CAT_SUBMIT": "USER"})
    assert added["errors"] == []


# ENT-5 ----------------------------------------------------------------------------------


async def test_ent_5_an_identifier_goes_with_its_related_privilege(saa_alpha):
    async with unchanged():
        refused = await change(saa_alpha, "user2.alpha", assignIdentifiers=["ALPT"])
    assert codes(refused) == [("INVALID", "assignIdentifiers")]
    done = await change(
        saa_alpha, "user2.alpha", grant={"TRF_TRACE": "USER"}, assignIdentifiers=["ALPT"]
    )
    assert done["errors"] == []


async def test_ent_5_an_aa_assigns_only_identifiers_assigned_to_them(aa_alpha):
    ok = await change(
        aa_alpha, "user2.alpha", grant={"TRF_TRACE": "USER"}, assignIdentifiers=["ALPT"]
    )
    assert ok["errors"] == []
    # ALPE belongs to the organization but is not assigned to aa.alpha: it reads as missing.
    async with unchanged():
        refused = await change(aa_alpha, "user.alpha", unassignIdentifiers=["ALPE"])
    assert codes(refused) == [("NOT_FOUND", "unassignIdentifiers")]


async def test_ent_5_another_organizations_identifier_is_not_found(saa_alpha):
    async with unchanged():
        payload = await change(
            saa_alpha, "user.alpha", grant={"TRF_TRACE": "USER"}, assignIdentifiers=["BETA"]
        )
    assert codes(payload) == [("NOT_FOUND", "assignIdentifiers")]


async def test_ent_5_revoking_the_last_related_privilege_unassigns_after_confirmation(saa_alpha):
    async with unchanged():
        refused = await change(saa_alpha, "user.alpha", revoke=["TRF_EQUITY"])
    assert codes(refused) == [("CONFIRMATION_REQUIRED", "confirmRevocations")]
    await change(saa_alpha, "user.alpha", revoke=["TRF_EQUITY"], confirmRevocations=True)
    data = (await saa_alpha.execute(GRANTS, {"id": await account_gid("user.alpha")})).ok()
    assert [i["value"] for i in data["account"]["identifiers"]] == ["ALPT"]


async def test_ent_5_an_aa_does_not_revoke_a_privilege_with_identifiers_not_assigned_to_them(
    saa_alpha, aa_alpha
):
    # A second TRACE MPID, ALPX, on user.alpha: assigned by the SAA, not held by aa.alpha.
    alpha = await Organization.select(Organization.id).where(Organization.number == "100001")
    await Identifier.insert(
        Identifier(organization=alpha[0]["id"], kind="TRACE_MPID", value="ALPX")
    )
    assigned = await change(saa_alpha, "user.alpha", assignIdentifiers=["ALPX"])
    assert assigned["errors"] == []
    async with unchanged():
        for confirm in (False, True):
            refused = await change(
                aa_alpha, "user.alpha", revoke=["TRF_TRACE"], confirmRevocations=confirm
            )
            assert codes(refused) == [("FORBIDDEN", "revoke")]
            assert "ALPX" not in refused["errors"][0]["message"]  # nor learnt (ACC-8)
    # Once only identifiers aa.alpha holds go with it, the revocation is theirs to make.
    await change(saa_alpha, "user.alpha", unassignIdentifiers=["ALPX"])
    asked = await change(aa_alpha, "user.alpha", revoke=["TRF_TRACE"])
    assert codes(asked) == [("CONFIRMATION_REQUIRED", "confirmRevocations")]
    assert "ALPT" in asked["errors"][0]["message"]
    done = await change(aa_alpha, "user.alpha", revoke=["TRF_TRACE"], confirmRevocations=True)
    assert done["errors"] == []
    data = (await saa_alpha.execute(GRANTS, {"id": await account_gid("user.alpha")})).ok()
    assert [i["value"] for i in data["account"]["identifiers"]] == ["ALPE"]


# ENT-6, ACC-9 ---------------------------------------------------------------------------


async def test_ent_6_import_copies_a_chosen_subset(saa_alpha):
    source, target = "user.alpha", "user2.alpha"
    payload = await mutate(
        saa_alpha,
        "accountEntitlementsImport",
        accountId=await account_gid(target),
        sourceAccountId=await account_gid(source),
        privilegeIds=[await privilege_gid("TRF_TRACE")],
        identifierIds=[await identifier_gid("ALPT")],
    )
    assert payload["errors"] == []
    data = (await saa_alpha.execute(GRANTS, {"id": await account_gid(target)})).ok()["account"]
    assert "TRF_TRACE" in {g["privilege"]["code"] for g in data["grants"]}
    assert "REG_FORM_U4" not in {g["privilege"]["code"] for g in data["grants"]}
    assert "ALPT" in {i["value"] for i in data["identifiers"]}


async def test_ent_6_the_importing_admin_must_administer_every_privilege(aa_alpha):
    async with unchanged():
        payload = await mutate(
            aa_alpha,
            "accountEntitlementsImport",
            accountId=await account_gid("user.alpha"),
            sourceAccountId=await account_gid("user2.alpha"),
            privilegeIds=[await privilege_gid("CAT_REPORTER")],
        )
    # user2.alpha holds CAT_REPORTER, which aa.alpha does not administer.
    assert codes(payload) == [("FORBIDDEN", "privilegeIds")]


async def test_ent_6_import_only_from_the_same_organization(saa_alpha):
    async with unchanged():
        payload = await mutate(
            saa_alpha,
            "accountEntitlementsImport",
            accountId=await account_gid("user.alpha"),
            sourceAccountId=await account_gid("user.beta"),
        )
    assert codes(payload) == [("NOT_FOUND", "sourceAccountId")]


async def test_acc_9_firms_cannot_import_into_ftp_accounts(saa_alpha, fresh):
    await Account.update({Account.kind: "FTP"}).where(Account.user_id == "m2m.alpha")
    async with unchanged():
        payload = await mutate(
            saa_alpha,
            "accountEntitlementsImport",
            accountId=await account_gid("m2m.alpha"),
            sourceAccountId=await account_gid("user.alpha"),
        )
    assert codes(payload) == [("FORBIDDEN", "accountId")]


# ACC-8: refusals name no grant the admin cannot see --------------------------------------

HIDDEN = ("REG_VIEW_SSN", "CAT_REPORTER", "TRF_MSRB", "A1234")


async def test_acc_8_an_aa_imports_what_they_see_and_no_refusal_names_the_rest(aa_alpha):
    # user2.alpha holds REG_FILING and RPT_VIEW, which aa.alpha administers, and
    # REG_VIEW_SSN, CAT_REPORTER, TRF_MSRB with MSRB A1234, which aa.alpha cannot see.
    created = await mutate(aa_alpha, "accountCreate", **NEW_PERSON)
    target, source = created["account"]["id"], await account_gid("user2.alpha")
    async with unchanged():
        for hidden in ("CAT_REPORTER", "CAT_SUBMIT"):  # held by the source or not: one answer
            refused = await mutate(
                aa_alpha,
                "accountEntitlementsImport",
                accountId=target,
                sourceAccountId=source,
                privilegeIds=[await privilege_gid("RPT_VIEW"), await privilege_gid(hidden)],
            )
            assert codes(refused) == [("FORBIDDEN", "privilegeIds")]
            assert not any(code in refused["errors"][0]["message"] for code in HIDDEN)
    # Without a list, the AA imports exactly what they see of the source (ENT-6).
    imported = await mutate(
        aa_alpha, "accountEntitlementsImport", accountId=target, sourceAccountId=source
    )
    assert imported["errors"] == []
    data = (await aa_alpha.execute(GRANTS, {"id": target})).ok()["account"]
    assert sorted(g["privilege"]["code"] for g in data["grants"]) == ["REG_FILING", "RPT_VIEW"]
    user_id = created["account"]["userId"]
    assert await Grant.count().where(Grant.account.user_id == user_id) == 2


async def test_acc_8_revoking_a_parent_with_a_hidden_child_does_not_name_it(aa_alpha):
    # aa.alpha administers REG_FILING; user2.alpha also holds its child REG_VIEW_SSN, which
    # aa.alpha does not administer and cannot see.
    async with unchanged():
        refused = await change(
            aa_alpha, "user2.alpha", revoke=["REG_FILING"], confirmRevocations=True
        )
        assert codes(refused) == [("FORBIDDEN", "revoke")]
        assert "REG_VIEW_SSN" not in refused["errors"][0]["message"]
        # Revoking a hidden privilege is refused whether or not the account holds it.
        for user_id in ("user.alpha", "user2.alpha"):
            hidden = await change(aa_alpha, user_id, revoke=["REG_VIEW_SSN"])
            assert codes(hidden) == [("FORBIDDEN", "revoke")]
    # Where every child is theirs, the AA is asked to confirm and names what goes.
    asked = await change(aa_alpha, "user.alpha", revoke=["REG_FILING"])
    assert codes(asked) == [("CONFIRMATION_REQUIRED", "confirmRevocations")]
    assert "REG_FORM_U4" in asked["errors"][0]["message"]


# ENT-7, ENT-8, ENT-9 --------------------------------------------------------------------


async def test_ent_7_an_aa_without_manage_access_administers_nothing(saa_alpha, anonymous):
    await change(saa_alpha, "aa2.alpha", revoke=["AM_MANAGE_ACCESS"])
    aa2 = await anonymous.login("aa2.alpha")
    async with unchanged():
        payload = await change(aa2, "user2.alpha", grant={"RPT_COMPLIANCE": "USER"})
    assert codes(payload) == [("NOT_FOUND", "accountId")]


async def test_ent_8_effective_grants_list_each_privilege_once_with_its_sources(saa_alpha):
    data = (await saa_alpha.execute(GRANTS, {"id": await account_gid("aa.alpha")})).ok()
    effective = data["account"]["effectiveGrants"]
    codes_ = [g["privilege"]["code"] for g in effective]
    assert len(codes_) == len(set(codes_)) == len(data["account"]["grants"])
    tracing = next(g for g in effective if g["privilege"]["code"] == "TRF_TRACE")
    assert tracing == {
        "level": "ADMIN",
        "privilege": {"code": "TRF_TRACE"},
        "sources": [{"kind": "DIRECT", "level": "ADMIN"}],
    }


async def test_ent_8_an_aa_sees_only_effective_grants_they_administer(aa_alpha):
    data = (await aa_alpha.execute(GRANTS, {"id": await account_gid("user2.alpha")})).ok()
    assert sorted(g["privilege"]["code"] for g in data["account"]["effectiveGrants"]) == [
        "REG_FILING",
        "RPT_VIEW",
    ]


async def test_ent_9_removing_an_applications_privileges_keeps_the_account(saa_alpha):
    payload = await change(
        saa_alpha,
        "user.alpha",
        revoke=["TRF_TRACE", "TRF_EQUITY"],
        confirmRevocations=True,
    )
    assert payload["errors"] == [] and payload["account"]["status"] == "ACTIVE"
    assert not {"TRF_TRACE", "TRF_EQUITY"} & set(await held(saa_alpha, "user.alpha"))


async def test_an_empty_change_is_invalid(saa_alpha):
    async with unchanged():
        payload = await change(saa_alpha, "user.alpha")
    assert codes(payload) == [("INVALID", None)]


# REP-2: reading the audit log -----------------------------------------------------------

AUDIT = """
{ auditEvents(first: 50) {
    totalCount
    edges { node { action actorLabel targetId actor { userId } before after } }
} }
"""


async def test_rep_2_the_saa_reads_their_organizations_audit_log(saa_alpha, saa_beta, operator):
    await change(saa_alpha, "user.alpha", grant={"RPT_COMPLIANCE": "USER"})
    alpha = (await saa_alpha.execute(AUDIT)).ok()["auditEvents"]["edges"]
    update = next(e["node"] for e in alpha if e["node"]["action"] == "account.entitlements_update")
    assert update["actor"] == {"userId": "saa.alpha"}
    assert update["targetId"] == await account_gid("user.alpha")
    assert update["after"]["grants"]["RPT_COMPLIANCE"] == "USER"
    beta = (await saa_beta.execute(AUDIT)).ok()["auditEvents"]["edges"]
    assert all(e["node"]["action"] != "account.entitlements_update" for e in beta)
    everything = (await operator.execute(AUDIT)).ok()["auditEvents"]["edges"]
    assert {"account.entitlements_update", "session.login"} <= {
        e["node"]["action"] for e in everything
    }


@pytest.mark.parametrize("user_id", ["aa.alpha", "user.alpha"])
async def test_rep_2_aas_and_users_read_no_audit_log(anonymous, user_id):
    client = await anonymous.login(user_id)
    assert (await client.execute(AUDIT)).ok()["auditEvents"]["totalCount"] == 0


async def test_rep_2_refused_mutations_leave_no_audit_event(aa_alpha, fresh):
    before = await AuditEvent.count()
    await change(aa_alpha, "user2.alpha", grant={"CAT_REPORTER": "USER"})
    assert await AuditEvent.count() == before


async def test_old_inconsistent_data_does_not_block_an_unrelated_change(saa_alpha, fresh):
    """An orphaned child grant or an identifier without its privilege, left by older data,
    is not judged again when an admin changes something else."""
    from entitle.models import Grant, Identifier, IdentifierAssignment, Privilege

    account = await Account.select(Account.id).where(Account.user_id == "user2.alpha").first()
    submit = await Privilege.select(Privilege.id).where(Privilege.code == "CAT_SUBMIT").first()
    await Grant.delete().where(Grant.account == account["id"])
    await Grant.insert(
        Grant(
            account=account["id"],
            privilege=submit["id"],
            level="USER",
            granted_at=fresh.clock.now(),
        )
    )
    alpt = await Identifier.select(Identifier.id).where(Identifier.value == "ALPT").first()
    await IdentifierAssignment.insert(
        IdentifierAssignment(
            identifier=alpt["id"], account=account["id"], assigned_at=fresh.clock.now()
        )
    )
    payload = await change(saa_alpha, "user2.alpha", grant={"RPT_VIEW": "USER"})
    assert payload["errors"] == []


# ENT-2 under concurrency ----------------------------------------------------------------


async def test_ent_2_concurrent_identical_grants_answer_payloads_and_hold_once(saa_alpha):
    target = await account_gid("user.alpha")
    grant = [{"privilegeId": await privilege_gid("AM_CHANGE_PASSWORD"), "level": "USER"}]
    results = await asyncio.gather(
        *(
            saa_alpha.execute(
                MUTATIONS["accountEntitlementsUpdate"],
                {"input": {"accountId": target, "grant": grant}},
            )
            for _ in range(8)
        )
    )
    payloads = [r.ok()["accountEntitlementsUpdate"] for r in results]  # never INTERNAL
    # The first writer wins; one that lost the race on PostgreSQL is told to reload.
    assert all(codes(p) in ([], [("CONFLICT", None)]) for p in payloads), payloads
    assert any(p["errors"] == [] for p in payloads)
    held_once = (Grant.account.user_id == "user.alpha") & (
        Grant.privilege.code == "AM_CHANGE_PASSWORD"
    )
    assert await Grant.count().where(held_once) == 1


# AUTH-4: a user made an admin signs in again, with MFA -----------------------------------

VIEWER = "{ viewer { userId userType } }"


async def sign_in_steps(anonymous, user_id: str) -> list[str]:
    """The steps a sign-in goes through on the persona's usual device."""
    payload = await anonymous.step(
        LOGIN,
        "login",
        {"userId": user_id, "password": DEMO_PASSWORD, "deviceToken": persona_device(user_id)},
    )
    steps = []
    while payload["step"] != "DONE":
        steps.append(payload["step"])
        payload = await anonymous.answer(payload)
    return steps


async def test_auth_4_a_user_granted_admin_must_sign_in_again_with_mfa(
    saa_alpha, user_alpha, user2_alpha, anonymous
):
    # A USER-level grant keeps the session: the account is still a USER.
    kept = await change(saa_alpha, "user.alpha", grant={"RPT_COMPLIANCE": "USER"})
    assert kept["errors"] == []
    assert (await user_alpha.execute(VIEWER)).ok()["viewer"]["userType"] == "USER"
    # An ADMIN grant makes an AA, whose session opened without MFA: it ends.
    made = await change(saa_alpha, "user.alpha", grant={"RPT_VIEW": "ADMIN"})
    assert made["account"]["userType"] == "AA"
    assert (await user_alpha.execute(VIEWER)).ok()["viewer"] is None
    assert (await user2_alpha.execute(VIEWER)).ok()["viewer"]["userId"] == "user2.alpha"
    assert {"ENROLL_MFA", "VERIFY_MFA"} & set(await sign_in_steps(anonymous, "user.alpha"))
