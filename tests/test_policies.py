"""The Polar policies, table-tested for every actor: operator, SAA, AA, user, another
organization's admin, anonymous. Facts are relative to the viewer, so "another
organization's SAA" is an SAA looking at OTHER_ORG facts."""

from __future__ import annotations

import pytest

from entitle.authz.actor import ANONYMOUS, Profile
from entitle.authz.engine import Authorizer
from entitle.authz.facts import (
    AccountFacts,
    ApplicationFacts,
    GrantFacts,
    IdentifierFacts,
    IndividualFacts,
    OrganizationFacts,
    PrivilegeFacts,
    ReportExportFacts,
    SavedReportFacts,
)

OPERATOR = Profile(signed_in=True, operator=True, user_type="SAA", manages_accounts=True)
SAA = Profile(
    signed_in=True,
    user_type="SAA",
    manages_accounts=True,
    reads_individuals=True,
    sensitive=("REG_VIEW_DOB", "REG_VIEW_SSN"),
)
AA = Profile(signed_in=True, user_type="AA", manages_accounts=True)
AA_WITHOUT_MANAGE_ACCESS = Profile(signed_in=True, user_type="AA")
USER = Profile(signed_in=True, user_type="USER")
USER_WITH_SSN = Profile(
    signed_in=True, user_type="USER", reads_individuals=True, sensitive=("REG_VIEW_SSN",)
)


@pytest.fixture(scope="module")
def authorizer() -> Authorizer:
    return Authorizer()


def account(relation="SAME_ORG", status="ACTIVE", kind="HUMAN", user_type="USER"):
    return AccountFacts(relation=relation, status=status, kind=kind, user_type=user_type)


@pytest.mark.parametrize(
    ("actor", "facts", "allowed"),
    [
        (OPERATOR, account("OTHER_ORG"), True),
        (SAA, account("SAME_ORG"), True),
        (SAA, account("OTHER_ORG"), False),  # another organization's SAA
        (AA, account("SAME_ORG"), True),
        (AA, account("OTHER_ORG"), False),
        (AA_WITHOUT_MANAGE_ACCESS, account("SAME_ORG"), False),
        (AA_WITHOUT_MANAGE_ACCESS, account("SELF"), True),
        (USER, account("SAME_ORG"), False),
        (USER, account("SELF"), True),
        (ANONYMOUS, account("SELF"), False),
        (ANONYMOUS, account("OTHER_ORG"), False),
    ],
)
def test_acc_8_who_reads_an_account(authorizer, actor, facts, allowed):
    assert authorizer.is_allowed(actor, "read", facts) is allowed


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [(OPERATOR, True), (SAA, True), (AA, False), (USER, False), (ANONYMOUS, False)],
)
def test_acc_7_deleted_accounts_are_visible_to_saa_and_operator_only(authorizer, actor, allowed):
    relation = "OTHER_ORG" if actor is OPERATOR else "SAME_ORG"
    assert authorizer.is_allowed(actor, "read", account(relation, "DELETED")) is allowed


@pytest.mark.parametrize("kind", ["M2M", "FTP"])
@pytest.mark.parametrize(
    ("actor", "allowed"),
    [(OPERATOR, True), (SAA, True), (AA, False), (USER, False), (ANONYMOUS, False)],
)
def test_acc_9_machine_accounts_are_visible_to_saa_and_operator_only(
    authorizer, actor, allowed, kind
):
    relation = "OTHER_ORG" if actor is OPERATOR else "SAME_ORG"
    assert authorizer.is_allowed(actor, "read", account(relation, kind=kind)) is allowed


def test_acc_7_a_deleted_account_still_reads_its_own_record(authorizer):
    assert authorizer.is_allowed(USER, "read", account("SELF", "DELETED"))


@pytest.mark.parametrize(
    ("actor", "facts", "allowed"),
    [
        (OPERATOR, GrantFacts(holder="OTHER_ORG", administered=False), True),
        (SAA, GrantFacts(holder="SAME_ORG", administered=True), True),
        (SAA, GrantFacts(holder="OTHER_ORG", administered=True), False),
        (AA, GrantFacts(holder="SAME_ORG", administered=True), True),
        (AA, GrantFacts(holder="SAME_ORG", administered=False), False),
        (AA, GrantFacts(holder="SELF", administered=False), True),
        (AA_WITHOUT_MANAGE_ACCESS, GrantFacts(holder="SAME_ORG", administered=True), False),
        (USER, GrantFacts(holder="SAME_ORG", administered=False), False),
        (USER, GrantFacts(holder="SELF", administered=False), True),
        (ANONYMOUS, GrantFacts(holder="SELF", administered=True), False),
    ],
)
def test_acc_8_an_admin_sees_only_the_entitlements_they_administer(
    authorizer, actor, facts, allowed
):
    assert authorizer.is_allowed(actor, "read", facts) is allowed


def test_ent_7_an_aa_without_manage_access_administers_nothing(authorizer):
    same_org = GrantFacts(holder="SAME_ORG", administered=True)
    assert authorizer.is_allowed(AA, "read", same_org)
    assert not authorizer.is_allowed(AA_WITHOUT_MANAGE_ACCESS, "read", same_org)
    assert not authorizer.is_allowed(AA_WITHOUT_MANAGE_ACCESS, "read", account("SAME_ORG"))


@pytest.mark.parametrize(
    ("actor", "facts", "allowed"),
    [
        (OPERATOR, IdentifierFacts(own_org=False, held=False), True),
        (SAA, IdentifierFacts(own_org=True, held=False), True),
        (SAA, IdentifierFacts(own_org=False, held=False), False),
        (AA, IdentifierFacts(own_org=True, held=True), True),
        (AA, IdentifierFacts(own_org=True, held=False), False),
        (USER, IdentifierFacts(own_org=True, held=True), True),
        (USER, IdentifierFacts(own_org=True, held=False), False),
        (ANONYMOUS, IdentifierFacts(own_org=True, held=True), False),
    ],
)
def test_ent_5_an_aa_sees_only_identifiers_assigned_to_them(authorizer, actor, facts, allowed):
    assert authorizer.is_allowed(actor, "read", facts) is allowed


@pytest.mark.parametrize(
    ("actor", "own", "allowed"),
    [
        (OPERATOR, False, True),
        (SAA, True, True),
        (SAA, False, False),
        (AA, True, True),
        (USER, True, True),
        (USER, False, False),
        (ANONYMOUS, True, False),
    ],
)
def test_organizations_are_visible_to_members_and_the_operator(authorizer, actor, own, allowed):
    assert authorizer.is_allowed(actor, "read", OrganizationFacts(own=own)) is allowed


@pytest.mark.parametrize("action", ["set_saa", "read_saa_vacancy"])
@pytest.mark.parametrize(
    ("actor", "own", "allowed"),
    [
        (OPERATOR, False, True),
        (OPERATOR, True, True),
        (SAA, True, False),
        (SAA, False, False),  # another organization's SAA
        (AA, True, False),
        (USER, True, False),
        (ANONYMOUS, False, False),
    ],
)
def test_org_6_org_7_only_the_operator_sets_an_saa_and_follows_vacancies(
    authorizer, action, actor, own, allowed
):
    assert authorizer.is_allowed(actor, action, OrganizationFacts(own=own)) is allowed


@pytest.mark.parametrize("action", ["suspend", "lift_suspension"])
@pytest.mark.parametrize(
    ("actor", "own", "allowed"),
    [
        # The operator's own organization is refused by the service, with its reason.
        (OPERATOR, False, True),
        (SAA, True, False),
        (SAA, False, False),  # another organization's SAA
        (AA, True, False),
        (USER, True, False),
        (ANONYMOUS, False, False),
    ],
)
def test_cert_4_operator_suspends_and_lifts_alone(authorizer, action, actor, own, allowed):
    assert authorizer.is_allowed(actor, action, OrganizationFacts(own=own)) is allowed


@pytest.mark.parametrize(
    ("actor", "own", "allowed"),
    [
        (OPERATOR, False, True),
        (SAA, True, True),
        (SAA, False, False),
        (AA, True, True),
        (USER, True, False),
        (ANONYMOUS, True, False),
    ],
)
def test_cert_4_a_suspension_is_read_by_the_operator_and_the_admins(
    authorizer, actor, own, allowed
):
    assert authorizer.is_allowed(actor, "read_suspension", OrganizationFacts(own=own)) is allowed


@pytest.mark.parametrize(
    ("actor", "available", "allowed"),
    [
        (OPERATOR, False, True),
        (SAA, True, True),
        (SAA, False, False),
        (USER, True, True),
        (ANONYMOUS, True, False),
    ],
)
def test_org_2_privileges_visible_are_those_available_to_the_organization_type(
    authorizer, actor, available, allowed
):
    assert authorizer.is_allowed(actor, "read", PrivilegeFacts(available=available)) is allowed


def test_ent_1_the_catalog_shape_is_readable_when_signed_in(authorizer):
    assert authorizer.is_allowed(USER, "read", ApplicationFacts())
    assert not authorizer.is_allowed(ANONYMOUS, "read", ApplicationFacts())


@pytest.mark.parametrize(
    ("actor", "associated", "read", "ssn", "dob"),
    [
        (OPERATOR, False, True, False, False),
        (SAA, True, True, True, True),
        (SAA, False, False, False, False),  # another organization's SAA
        (AA, True, False, False, False),  # no registration privilege
        (USER_WITH_SSN, True, True, True, False),
        (USER, True, False, False, False),
        (ANONYMOUS, True, False, False, False),
    ],
)
def test_ind_6_sensitive_fields_need_the_matching_privilege(
    authorizer, actor, associated, read, ssn, dob
):
    facts = IndividualFacts(associated=associated)
    assert authorizer.is_allowed(actor, "read", facts) is read
    assert authorizer.is_allowed(actor, "read_ssn", facts) is ssn
    assert authorizer.is_allowed(actor, "read_date_of_birth", facts) is dob


def test_decisions_are_memoized(authorizer):
    facts = account("SAME_ORG", "DRAFT")
    authorizer.is_allowed(AA, "read", facts)
    before = authorizer.evaluations
    for _ in range(1000):
        authorizer.is_allowed(AA, "read", facts)
    assert authorizer.evaluations == before


@pytest.mark.parametrize(
    ("actor", "own", "allowed"),
    [
        (OPERATOR, False, True),
        (SAA, True, True),
        (SAA, False, False),  # another organization's SAA
        (AA, True, False),
        (USER, True, False),
        (ANONYMOUS, False, False),
    ],
)
def test_cert_2_the_certification_report_is_the_saas_and_the_operators(
    authorizer, actor, own, allowed
):
    facts = OrganizationFacts(own=own)
    assert authorizer.is_allowed(actor, "certification_report", facts) is allowed


@pytest.mark.parametrize(
    ("actor", "own", "allowed"),
    [
        (SAA, True, True),
        (SAA, False, False),
        (AA, True, True),
        (AA, False, False),  # another organization's AA
        (AA_WITHOUT_MANAGE_ACCESS, True, False),
        (USER, True, False),
        (ANONYMOUS, False, False),
    ],
)
def test_rep_1_who_runs_the_account_details_report(authorizer, actor, own, allowed):
    facts = OrganizationFacts(own=own)
    assert authorizer.is_allowed(actor, "report_accounts", facts) is allowed


@pytest.mark.parametrize(
    ("actor", "facts", "allowed"),
    [
        (SAA, account("SELF", user_type="SAA"), True),
        (SAA, account("SAME_ORG", status="DELETED"), True),
        (SAA, account("SAME_ORG", kind="M2M"), True),
        (SAA, account("OTHER_ORG"), False),
        (AA, account("SAME_ORG"), True),
        (AA, account("SAME_ORG", user_type="AA"), False),
        (AA, account("SAME_ORG", status="DELETED"), False),
        (AA, account("SAME_ORG", kind="M2M"), False),
        (AA, account("SELF", user_type="AA"), False),
        (AA, account("OTHER_ORG"), False),
        (AA_WITHOUT_MANAGE_ACCESS, account("SAME_ORG"), False),
        (USER, account("SAME_ORG"), False),
        (ANONYMOUS, account("OTHER_ORG"), False),
    ],
)
def test_rep_1_the_report_lists_exactly_the_accounts_its_viewer_administers(
    authorizer, actor, facts, allowed
):
    assert authorizer.is_allowed(actor, "report", facts) is allowed


@pytest.mark.parametrize("action", ["read", "update", "delete"])
@pytest.mark.parametrize(
    ("actor", "owned", "allowed"),
    [
        (SAA, True, True),
        (SAA, False, False),
        (AA, True, True),
        (OPERATOR, False, False),
        (ANONYMOUS, False, False),
    ],
)
def test_rep_1_a_saved_report_is_its_owners_alone(authorizer, action, actor, owned, allowed):
    assert authorizer.is_allowed(actor, action, SavedReportFacts(owned=owned)) is allowed


@pytest.mark.parametrize("action", ["read", "download"])
@pytest.mark.parametrize(
    ("actor", "owned", "allowed"),
    [
        (SAA, True, True),
        (SAA, False, False),
        (OPERATOR, True, True),
        (OPERATOR, False, False),
        (ANONYMOUS, False, False),
    ],
)
def test_rep_1_an_export_is_its_owners_alone(authorizer, action, actor, owned, allowed):
    assert authorizer.is_allowed(actor, action, ReportExportFacts(owned=owned)) is allowed
