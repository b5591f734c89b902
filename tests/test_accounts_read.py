"""Account reads through GraphQL: visibility (ACC-7, ACC-8, ACC-9), search, pagination,
last sign-in (ACC-10), grants and identifiers (ENT-5), for every actor."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from piccolo.querystring import QueryString

from entitle import db
from entitle.authz.engine import RequestAuthz
from entitle.authz.facts import AccountFacts, Relation
from entitle.enums import AccountKind, AccountStatus
from entitle.models import Account as AccountTable
from entitle.models import Identifier, Privilege
from entitle.resolvers.accounts import text_condition
from entitle.schema.accounts import Account
from entitle.schema.node import to_global_id
from entitle.services import sessions
from tests.factories import organization_id

ALL_STATUSES = [s.value for s in AccountStatus]
LIVE_STATUSES = [s for s in ALL_STATUSES if s != "DELETED"]

SEARCH = """
query($filter: AccountFilter, $first: Int = 50, $after: String) {
  accounts(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { userId } }
  }
}
"""
ACCOUNT = "query($id: ID!) { account(id: $id) { userId } node(id: $id) { id } }"
ACCOUNT_DETAIL = """
query($id: ID!) {
  account(id: $id) {
    userId lastSignInAt
    grants { level privilege { code } }
    identifiers { kind value }
  }
}
"""


async def user_ids(client, first: int = 50, **filter) -> list[str]:
    data = (await client.execute(SEARCH, {"filter": filter, "first": first})).ok()
    return [edge["node"]["userId"] for edge in data["accounts"]["edges"]]


async def account_id(user_id: str) -> str:
    row = await AccountTable.select(AccountTable.id).where(AccountTable.user_id == user_id).first()
    return to_global_id("Account", row["id"])


async def test_acc_8_default_search_is_active_accounts_of_the_viewers_organization(saa_alpha):
    assert await user_ids(saa_alpha) == [
        "aa.alpha",
        "aa2.alpha",
        "m2m.alpha",
        "saa.alpha",
        "user.alpha",
        "user2.alpha",
    ]


async def test_acc_7_deleted_accounts_are_visible_to_the_saa_not_to_an_aa(
    saa_alpha, aa_alpha, operator
):
    assert await user_ids(saa_alpha, statuses=["DELETED"]) == ["former.alpha"]
    assert await user_ids(operator, statuses=["DELETED"]) == ["former.alpha"]
    refused = await aa_alpha.execute(SEARCH, {"filter": {"statuses": ["DELETED"]}})
    assert refused.error_codes() == ["FORBIDDEN"]
    result = await aa_alpha.execute(ACCOUNT, {"id": await account_id("former.alpha")})
    assert result.ok() == {"account": None, "node": None}


async def test_acc_9_machine_accounts_are_visible_to_the_saa_only(saa_alpha, aa_alpha, user_alpha):
    assert await user_ids(saa_alpha, kinds=["M2M"]) == ["m2m.alpha"]
    for client in (aa_alpha, user_alpha):
        refused = await client.execute(SEARCH, {"filter": {"kinds": ["M2M"]}})
        assert refused.error_codes() == ["FORBIDDEN"]
    assert "m2m.alpha" not in await user_ids(aa_alpha, statuses=LIVE_STATUSES)


async def test_acc_8_an_aa_sees_the_organizations_people_but_not_deleted_or_machines(aa_alpha):
    assert await user_ids(aa_alpha, statuses=LIVE_STATUSES) == [
        "aa.alpha",
        "aa2.alpha",
        "draft.alpha",
        "saa.alpha",
        "user.alpha",
        "user2.alpha",
    ]


async def test_a_user_sees_only_their_own_account(user_alpha):
    assert await user_ids(user_alpha, statuses=LIVE_STATUSES) == ["user.alpha"]
    result = await user_alpha.execute(ACCOUNT, {"id": await account_id("user2.alpha")})
    assert result.ok() == {"account": None, "node": None}


async def test_another_organizations_account_is_indistinguishable_from_a_missing_one(saa_beta):
    hidden = await saa_beta.execute(ACCOUNT, {"id": await account_id("saa.alpha")})
    missing = await saa_beta.execute(ACCOUNT, {"id": to_global_id("Account", 999_999)})
    garbage = await saa_beta.execute(ACCOUNT, {"id": "not-an-id"})
    assert hidden.body == missing.body == garbage.body == {"data": {"account": None, "node": None}}
    assert await user_ids(saa_beta, text="alpha", statuses=ALL_STATUSES) == []


async def test_the_operator_sees_every_organizations_accounts(operator):
    found = await user_ids(operator, statuses=ALL_STATUSES, first=100)
    assert {"saa.alpha", "m2m.alpha", "saa.beta", "user.gamma", "operator"} <= set(found)


async def test_anonymous_is_asked_to_sign_in(anonymous):
    result = await anonymous.execute(SEARCH)
    assert result.data is None
    assert result.error_codes() == ["UNAUTHENTICATED"]
    result = await anonymous.execute(ACCOUNT, {"id": await account_id("saa.alpha")})
    assert result.error_codes() == ["UNAUTHENTICATED", "UNAUTHENTICATED"]


async def test_acc_8_free_text_matches_user_id_name_and_email(saa_alpha):
    assert await user_ids(saa_alpha, text="alvarez") == ["saa.alpha"]
    assert await user_ids(saa_alpha, text="ADA alv") == ["saa.alpha"]
    assert await user_ids(saa_alpha, text="user2.alpha@example") == ["user2.alpha"]
    assert await user_ids(saa_alpha, text="nobody") == []


async def test_acc_8_free_text_ignores_case_beyond_ascii(saa_alpha):
    await AccountTable.update({AccountTable.first_name: "Élodie"}).where(
        AccountTable.user_id == "user.alpha"
    )
    assert await user_ids(saa_alpha, text="élodie") == ["user.alpha"]
    assert await user_ids(saa_alpha, text='"ÉLODIE"') == ["user.alpha"]  # a whole field
    assert await user_ids(saa_alpha, text="ÉLO") == ["user.alpha"]


async def test_acc_8_double_quotes_match_exactly(saa_alpha):
    assert await user_ids(saa_alpha, text='"Ada Alvarez"') == ["saa.alpha"]
    assert await user_ids(saa_alpha, text='"alvar"') == []
    assert await user_ids(saa_alpha, text='"aa.alpha"') == ["aa.alpha"]


async def test_acc_8_search_wildcards_in_text_are_literal(saa_alpha):
    assert await user_ids(saa_alpha, text="%") == []
    assert await user_ids(saa_alpha, text="_") == []
    assert await user_ids(saa_alpha, text="'; DROP TABLE account; --") == []
    assert len(await user_ids(saa_alpha)) == 6


async def test_acc_8_filters_by_user_type(saa_alpha):
    assert await user_ids(saa_alpha, userTypes=["AA"]) == ["aa.alpha", "aa2.alpha"]


async def _privilege_id(code: str) -> str:
    row = await Privilege.select(Privilege.id).where(Privilege.code == code).first()
    return to_global_id("Privilege", row["id"])


async def test_acc_8_filter_by_entitlement_held(saa_alpha, aa_alpha):
    cat = await _privilege_id("CAT_REPORTER")
    assert await user_ids(saa_alpha, privilegeIds=[cat]) == [
        "aa2.alpha",
        "saa.alpha",
        "user2.alpha",
    ]
    trace = await _privilege_id("TRF_TRACE")
    assert await user_ids(aa_alpha, privilegeIds=[trace]) == ["aa.alpha", "saa.alpha", "user.alpha"]


async def test_acc_8_an_aa_searches_only_by_entitlements_they_administer(aa_alpha):
    cat = await _privilege_id("CAT_REPORTER")  # aa.alpha does not administer it
    result = await aa_alpha.execute(SEARCH, {"filter": {"privilegeIds": [cat]}})
    assert result.error_codes() == ["FORBIDDEN"]
    assert result.errors[0]["path"] == ["accounts"]


async def _identifier_id(value: str) -> str:
    row = await Identifier.select(Identifier.id).where(Identifier.value == value).first()
    return to_global_id("Identifier", row["id"])


async def test_acc_8_filter_by_identifier_only_among_identifiers_the_admin_holds(
    saa_alpha, aa_alpha
):
    alpe = await _identifier_id("ALPE")
    assert await user_ids(saa_alpha, identifierIds=[alpe]) == ["user.alpha"]
    assert (
        await aa_alpha.execute(SEARCH, {"filter": {"identifierIds": [alpe]}})
    ).error_codes() == ["FORBIDDEN"]
    alpt = await _identifier_id("ALPT")
    assert await user_ids(aa_alpha, identifierIds=[alpt]) == ["aa.alpha", "user.alpha"]


async def test_filter_ids_of_the_wrong_type_are_bad_input(saa_alpha):
    wrong = await account_id("user.alpha")
    result = await saa_alpha.execute(SEARCH, {"filter": {"privilegeIds": [wrong]}})
    assert result.error_codes() == ["BAD_USER_INPUT"]


async def test_pagination_walks_every_account_once_with_cursors(saa_alpha):
    seen, after = [], None
    while True:
        variables = {"first": 2, "after": after, "filter": {"statuses": ALL_STATUSES}}
        page = (await saa_alpha.execute(SEARCH, variables)).ok()["accounts"]
        assert page["totalCount"] == 8
        seen += [edge["node"]["userId"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 8


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"first": 501}, "BAD_USER_INPUT"),
        ({"first": -1}, "BAD_USER_INPUT"),
        ({"after": "!!not a cursor"}, "BAD_USER_INPUT"),
        ({"after": "WzEsMiwzXQ=="}, "BAD_USER_INPUT"),  # a cursor of another list's shape
    ],
)
async def test_bad_page_arguments_are_typed_errors(saa_alpha, variables, code):
    result = await saa_alpha.execute(SEARCH, variables)
    assert result.error_codes() == [code]


async def test_acc_10_every_account_shows_its_last_sign_in(anonymous, clock):
    saa = await anonymous.login("saa.alpha")
    clock.advance(minutes=20)
    await anonymous.login("user.alpha")
    detail = (await saa.execute(ACCOUNT_DETAIL, {"id": await account_id("user.alpha")})).ok()
    assert detail["account"]["lastSignInAt"] == clock.now().isoformat()
    never = (await saa.execute(ACCOUNT_DETAIL, {"id": await account_id("user2.alpha")})).ok()
    assert never["account"]["lastSignInAt"] is None


async def test_acc_8_an_aa_sees_only_the_grants_they_administer(aa_alpha, saa_alpha):
    target = {"id": await account_id("user2.alpha")}
    by_aa = (await aa_alpha.execute(ACCOUNT_DETAIL, target)).ok()["account"]["grants"]
    by_saa = (await saa_alpha.execute(ACCOUNT_DETAIL, target)).ok()["account"]["grants"]
    assert sorted(g["privilege"]["code"] for g in by_aa) == ["REG_FILING", "RPT_VIEW"]
    assert sorted(g["privilege"]["code"] for g in by_saa) == [
        "CAT_REPORTER",
        "REG_FILING",
        "REG_VIEW_SSN",
        "RPT_VIEW",
        "TRF_MSRB",
    ]


async def test_a_user_reads_all_of_their_own_grants(user2_alpha):
    own = (await user2_alpha.execute(ACCOUNT_DETAIL, {"id": await account_id("user2.alpha")})).ok()
    assert len(own["account"]["grants"]) == 5


async def test_ent_5_an_aa_sees_only_identifiers_assigned_to_them(aa_alpha, saa_alpha, user_alpha):
    target = {"id": await account_id("user.alpha")}
    values = lambda data: sorted(i["value"] for i in data["account"]["identifiers"])  # noqa: E731
    assert values((await aa_alpha.execute(ACCOUNT_DETAIL, target)).ok()) == ["ALPT"]
    assert values((await saa_alpha.execute(ACCOUNT_DETAIL, target)).ok()) == ["ALPE", "ALPT"]
    assert values((await user_alpha.execute(ACCOUNT_DETAIL, target)).ok()) == ["ALPE", "ALPT"]


async def test_policy_sql_selects_exactly_what_the_per_object_decision_allows(
    fresh, anonymous, clock
):
    """The compiled SQL filter and the per-object check are the same policy."""
    alpha, beta = await organization_id("100001"), await organization_id("100002")
    combos = itertools.product([alpha, beta], AccountStatus, AccountKind, ["AA", "USER", "SAA"])
    await AccountTable.insert(
        *[
            AccountTable(
                user_id=f"combo{i}",
                organization=org,
                first_name="C",
                last_name="C",
                email="c@example.com",
                phone="1",
                status=status,
                kind=kind,
                user_type=user_type,
                created_at=clock.now(),
            )
            for i, (org, status, kind, user_type) in enumerate(combos)
            # ORG-1 allows one live SAA per organization; deleted SAAs may be many.
            if user_type != "SAA" or status == AccountStatus.DELETED
        ]
    )
    rows = await AccountTable.select(*AccountTable.all_columns())
    deleted_ids = {r["user_id"] for r in rows if r["status"] == "DELETED"}
    for user_id in ("operator", "saa.alpha", "aa.alpha", "user.alpha", "saa.beta", "aa.beta"):
        client = await anonymous.login(user_id)
        authenticated = await sessions.authenticate(
            client.token, now=clock.now(), idle=timedelta(minutes=27)
        )
        viewer = authenticated.viewer
        authz = RequestAuthz(fresh.runtime.authorizer, viewer)
        expected = sorted(r["user_id"] for r in rows if authz.can("read", Account.from_row(r)))
        # Only who may read deleted accounts may ask for them (ACC-8).
        deleted = AccountFacts(Relation.SAME_ORG, "DELETED", "HUMAN", "USER")
        statuses = ALL_STATUSES if authz.allows("read", deleted) else LIVE_STATUSES
        found = await user_ids(client, statuses=statuses, first=500)
        assert found == [u for u in expected if statuses is ALL_STATUSES or u not in deleted_ids]


async def test_acc_8_only_the_saa_and_operator_filter_by_organization_class(
    operator, saa_alpha, aa_alpha
):
    assert "saa.gamma" in await user_ids(operator, orgClasses=["REGULATOR"])
    assert "saa.beta" not in await user_ids(operator, orgClasses=["REGULATOR"])
    assert len(await user_ids(saa_alpha, orgClasses=["FIRM"])) == 6
    refused = await aa_alpha.execute(SEARCH, {"filter": {"orgClasses": ["FIRM"]}})
    assert refused.error_codes() == ["FORBIDDEN"]


@pytest.mark.parametrize("text", ["ada chen", '"Ada Alvarez"'])
async def test_acc_8_free_text_search_uses_the_trigram_index_on_postgresql(fresh, text):
    if fresh.backend != "postgres":
        pytest.skip("SQLite has no trigram index; it scans")
    query = str(AccountTable.select(AccountTable.id).where(text_condition(text)))
    async with db.engine().transaction():
        # The demo's table is tiny, where a scan is cheaper: ask what the plan could use.
        await db.engine().run_ddl("SET LOCAL enable_seqscan = off")
        plan = await db.engine().run_querystring(QueryString("EXPLAIN " + query))
    assert "account_search_trgm" in " ".join(r["QUERY PLAN"] for r in plan)


async def test_acc_8_search_finds_accounts_by_their_details_as_edited(saa_alpha):
    """The searched text is a column the database generates: it follows every edit."""
    assert await user_ids(saa_alpha, text="Zyzzyva") == []
    edited = await saa_alpha.execute(
        """mutation($input: AccountUpdateInput!) {
             accountUpdate(input: $input) { errors { code } } }""",
        {"input": {"accountId": await account_id("user.alpha"), "lastName": "Zyzzyva"}},
    )
    assert edited.ok()["accountUpdate"]["errors"] == []
    assert await user_ids(saa_alpha, text="zyzz") == ["user.alpha"]
    assert await user_ids(saa_alpha, text='"zyzzyva"') == ["user.alpha"]


async def test_searches_are_planned_for_their_text_on_postgresql(fresh):
    """A generic plan for `LIKE $1` cannot know `%qu%` has no trigram; searches ask for
    custom plans, in a transaction of their own, and nothing else pays for planning."""
    if fresh.backend != "postgres":
        pytest.skip("SQLite plans every statement")
    show = QueryString("SHOW plan_cache_mode")
    async with db.custom_plans():
        inside = await db.engine().run_querystring(show)
    outside = await db.engine().run_querystring(show)
    assert [dict(r) for r in inside] == [{"plan_cache_mode": "force_custom_plan"}]
    assert [dict(r) for r in outside] == [{"plan_cache_mode": "auto"}]
