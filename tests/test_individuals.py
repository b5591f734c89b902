"""Individuals: IND-1 (encrypted SSN and date of birth), IND-6 (who reads them), REP-2
(every sensitive read audited)."""

from __future__ import annotations

import logging

from entitle.models import AuditEvent, Individual
from entitle.schema.node import to_global_id

JANE_SSN = "123-45-6789"
INDIVIDUAL = "query($id: ID!) { individual(id: $id) { crdNumber lastName ssn dateOfBirth } }"
INDIVIDUALS = "{ individuals(first: 20) { totalCount edges { node { crdNumber } } } }"


async def jane() -> dict:
    row = await Individual.select(Individual.id).where(Individual.crd_number == "5000001").first()
    return {"id": to_global_id("Individual", row["id"])}


async def crds(client) -> list[str]:
    data = (await client.execute(INDIVIDUALS)).ok()["individuals"]
    return sorted(edge["node"]["crdNumber"] for edge in data["edges"])


async def test_ind_6_organizations_see_the_individuals_associated_with_them(
    saa_alpha, saa_beta, user_gamma, operator
):
    assert await crds(saa_alpha) == ["5000001", "5000002"]
    assert await crds(saa_beta) == ["5000003", "5000004"]
    assert await crds(user_gamma) == ["5000001", "5000004"]
    assert await crds(operator) == ["5000001", "5000002", "5000003", "5000004"]


async def test_ind_6_accounts_without_registration_privileges_see_no_individuals(
    aa2_alpha, user_alpha
):
    assert await crds(aa2_alpha) == []
    # user.alpha files registrations, so sees them.
    assert await crds(user_alpha) == ["5000001", "5000002"]


async def test_ind_6_ssn_is_readable_only_with_the_view_ssn_privilege(user2_alpha, user_alpha):
    allowed = (await user2_alpha.execute(INDIVIDUAL, await jane())).body
    assert allowed["data"]["individual"]["ssn"] == JANE_SSN
    refused = await user_alpha.execute(INDIVIDUAL, await jane())
    assert refused.data["individual"]["lastName"] == "Doe"
    assert refused.data["individual"]["ssn"] is None
    assert refused.data["individual"]["dateOfBirth"] is None
    assert sorted((e["path"][-1], e["extensions"]["code"]) for e in refused.errors) == [
        ("dateOfBirth", "FORBIDDEN"),
        ("ssn", "FORBIDDEN"),
    ]


async def test_ind_6_date_of_birth_needs_its_own_privilege(user2_alpha, user_gamma):
    ssn_only = await user2_alpha.execute(INDIVIDUAL, await jane())
    assert ssn_only.data["individual"]["dateOfBirth"] is None
    both = (await user_gamma.execute(INDIVIDUAL, await jane())).ok()["individual"]
    assert (both["ssn"], both["dateOfBirth"]) == (JANE_SSN, "1980-04-12")


async def test_ind_6_the_operator_reads_records_but_not_ssn_without_the_privilege(operator):
    result = await operator.execute(INDIVIDUAL, await jane())
    assert result.data["individual"]["crdNumber"] == "5000001"
    assert result.data["individual"]["ssn"] is None


async def test_ind_6_an_unassociated_organization_reads_the_individual_as_missing(saa_beta):
    assert (await saa_beta.execute(INDIVIDUAL, await jane())).ok() == {"individual": None}


async def test_rep_2_every_sensitive_read_is_audited_without_the_value(user_gamma, fresh):
    await user_gamma.execute(INDIVIDUAL, await jane())
    await user_gamma.execute(INDIVIDUAL, await jane())
    events = await AuditEvent.select().where(AuditEvent.action.like("individual.read_%"))
    assert sorted(e["action"] for e in events) == [
        "individual.read_date_of_birth",
        "individual.read_date_of_birth",
        "individual.read_ssn",
        "individual.read_ssn",
    ]
    assert {e["actor_label"] for e in events} == {"user.gamma"}
    assert all(e["request_id"] for e in events)
    assert JANE_SSN not in repr(events)


async def test_rep_2_a_field_read_twice_in_one_request_is_audited_once(user_gamma, fresh):
    twice = (
        "query($id: ID!) { a: individual(id: $id) { ssn dateOfBirth }"
        " b: node(id: $id) { ... on Individual { ssn dateOfBirth } } }"
    )
    data = (await user_gamma.execute(twice, await jane())).ok()
    assert data["a"]["ssn"] == data["b"]["ssn"] == JANE_SSN
    events = await AuditEvent.select().where(AuditEvent.action.like("individual.read_%"))
    assert sorted(e["action"] for e in events) == [
        "individual.read_date_of_birth",
        "individual.read_ssn",
    ]


async def test_rep_2_a_refused_read_writes_no_sensitive_read_event(user_alpha, fresh):
    await user_alpha.execute(INDIVIDUAL, await jane())
    assert await AuditEvent.count().where(AuditEvent.action.like("individual.read_%")) == 0


async def test_ind_1_ssn_and_date_of_birth_are_encrypted_at_rest(fresh):
    row = await Individual.select().where(Individual.crd_number == "5000001").first()
    stored = repr(row)
    assert JANE_SSN not in stored and "123456789" not in stored and "1980-04-12" not in stored
    assert row["ssn_ciphertext"].startswith("gAAAA")  # a Fernet token


async def test_ssn_never_reaches_the_logs(user_gamma, caplog):
    with caplog.at_level(logging.DEBUG):
        await user_gamma.execute(INDIVIDUAL, await jane())
    assert JANE_SSN not in caplog.text
