"""Organizations: visibility per actor, and ORG-1 held by the database itself."""

from __future__ import annotations

import asyncio

import pytest

from entitle.db import UNIQUE_VIOLATIONS, write_transaction
from entitle.enums import OrgClass, OrgType, org_class_of
from entitle.models import Account, Organization
from entitle.schema.node import to_global_id
from tests.factories import organization_id

ORGANIZATIONS = "{ organizations(first: 50) { totalCount edges { node { name type orgClass } } } }"
ORGANIZATION = "query($id: ID!) { organization(id: $id) { name number } }"


async def names(client) -> list[str]:
    data = (await client.execute(ORGANIZATIONS)).ok()["organizations"]
    return [edge["node"]["name"] for edge in data["edges"]]


async def test_the_operator_sees_every_organization(operator):
    assert await names(operator) == [
        "Alpha Securities",
        "Beta Capital",
        "Gamma State Securities Division",
        "Program Operations",
    ]


@pytest.mark.parametrize(
    ("user_id", "expected"),
    [
        ("saa.alpha", ["Alpha Securities"]),
        ("aa.alpha", ["Alpha Securities"]),
        ("user.alpha", ["Alpha Securities"]),
        ("saa.beta", ["Beta Capital"]),
    ],
)
async def test_members_see_only_their_own_organization(anonymous, user_id, expected):
    assert await names(await anonymous.login(user_id)) == expected


async def test_another_organization_reads_as_missing(saa_beta):
    alpha = to_global_id("Organization", await organization_id("100001"))
    assert (await saa_beta.execute(ORGANIZATION, {"id": alpha})).ok() == {"organization": None}


async def test_anonymous_is_asked_to_sign_in(anonymous):
    assert (await anonymous.execute(ORGANIZATIONS)).error_codes() == ["UNAUTHENTICATED"]


async def test_org_2_organization_class_follows_its_type(operator):
    data = (await operator.execute(ORGANIZATIONS)).ok()["organizations"]["edges"]
    classes = {edge["node"]["name"]: edge["node"]["orgClass"] for edge in data}
    assert classes["Gamma State Securities Division"] == "REGULATOR"
    assert classes["Alpha Securities"] == "FIRM"
    assert org_class_of(OrgType.NON_SECURITIES) is OrgClass.OTHER


def _saa(org: int, user_id: str, **extra) -> Account:
    return Account(
        user_id=user_id,
        organization=org,
        first_name="S",
        last_name="A",
        email=f"{user_id}@example.com",
        phone="1",
        user_type="SAA",
        status=extra.get("status", "ACTIVE"),
    )


async def test_org_1_the_database_refuses_a_second_saa(fresh):
    alpha = await organization_id("100001")
    with pytest.raises(UNIQUE_VIOLATIONS):
        async with write_transaction():
            await Account.insert(_saa(alpha, "second.saa.alpha"))
    # A deleted SAA no longer counts, so the organization can have a new one.
    async with write_transaction():
        await Account.insert(_saa(alpha, "old.saa.alpha", status="DELETED"))


async def test_org_1_two_racing_saa_designations_leave_exactly_one(fresh):
    org = (
        await Organization.insert(
            Organization(
                number="100077", name="Racing LLC", org_type="BROKER_DEALER", org_class="FIRM"
            )
        ).returning(Organization.id)
    )[0]["id"]

    async def designate(user_id: str) -> None:
        async with write_transaction():
            await Account.insert(_saa(org, user_id))

    results = await asyncio.gather(
        designate("first.racing"), designate("second.racing"), return_exceptions=True
    )
    failures = [r for r in results if isinstance(r, BaseException)]
    assert len(failures) == 1 and isinstance(failures[0], UNIQUE_VIOLATIONS), results
    saas = await Account.count().where((Account.organization == org) & (Account.user_type == "SAA"))
    assert saas == 1


async def test_acc_1_user_ids_are_unique_whatever_their_case(fresh):
    alpha = await organization_id("100001")
    with pytest.raises(UNIQUE_VIOLATIONS):
        async with write_transaction():
            await Account.insert(
                Account(
                    user_id="USER.ALPHA",
                    organization=alpha,
                    first_name="U",
                    last_name="A",
                    email="u@example.com",
                    phone="1",
                )
            )
