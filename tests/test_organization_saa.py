"""An organization that lost its SAA: locked out (ORG-6), listed with how long (ORG-7), and
given a new SAA by the operator (ORG-6)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from entitle.authz.actor import Profile, Viewer
from entitle.authz.engine import POLICY_DIR, Authorizer, RequestAuthz, load_oso
from entitle.demo import DEMO_ANSWERS
from entitle.jobs import runner
from entitle.models import (
    Account,
    AuditEvent,
    Grant,
    Organization,
    OutboxMessage,
    PrivilegeAvailability,
)
from entitle.schema.node import to_global_id
from entitle.services import accounts
from entitle.services.actor import Actor
from entitle.services.organizations import sign_in_blocked
from tests.conftest import START
from tests.factories import organization_id
from tests.graphql_client import DEMO_PASSWORD, LOGIN, step_mutation
from tests.mutations import account_gid, codes, status_of
from tests.state import unchanged

SAA_SET = """
mutation($input: OrganizationSaaSetInput!) {
  organizationSaaSet(input: $input) {
    organization { name saaVacatedAt daysWithoutSaa }
    account { userId userType status }
    errors { code message field }
  }
}
"""
WITHOUT_SAA = """
query($first: Int!, $after: String) {
  organizationsWithoutSaa(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { name saaVacatedAt daysWithoutSaa } }
  }
}
"""
VACANCY = "query($id: ID!) { organization(id: $id) { name saaVacatedAt daysWithoutSaa } }"
DELETED_ACCOUNTS = "{ accounts(filter: { statuses: [DELETED] }) { edges { node { userId } } } }"


async def org_gid(number: str) -> str:
    return to_global_id("Organization", await organization_id(number))


async def set_saa(client, number: str, user_id: str | None, *, account_id: str = "") -> dict:
    """The payload of `organizationSaaSet`; `account_id` is a raw ID when no user ID is given."""
    account = await account_gid(user_id) if user_id else account_id
    variables = {"input": {"organizationId": await org_gid(number), "accountId": account}}
    return (await client.execute(SAA_SET, variables)).ok()["organizationSaaSet"]


async def loses_its_saa(fresh, user_id: str) -> None:
    """The SAA goes dormant through the real job: old last use, both warnings long sent."""
    await Account.update(
        {
            Account.last_sign_in_at: fresh.clock.now() - timedelta(days=400),
            Account.dormancy_warnings: 2,
            Account.dormancy_warned_at: fresh.clock.now() - timedelta(days=8),
        }
    ).where(Account.user_id == user_id)
    report = (await runner.run_once(fresh.settings, fresh.clock, "dormancy"))["dormancy"]
    assert report.deleted == 1
    assert await status_of(user_id) == "DELETED"


async def add_account(number: str, user_id: str, **values) -> None:
    await Account.insert(
        Account(
            user_id=user_id,
            organization=await organization_id(number),
            first_name="New",
            last_name="Person",
            email=f"{user_id}@example.com",
            phone="+1 202 555 0100",
            created_at=START,
            **values,
        )
    )


async def test_org_6_operator_sets_a_new_saa(operator, anonymous, fresh):
    await loses_its_saa(fresh, "saa.beta")
    beta = await organization_id("100002")
    assert await sign_in_blocked(beta)
    before = (await operator.execute(VACANCY, {"id": await org_gid("100002")})).ok()
    assert before["organization"]["saaVacatedAt"] == START.isoformat()
    assert before["organization"]["daysWithoutSaa"] == 0

    payload = await set_saa(operator, "100002", "aa.beta")
    assert payload == {
        "organization": {"name": "Beta Capital", "saaVacatedAt": None, "daysWithoutSaa": None},
        "account": {"userId": "aa.beta", "userType": "SAA", "status": "ACTIVE"},
        "errors": [],
    }
    assert not await sign_in_blocked(beta)

    # ENT-2, REQ-7: the new SAA holds ADMIN on every privilege of the organization's type.
    aa_beta = (await Account.select(Account.id).where(Account.user_id == "aa.beta").first())["id"]
    admin = {
        g["privilege"]
        for g in await Grant.select(Grant.privilege).where(
            (Grant.account == aa_beta) & (Grant.level == "ADMIN")
        )
    }
    available = {
        a["privilege"]
        for a in await PrivilegeAvailability.select(PrivilegeAvailability.privilege).where(
            PrivilegeAvailability.org_type == "BROKER_DEALER"
        )
    }
    assert admin == available

    (event,) = (
        await AuditEvent.select()
        .where(AuditEvent.action == "account.saa_set")
        .output(load_json=True)
    )
    assert (event["actor_label"], event["target_id"], event["organization_id"]) == (
        "operator",
        str(aa_beta),
        beta,
    )
    assert event["before"] == {"user_type": "AA", "saa_vacated_at": START.isoformat()}
    assert event["after"]["user_type"] == "SAA"
    (email,) = await OutboxMessage.select().where(OutboxMessage.kind == "organization.saa_set")
    assert email["to_address"] == "aa.beta@example.com"
    assert email["subject"] == "You are now the SAA of Beta Capital"

    # The new SAA acts as one at once: only the SAA searches deleted accounts (ACC-8).
    new_saa = await anonymous.login("aa.beta")
    found = (await new_saa.execute(DELETED_ACCOUNTS)).ok()["accounts"]["edges"]
    assert [edge["node"]["userId"] for edge in found] == ["saa.beta"]


async def test_org_6_a_locked_or_disabled_person_may_become_the_saa(operator, fresh):
    await loses_its_saa(fresh, "saa.beta")
    await Account.update({Account.status: "PASSWORD_LOCKOUT"}).where(Account.user_id == "user.beta")
    payload = await set_saa(operator, "100002", "user.beta")
    assert payload["errors"] == []
    assert payload["account"] == {
        "userId": "user.beta",
        "userType": "SAA",
        "status": "PASSWORD_LOCKOUT",
    }


@pytest.mark.parametrize(
    ("user_id", "number", "code"),
    [
        # Refused before anything else is looked at, even on an organization with an SAA;
        # members of an organization without one cannot sign in at all (ORG-6).
        ("saa.alpha", "100001", "FORBIDDEN"),
        ("aa.alpha", "100001", "FORBIDDEN"),
        ("user.alpha", "100001", "FORBIDDEN"),
        # Another organization's admin: the organization reads as missing.
        ("saa.alpha", "100002", "NOT_FOUND"),
        ("saa.gamma", "100002", "NOT_FOUND"),
    ],
)
async def test_org_6_only_the_operator_sets_an_saa(anonymous, fresh, user_id, number, code):
    await loses_its_saa(fresh, "saa.beta")
    client = await anonymous.login(user_id)
    async with unchanged():
        payload = await set_saa(client, number, "aa.beta" if number == "100002" else "aa.alpha")
    assert codes(payload) == [(code, "organizationId")]
    assert (payload["organization"], payload["account"]) == (None, None)


async def test_org_6_anonymous_is_asked_to_sign_in(anonymous, fresh):
    await loses_its_saa(fresh, "saa.beta")
    variables = {
        "input": {"organizationId": await org_gid("100002"), "accountId": "x"},
    }
    async with unchanged():
        result = await anonymous.execute(SAA_SET, variables)
    assert result.error_codes() == ["UNAUTHENTICATED"]


async def test_org_6_a_new_saa_is_a_conflict_while_one_serves(operator, fresh):
    async with unchanged():
        payload = await set_saa(operator, "100001", "aa.alpha")
    assert codes(payload) == [("CONFLICT", "organizationId")]


@pytest.mark.parametrize(
    ("user_id", "code"),
    [
        ("saa.beta", "FORBIDDEN"),  # deleted (ACC-11)
        ("draft.beta", "INVALID"),
        ("m2m.beta", "INVALID"),  # an SAA is a person
        ("user.alpha", "NOT_FOUND"),  # not of this organization
    ],
)
async def test_org_6_the_new_saa_is_a_live_person_of_the_organization(
    operator, fresh, user_id, code
):
    await loses_its_saa(fresh, "saa.beta")
    await add_account("100002", "draft.beta", status="DRAFT")
    await add_account("100002", "m2m.beta", status="ACTIVE", kind="M2M")
    async with unchanged():
        payload = await set_saa(operator, "100002", user_id)
    assert codes(payload) == [(code, "accountId")]


async def test_org_6_an_id_that_is_not_an_account_is_not_found(operator, fresh):
    await loses_its_saa(fresh, "saa.beta")
    async with unchanged():
        payload = await set_saa(operator, "100002", None, account_id=await org_gid("100002"))
    assert codes(payload) == [("NOT_FOUND", "accountId")]


async def test_org_1_two_operators_racing_leave_one_saa(operator, fresh):
    await loses_its_saa(fresh, "saa.beta")
    payloads = await asyncio.gather(
        set_saa(operator, "100002", "aa.beta"), set_saa(operator, "100002", "user.beta")
    )
    assert sorted(codes(p) for p in payloads) == [[], [("CONFLICT", "organizationId")]]
    serving = await Account.count().where(
        (Account.organization == await organization_id("100002"))
        & (Account.user_type == "SAA")
        & (Account.status != "DELETED")
    )
    assert serving == 1


async def test_org_6_a_sign_in_begun_before_the_saa_is_deleted_does_not_finish(anonymous, fresh):
    login = {"input": {"userId": "user.alpha", "password": DEMO_PASSWORD}}
    begun = (await anonymous.execute(LOGIN, login)).ok()["login"]
    assert begun["step"] == "ANSWER_SECURITY_QUESTION"  # a browser it has not seen
    await loses_its_saa(fresh, "saa.alpha")
    query, name = step_mutation("ANSWER_SECURITY_QUESTION")
    answer = DEMO_ANSWERS[begun["securityQuestion"]["code"]]
    async with unchanged(ignore={"sign_in_attempt", "audit_event"}):
        response = await anonymous.execute(
            query, {"input": {"token": begun["token"], "answer": answer}}
        )
        step = response.ok()[name]
    assert codes(step) == [("FORBIDDEN", None)] and step["token"] is None
    assert await AuditEvent.count().where(AuditEvent.action == "session.login") == 0


async def test_org_6_deleting_the_saa_by_any_path_marks_the_organization(fresh):
    """No policy lets anyone delete an SAA through the API today; a future one (say REQ-7
    deleting the replaced SAA) goes through the same status change, which marks it."""
    extra = fresh.workdir / "operator_deletes_people.polar"
    extra.write_text(
        'allow(viewer: Profile, "delete", _account: AccountFacts) if viewer.operator;\n'
    )
    authorizer = Authorizer(load_oso([*sorted(POLICY_DIR.glob("*.polar")), extra]))
    operator = await Account.select().where(Account.user_id == "operator").first()
    viewer = Viewer(
        profile=Profile(signed_in=True, operator=True, user_type="SAA", manages_accounts=True),
        account_id=operator["id"],
        organization_id=operator["organization"],
        user_id="operator",
    )
    actor = Actor(
        authz=RequestAuthz(authorizer, viewer),
        now=fresh.clock.now(),
        request_id=None,
        settings=fresh.settings,
    )
    saa = await Account.select(Account.id).where(Account.user_id == "saa.gamma").first()
    await accounts.delete(actor, saa["id"], "Left the division")
    vacated = await Organization.select(Organization.saa_vacated_at).where(
        Organization.number == "900001"
    )
    assert vacated == [{"saa_vacated_at": START}]
    assert await sign_in_blocked(await organization_id("900001"))


async def without_saa(client, first: int = 10, after: str | None = None) -> dict:
    data = (await client.execute(WITHOUT_SAA, {"first": first, "after": after})).ok()
    return data["organizationsWithoutSaa"]


async def test_org_7_operator_lists_organizations_without_saa(anonymous, fresh, clock):
    operator = await anonymous.login("operator")
    assert (await without_saa(operator))["edges"] == []
    await Organization.insert(
        Organization(
            number="100099",
            name="Delta Advisers",
            org_type="INVESTMENT_ADVISER",
            org_class="FIRM",
            created_at=START - timedelta(days=40),
        )
    )
    await loses_its_saa(fresh, "saa.beta")
    # The operator's own organization is never listed, even without an SAA.
    await Account.update({Account.user_type: "AA"}).where(Account.user_id == "operator")

    clock.advance(days=3, hours=5)
    operator = await anonymous.login("operator")
    listed = await without_saa(operator)
    assert listed["totalCount"] == 2
    assert [edge["node"] for edge in listed["edges"]] == [
        {"name": "Beta Capital", "saaVacatedAt": START.isoformat(), "daysWithoutSaa": 3},
        {"name": "Delta Advisers", "saaVacatedAt": None, "daysWithoutSaa": 43},
    ]

    first = await without_saa(operator, first=1)
    assert [edge["node"]["name"] for edge in first["edges"]] == ["Beta Capital"]
    assert first["pageInfo"]["hasNextPage"]
    rest = await without_saa(operator, first=1, after=first["pageInfo"]["endCursor"])
    assert [edge["node"]["name"] for edge in rest["edges"]] == ["Delta Advisers"]
    assert not rest["pageInfo"]["hasNextPage"]

    assert (await set_saa(operator, "100002", "aa.beta"))["errors"] == []
    assert [e["node"]["name"] for e in (await without_saa(operator))["edges"]] == ["Delta Advisers"]


@pytest.mark.parametrize("user_id", ["saa.alpha", "aa.alpha", "user.alpha", "saa.beta"])
async def test_org_7_only_the_operator_lists_organizations_without_saa(anonymous, user_id):
    client = await anonymous.login(user_id)
    result = await client.execute(WITHOUT_SAA, {"first": 10})
    assert result.error_codes() == ["FORBIDDEN"]
    assert result.errors[0]["path"] == ["organizationsWithoutSaa"]
    assert result.data is None


async def test_org_7_anonymous_is_asked_to_sign_in(anonymous):
    result = await anonymous.execute(WITHOUT_SAA, {"first": 10})
    assert result.error_codes() == ["UNAUTHENTICATED"]


async def test_org_7_saa_vacancy_fields_are_read_by_the_operator_only(saa_alpha, operator):
    alpha = {"id": await org_gid("100001")}
    refused = await saa_alpha.execute(VACANCY, alpha)
    assert refused.data == {
        "organization": {"name": "Alpha Securities", "saaVacatedAt": None, "daysWithoutSaa": None}
    }
    assert sorted(tuple(e["path"]) for e in refused.errors) == [
        ("organization", "daysWithoutSaa"),
        ("organization", "saaVacatedAt"),
    ]
    assert set(refused.error_codes()) == {"FORBIDDEN"}
    # An organization with its SAA: nothing vacated, no days counted.
    assert (await operator.execute(VACANCY, alpha)).ok()["organization"] == {
        "name": "Alpha Securities",
        "saaVacatedAt": None,
        "daysWithoutSaa": None,
    }


async def test_org_7_the_list_costs_the_same_statements_for_2_and_30(
    operator, fresh, sql_statements
):
    await Organization.insert(
        *[
            Organization(
                number=f"2000{i:02d}",
                name=f"Vacant {i:02d}",
                org_type="BROKER_DEALER",
                org_class="FIRM",
                created_at=START - timedelta(days=i),
            )
            for i in range(30)
        ]
    )
    counts = []
    for first in (2, 30):
        with sql_statements() as stats:
            listed = await without_saa(operator, first=first)
        assert len(listed["edges"]) == first
        assert listed["edges"][1]["node"]["daysWithoutSaa"] == 1
        counts.append(stats.statements)
    assert counts[0] == counts[1], counts
