"""The account lifecycle through GraphQL: ACC-1..ACC-7, ACC-9, ACC-11, REP-2."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from entitle.models import Account, AccountToken, AuditEvent, OutboxMessage
from entitle.schema.node import to_global_id
from entitle.services import tokens
from tests.factories import organization_id
from tests.mutations import NEW_PERSON, account_gid, codes, mutate, privilege_gid, status_of
from tests.state import unchanged

SUGGEST = "query($f: String!, $l: String!) { userIdSuggest(firstName: $f, lastName: $l) }"
VIEWER = "{ viewer { userId } }"


async def create_draft(client, **extra) -> dict:
    payload = await mutate(client, "accountCreate", **NEW_PERSON, **extra)
    assert payload["errors"] == [], payload["errors"]
    return payload["account"]


async def grant(client, account_id: str, code: str = "RPT_VIEW", level: str = "USER") -> dict:
    return await mutate(
        client,
        "accountEntitlementsUpdate",
        accountId=account_id,
        grant=[{"privilegeId": await privilege_gid(code), "level": level}],
    )


# ACC-1 ----------------------------------------------------------------------------------


@pytest.mark.parametrize("user_id", ["saa.alpha", "aa.alpha"])
async def test_acc_1_saa_and_aa_create_accounts_in_their_organization(anonymous, user_id):
    client = await anonymous.login(user_id)
    account = await create_draft(client, title="Analyst", department="Ops")
    assert account["userId"] == "nnewcomb"  # generated from first and last name
    assert (account["status"], account["userType"], account["kind"]) == ("DRAFT", "USER", "HUMAN")
    assert (account["title"], account["department"]) == ("Analyst", "Ops")


async def test_acc_1_a_user_cannot_create_accounts(user_alpha):
    async with unchanged():
        payload = await mutate(user_alpha, "accountCreate", **NEW_PERSON)
    assert codes(payload) == [("FORBIDDEN", "organizationId")]


async def test_acc_1_another_organizations_admin_cannot_create_there(saa_beta):
    # Alpha's ID reads as missing to Beta's SAA, exactly like an unknown one.
    async with unchanged():
        payload = await mutate(
            saa_beta,
            "accountCreate",
            organizationId=to_global_id("Organization", await organization_id("100001")),
            **NEW_PERSON,
        )
    assert codes(payload) == [("NOT_FOUND", "organizationId")]


async def test_acc_1_anonymous_is_asked_to_sign_in(anonymous):
    result = await anonymous.execute(
        "mutation($i: AccountCreateInput!) { accountCreate(input: $i) { errors { code } } }",
        {"i": NEW_PERSON},
    )
    assert result.error_codes() == ["UNAUTHENTICATED"]


async def test_acc_1_user_id_suggestions_are_unique_platform_wide(saa_alpha, saa_beta):
    first = (await saa_alpha.execute(SUGGEST, {"f": "Nora", "l": "Newcomb"})).ok()
    assert first["userIdSuggest"] == "nnewcomb"
    await create_draft(saa_alpha)
    # Another organization's admin gets the next free one: IDs are platform-wide.
    second = (await saa_beta.execute(SUGGEST, {"f": "Nora", "l": "Newcomb"})).ok()
    assert second["userIdSuggest"] == "nnewcomb2"
    accented = (await saa_alpha.execute(SUGGEST, {"f": "Zoë", "l": "Ó'Brien-Ünal"})).ok()
    assert accented["userIdSuggest"] == "zobrienunal"


async def test_acc_1_user_id_suggestions_are_for_admins_only(user_alpha):
    result = await user_alpha.execute(SUGGEST, {"f": "Nora", "l": "Newcomb"})
    assert result.error_codes() == ["FORBIDDEN"]


async def test_acc_1_a_taken_user_id_is_a_conflict(saa_alpha):
    async with unchanged():
        payload = await mutate(saa_alpha, "accountCreate", userId="USER.beta", **NEW_PERSON)
    assert codes(payload) == [("CONFLICT", "userId")]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not an email"}, "email"),
        ({"phone": "call me"}, "phone"),
        ({"phone": "12"}, "phone"),
        ({"firstName": "  "}, "firstName"),
        ({"lastName": "x" * 101}, "lastName"),
        ({"cellPhone": "<script>"}, "cellPhone"),
        ({"userId": "no spaces allowed"}, "userId"),
        ({"userId": "'; DROP TABLE account; --"}, "userId"),
    ],
)
async def test_acc_1_bad_input_is_invalid_and_changes_nothing(saa_alpha, change, field):
    async with unchanged():
        payload = await mutate(saa_alpha, "accountCreate", **{**NEW_PERSON, **change})
    assert codes(payload) == [("INVALID", field)]
    assert payload["account"] is None


async def test_acc_1_two_concurrent_creates_of_one_user_id_one_conflict(saa_alpha, aa_alpha):
    results = await asyncio.gather(
        mutate(saa_alpha, "accountCreate", userId="same.id", **NEW_PERSON),
        mutate(aa_alpha, "accountCreate", userId="same.id", **NEW_PERSON),
    )
    outcomes = sorted(codes(r) for r in results)
    assert outcomes == [[], [("CONFLICT", "userId")]]


# ACC-2 ----------------------------------------------------------------------------------


async def test_acc_2_an_activation_date_is_at_most_30_days_ahead(saa_alpha, clock):
    today = clock.now().date()
    ok = await create_draft(saa_alpha, activationDate=(today + timedelta(days=30)).isoformat())
    assert ok["status"] == "DRAFT"
    for bad in (today + timedelta(days=31), today - timedelta(days=1)):
        async with unchanged():
            payload = await mutate(
                saa_alpha,
                "accountCreate",
                **{**NEW_PERSON, "userId": "later.one"},
                activationDate=bad.isoformat(),
            )
        assert codes(payload) == [("INVALID", "activationDate")]


# ACC-3 ----------------------------------------------------------------------------------


async def test_acc_3_activation_needs_an_entitlement(aa_alpha):
    draft = await create_draft(aa_alpha)
    async with unchanged():
        refused = await mutate(aa_alpha, "accountActivate", accountId=draft["id"])
    assert codes(refused) == [("INVALID", "accountId")]
    assert (await grant(aa_alpha, draft["id"]))["errors"] == []
    activated = await mutate(aa_alpha, "accountActivate", accountId=draft["id"])
    assert activated["errors"] == [] and activated["account"]["status"] == "ACTIVE"


async def test_acc_3_activation_sends_two_separate_emails(saa_alpha, fresh):
    draft = await create_draft(saa_alpha)
    await grant(saa_alpha, draft["id"])
    await mutate(saa_alpha, "accountActivate", accountId=draft["id"])
    emails = (
        await OutboxMessage.select()
        .where(OutboxMessage.to_address == NEW_PERSON["email"])
        .order_by(OutboxMessage.id)
    )
    assert [e["kind"] for e in emails] == [
        "account.activated.user_id",
        "account.activated.password_link",
    ]
    user_id_email, link_email = emails
    assert "nnewcomb" in user_id_email["body"] and "token=" not in user_id_email["body"]
    assert "nnewcomb" not in link_email["body"]
    token = link_email["body"].split("token=")[1].split()[0]
    stored = await AccountToken.select().where(AccountToken.purpose == "ACTIVATION")
    assert [t["token_hash"] for t in stored] == [tokens.digest(token)]  # single-use, hashed
    assert stored[0]["expires_at"] > stored[0]["created_at"]


async def test_acc_3_only_drafts_are_activated(saa_alpha):
    async with unchanged():
        payload = await mutate(
            saa_alpha, "accountActivate", accountId=await account_gid("user.alpha")
        )
    assert codes(payload) == [("INVALID", "accountId")]


async def test_acc_3_a_user_cannot_activate(user_alpha):
    async with unchanged():
        payload = await mutate(
            user_alpha, "accountActivate", accountId=await account_gid("draft.alpha")
        )
    assert codes(payload) == [("NOT_FOUND", "accountId")]


# ACC-5 ----------------------------------------------------------------------------------


async def test_acc_5_an_admin_edits_another_accounts_details(saa_alpha, aa_alpha):
    by_saa = await mutate(
        saa_alpha, "accountUpdate", accountId=await account_gid("aa.alpha"), firstName="Aaron B."
    )
    assert by_saa["errors"] == [] and by_saa["account"]["firstName"] == "Aaron B."
    by_aa = await mutate(
        aa_alpha,
        "accountUpdate",
        accountId=await account_gid("user.alpha"),
        email="uma@example.com",
        title="Trader",
    )
    assert by_aa["errors"] == []
    assert (by_aa["account"]["email"], by_aa["account"]["title"]) == ("uma@example.com", "Trader")


@pytest.mark.parametrize("target", ["aa.alpha", "aa2.alpha", "saa.alpha"])
async def test_acc_5_an_aa_cannot_edit_self_another_aa_or_the_saa(aa_alpha, target):
    async with unchanged():
        payload = await mutate(
            aa_alpha, "accountUpdate", accountId=await account_gid(target), phone="+1 202 555 0111"
        )
    assert codes(payload) == [("FORBIDDEN", "accountId")]


async def test_acc_5_the_saa_edits_only_phones_title_and_department_of_their_own(saa_alpha):
    me = await account_gid("saa.alpha")
    allowed = await mutate(
        saa_alpha,
        "accountUpdate",
        accountId=me,
        phone="+1 202 555 0177",
        cellPhone="+1 202 555 0178",
        title="CCO",
        department="Compliance",
    )
    assert allowed["errors"] == [] and allowed["account"]["title"] == "CCO"
    async with unchanged():
        refused = await mutate(saa_alpha, "accountUpdate", accountId=me, lastName="Changed")
    assert codes(refused) == [("FORBIDDEN", "accountId")]


async def test_acc_5_required_fields_cannot_be_cleared(saa_alpha):
    async with unchanged():
        payload = await mutate(
            saa_alpha, "accountUpdate", accountId=await account_gid("user.alpha"), phone=None
        )
    assert codes(payload) == [("INVALID", "phone")]


async def test_acc_5_another_organizations_account_is_not_found(saa_beta):
    async with unchanged():
        payload = await mutate(
            saa_beta, "accountUpdate", accountId=await account_gid("user.alpha"), title="x"
        )
    assert codes(payload) == [("NOT_FOUND", "accountId")]


# ACC-6, ACC-7 ---------------------------------------------------------------------------


async def test_acc_6_an_admin_disables_and_enables_a_user(aa_alpha, anonymous):
    victim = await anonymous.login("user.alpha")
    target = await account_gid("user.alpha")
    disabled = await mutate(aa_alpha, "accountDisable", accountId=target, reason="On leave")
    assert disabled["account"]["status"] == "DISABLED_BY_ADMIN"
    # Disabling ends the account's sessions at once.
    assert (await victim.execute(VIEWER)).ok()["viewer"] is None
    enabled = await mutate(aa_alpha, "accountEnable", accountId=target)
    assert enabled["account"]["status"] == "ACTIVE"


@pytest.mark.parametrize(
    ("actor", "target", "code"),
    [
        ("saa.alpha", "saa.alpha", "FORBIDDEN"),  # nobody disables their own account
        ("aa.alpha", "aa.alpha", "FORBIDDEN"),
        ("aa.alpha", "aa2.alpha", "FORBIDDEN"),  # an AA never on another AA
        ("aa.alpha", "saa.alpha", "FORBIDDEN"),  # nor on the SAA
        ("user.alpha", "user2.alpha", "NOT_FOUND"),  # a user sees no one else
        ("saa.beta", "user.alpha", "NOT_FOUND"),  # another organization
    ],
)
@pytest.mark.parametrize("mutation", ["accountDisable", "accountDelete"])
async def test_acc_6_who_may_not_disable_or_delete(anonymous, actor, target, code, mutation):
    client = await anonymous.login(actor)
    async with unchanged():
        payload = await mutate(client, mutation, accountId=await account_gid(target), reason="x")
    assert codes(payload) == [(code, "accountId")]


async def test_acc_6_the_saa_disables_an_aa(saa_alpha):
    payload = await mutate(saa_alpha, "accountDisable", accountId=await account_gid("aa.alpha"))
    assert payload["account"]["status"] == "DISABLED_BY_ADMIN"


async def test_acc_6_an_operator_disabled_account_is_enabled_only_by_the_operator(
    operator, saa_alpha
):
    target = await account_gid("user.alpha")
    disabled = await mutate(operator, "accountDisable", accountId=target, reason="Compromised")
    assert disabled["account"]["status"] == "DISABLED_BY_OPERATOR"
    async with unchanged():
        refused = await mutate(saa_alpha, "accountEnable", accountId=target)
    assert codes(refused) == [("FORBIDDEN", "accountId")]
    enabled = await mutate(operator, "accountEnable", accountId=target)
    assert enabled["account"]["status"] == "ACTIVE"


async def test_acc_6_enable_applies_only_to_disabled_accounts(saa_alpha):
    async with unchanged():
        payload = await mutate(
            saa_alpha, "accountEnable", accountId=await account_gid("user.alpha")
        )
    assert codes(payload) == [("INVALID", "accountId")]


async def test_acc_3_a_draft_is_neither_disabled_nor_enabled_into_active(saa_alpha, aa_alpha):
    draft = await create_draft(aa_alpha)
    await grant(aa_alpha, draft["id"])
    async with unchanged():
        for client in (saa_alpha, aa_alpha):
            for mutation in ("accountDisable", "accountEnable"):
                payload = await mutate(client, mutation, accountId=draft["id"])
                assert codes(payload) == [("INVALID", "accountId")], (mutation, payload)
    # A draft becomes ACTIVE only by activation (ACC-3): the two emails, then in use.
    await mutate(aa_alpha, "accountActivate", accountId=draft["id"])
    disabled = await mutate(aa_alpha, "accountDisable", accountId=draft["id"])
    assert disabled["account"]["status"] == "DISABLED_BY_ADMIN"
    enabled = await mutate(aa_alpha, "accountEnable", accountId=draft["id"])
    assert enabled["account"]["status"] == "ACTIVE"


@pytest.mark.parametrize("status", ["PASSWORD_LOCKOUT", "SECURITY_QUESTION_LOCKOUT"])
async def test_acc_6_a_locked_out_account_is_disabled_and_enabled(saa_alpha, status):
    await Account.update({Account.status: status}).where(Account.user_id == "user.alpha")
    target = await account_gid("user.alpha")
    disabled = await mutate(saa_alpha, "accountDisable", accountId=target)
    assert disabled["account"]["status"] == "DISABLED_BY_ADMIN"
    enabled = await mutate(saa_alpha, "accountEnable", accountId=target)
    assert enabled["account"]["status"] == "ACTIVE"


async def test_acc_3_a_disabled_never_activated_account_is_not_enabled(saa_alpha):
    # Data from before drafts were refused: a draft disabled by an admin.
    await Account.update({Account.status: "DISABLED_BY_ADMIN"}).where(
        Account.user_id == "draft.alpha"
    )
    async with unchanged():
        payload = await mutate(
            saa_alpha, "accountEnable", accountId=await account_gid("draft.alpha")
        )
    assert codes(payload) == [("INVALID", "accountId")]


async def test_acc_7_delete_is_permanent_and_needs_a_reason(saa_alpha, aa_alpha, anonymous):
    target = await account_gid("user2.alpha")
    async with unchanged():
        no_reason = await mutate(saa_alpha, "accountDelete", accountId=target, reason="  ")
    assert codes(no_reason) == [("INVALID", "reason")]
    deleted = await mutate(aa_alpha, "accountDelete", accountId=target, reason="Left the firm")
    assert deleted["errors"] == []
    # The AA who deleted it no longer sees it (ACC-7); the SAA does.
    assert deleted["account"] is None
    assert await status_of("user2.alpha") == "DELETED"
    refused = await anonymous.execute(
        "mutation($i: LoginInput!) { login(input: $i) { errors { code } } }",
        {"i": {"userId": "user2.alpha", "password": "correct horse battery staple"}},
    )
    assert refused.ok()["login"]["errors"] == [{"code": "INVALID_CREDENTIALS"}]


@pytest.mark.parametrize(
    ("mutation", "extra"),
    [
        ("accountUpdate", {"title": "x"}),
        ("accountDisable", {}),
        ("accountEnable", {}),
        ("accountDelete", {"reason": "again"}),
        ("accountActivate", {}),
    ],
)
async def test_acc_11_nothing_but_reading_on_a_deleted_account(saa_alpha, mutation, extra):
    async with unchanged():
        payload = await mutate(
            saa_alpha, mutation, accountId=await account_gid("former.alpha"), **extra
        )
    assert codes(payload) == [("FORBIDDEN", "accountId")]


async def test_acc_11_deleted_accounts_get_no_entitlement_changes(saa_alpha):
    async with unchanged():
        payload = await mutate(
            saa_alpha,
            "accountEntitlementsUpdate",
            accountId=await account_gid("former.alpha"),
            revoke=[await privilege_gid("RPT_VIEW")],
        )
    assert codes(payload) == [("FORBIDDEN", "accountId")]


# ACC-9: machine accounts ---------------------------------------------------------------


async def test_acc_9_only_the_operator_creates_machine_accounts(operator, saa_alpha):
    alpha = to_global_id("Organization", await organization_id("100001"))
    machine = {**NEW_PERSON, "userId": "ftp.alpha", "kind": "FTP", "organizationId": alpha}
    async with unchanged():
        refused = await mutate(saa_alpha, "accountCreate", **machine)
    assert codes(refused) == [("FORBIDDEN", "kind")]
    created = await mutate(operator, "accountCreate", **machine)
    assert created["errors"] == [] and created["account"]["kind"] == "FTP"
    # The operator sets the machine account up: grants, then activates (no emails).
    assert (await grant(operator, created["account"]["id"], "CAT_SUBMIT"))["errors"] == [
        {
            "code": "INVALID",
            "message": "CAT_SUBMIT needs its parent CAT_REPORTER (ENT-4).",
            "field": "grant",
        }
    ]
    assert (await grant(operator, created["account"]["id"], "CAT_REPORTER"))["errors"] == []
    active = await mutate(operator, "accountActivate", accountId=created["account"]["id"])
    assert active["account"]["status"] == "ACTIVE"


async def test_acc_9_the_operator_does_not_edit_peoples_accounts(operator):
    async with unchanged():
        payload = await mutate(
            operator, "accountUpdate", accountId=await account_gid("user.alpha"), title="x"
        )
    assert codes(payload) == [("FORBIDDEN", "accountId")]


# REP-2: every mutation is audited in its transaction ------------------------------------


async def test_rep_2_each_change_writes_one_audit_event_with_before_and_after(saa_alpha):
    target = await account_gid("user.alpha")
    await mutate(saa_alpha, "accountUpdate", accountId=target, title="Trader")
    await mutate(saa_alpha, "accountDisable", accountId=target, reason="Review")
    events = (
        await AuditEvent.select()
        .where(AuditEvent.action.is_in(["account.update", "account.disable"]))
        .order_by(AuditEvent.id)
        .output(load_json=True)
    )
    assert [(e["action"], e["actor_label"]) for e in events] == [
        ("account.update", "saa.alpha"),
        ("account.disable", "saa.alpha"),
    ]
    assert events[0]["before"] == {"title": None} and events[0]["after"] == {"title": "Trader"}
    assert events[1]["after"] == {"status": "DISABLED_BY_ADMIN", "reason": "Review"}
    assert all(e["request_id"] for e in events)
    assert "password" not in repr(events)


# ACC-4 ----------------------------------------------------------------------------------


async def test_acc_4_an_account_walks_the_statuses_and_refuses_the_wrong_moves(saa_alpha):
    draft = await create_draft(saa_alpha)
    account_id = draft["id"]
    assert codes(await mutate(saa_alpha, "accountEnable", accountId=account_id)) == [
        ("INVALID", "accountId")
    ]
    await grant(saa_alpha, account_id)
    steps = [
        ("accountActivate", {}, "ACTIVE"),
        ("accountDisable", {"reason": "Audit"}, "DISABLED_BY_ADMIN"),
        ("accountEnable", {}, "ACTIVE"),
        ("accountDisable", {}, "DISABLED_BY_ADMIN"),
        ("accountDelete", {"reason": "Left"}, "DELETED"),
    ]
    for mutation, extra, status in steps:
        payload = await mutate(saa_alpha, mutation, accountId=account_id, **extra)
        assert payload["errors"] == [], (mutation, payload["errors"])
        assert payload["account"]["status"] == status
    # Disabling twice, activating an active account: refused, not repeated.
    active = await account_gid("user.alpha")
    assert codes(await mutate(saa_alpha, "accountActivate", accountId=active)) == [
        ("INVALID", "accountId")
    ]
    await mutate(saa_alpha, "accountDisable", accountId=active)
    async with unchanged():
        again = await mutate(saa_alpha, "accountDisable", accountId=active)
    assert codes(again) == [("INVALID", "accountId")]
