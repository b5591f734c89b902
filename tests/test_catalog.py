"""The entitlement catalog: a tree of applications and privileges (ENT-1), filtered by
what each organization type may use (ORG-2)."""

from __future__ import annotations

CATALOG = """
{ applications { code privileges { code sensitive identifierKind parent { code } availableTo } } }
"""


async def codes(client) -> dict[str, list[str]]:
    data = (await client.execute(CATALOG)).ok()["applications"]
    return {a["code"]: [p["code"] for p in a["privileges"]] for a in data}


async def test_ent_1_the_catalog_is_a_tree_with_sensitive_privileges_flagged(saa_alpha):
    data = (await saa_alpha.execute(CATALOG)).ok()["applications"]
    privileges = {p["code"]: p for a in data for p in a["privileges"]}
    assert privileges["REG_VIEW_SSN"]["sensitive"] is True
    assert privileges["REG_VIEW_SSN"]["parent"] == {"code": "REG_FILING"}
    assert privileges["REG_FILING"]["parent"] is None
    assert privileges["RPT_VIEW"]["sensitive"] is False
    assert privileges["TRF_TRACE"]["identifierKind"] == "TRACE_MPID"
    assert [a["code"] for a in data] == ["AM", "REG", "RPT", "CAT", "TRF"]


async def test_org_2_a_regulator_sees_only_privileges_available_to_its_type(saa_gamma, saa_alpha):
    gamma = await codes(saa_gamma)
    assert gamma["TRF"] == [] and gamma["CAT"] == []
    assert "REG_QUERY" in gamma["REG"]
    alpha = await codes(saa_alpha)
    assert "REG_QUERY" not in alpha["REG"]
    assert alpha["TRF"] == ["TRF_TRACE", "TRF_EQUITY", "TRF_MSRB"]


async def test_the_operator_sees_the_whole_catalog(operator):
    everything = await codes(operator)
    assert "REG_QUERY" in everything["REG"] and everything["TRF"]


async def test_ent_7_special_privileges_are_in_the_catalog(user_alpha):
    assert {"AM_MANAGE_ACCESS", "AM_ASSIGN_ROLES"} <= set((await codes(user_alpha))["AM"])


async def test_anonymous_is_asked_to_sign_in(anonymous):
    assert (await anonymous.execute(CATALOG)).error_codes() == ["UNAUTHENTICATED"]
