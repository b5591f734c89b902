"""Yearly user accounts certification through the GraphQL endpoint: periods and statuses
(CERT-1), the SAA's certification (CERT-3), what a past-due organization may not do and
the operator's suspension of one (CERT-4).

The demo data opens the period of START's year (due 40 days after START), so tests use it
where they need a period, move the clock for dates relative to it, and open periods of
another year."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from entitle.demo import CERTIFICATION_DUE_IN, CERTIFICATION_STARTED, DEMO_ANSWERS
from entitle.jobs import runner
from entitle.models import (
    Account,
    AuditEvent,
    Certification,
    Grant,
    OutboxMessage,
    Privilege,
    Role,
    Session,
)
from entitle.schema.node import to_global_id
from tests.conftest import START
from tests.factories import organization_id
from tests.graphql_client import DEMO_PASSWORD, LOGIN
from tests.mutations import (
    NEW_PERSON,
    account_gid,
    codes,
    create_draft_and_grant,
    identifier_gid,
    mutate,
    privilege_gid,
    status_of,
)
from tests.state import unchanged
from tests.test_sign_in import FORGOT, FORGOT_ANSWER, PASSWORD_SET

DUE = START + CERTIFICATION_DUE_IN  # the demo period's due date
PAST_DUE = DUE + timedelta(hours=1)
BEFORE_ANY_PERIOD = START - CERTIFICATION_STARTED - timedelta(days=1)
NEXT_START = datetime(START.year + 1, 1, 11, 15, 0, tzinfo=UTC)
NEXT_DUE = NEXT_START + timedelta(days=40)
ERRORS = "errors { code message field }"
OPEN = f"""
mutation($input: CertificationPeriodOpenInput!) {{
  certificationPeriodOpen(input: $input) {{
    certificationPeriod {{ id year startsAt dueAt }} {ERRORS}
  }}
}}
"""
STANDING = "status required year dueAt daysLeft certifiedAt certifiedBy { userId }"
CERTIFY = f"""
mutation($input: OrganizationCertifyInput!) {{
  organizationCertify(input: $input) {{ certification {{ {STANDING} }} {ERRORS} }}
}}
"""
ORG_STATUS = (
    f"query($id: ID!) {{ organization(id: $id) {{ name certification {{ {STANDING} }} }} }}"
)
DUE_BANNER = "{ certificationDue { status dueAt daysLeft } }"
PERIODS = "{ certificationPeriods { year dueAt } }"
VIEWER = "{ viewer { userId } }"
SUSPENSION = "suspension { suspendedAt reason suspendedBy { userId } }"
SUSPEND = f"""
mutation($input: OrganizationSuspendInput!) {{
  organizationSuspend(input: $input) {{ organization {{ name {SUSPENSION} }} {ERRORS} }}
}}
"""
LIFT = f"""
mutation($input: OrganizationSuspensionLiftInput!) {{
  organizationSuspensionLift(input: $input) {{ organization {{ name {SUSPENSION} }} {ERRORS} }}
}}
"""
ORG_SUSPENSION = f"query($id: ID!) {{ organization(id: $id) {{ name {SUSPENSION} }} }}"
ORGANIZATIONS_SUSPENDED = (
    f'{{ organizations(text: "Alpha") {{ edges {{ node {{ {SUSPENSION} }} }} }} }}'
)
REASON = "User accounts certification past due."


async def alpha() -> str:
    return to_global_id("Organization", await organization_id("100001"))


async def open_period(operator, starts_at=NEXT_START, due_at=NEXT_DUE) -> dict:
    """Open a period; by default next year's, since the demo's year has its period."""
    variables = {"input": {"startsAt": starts_at.isoformat(), "dueAt": due_at.isoformat()}}
    return (await operator.execute(OPEN, variables)).ok()["certificationPeriodOpen"]


async def certify(client, org: str, accept: bool = True) -> dict:
    variables = {"input": {"organizationId": org, "acceptTerms": accept}}
    return (await client.execute(CERTIFY, variables)).ok()["organizationCertify"]


async def status(client, org: str) -> dict | None:
    return (await client.execute(ORG_STATUS, {"id": org})).ok()["organization"]["certification"]


async def suspend(client, org: str, reason: str = REASON) -> dict:
    variables = {"input": {"organizationId": org, "reason": reason}}
    return (await client.execute(SUSPEND, variables)).ok()["organizationSuspend"]


async def lift(client, org: str) -> dict:
    variables = {"input": {"organizationId": org}}
    return (await client.execute(LIFT, variables)).ok()["organizationSuspensionLift"]


async def password_step(anonymous, user_id: str, password: str | None = None) -> dict:
    """The `login` payload alone: the password step, refused or not."""
    variables = {"input": {"userId": user_id, "password": password or DEMO_PASSWORD}}
    return (await anonymous.execute(LOGIN, variables)).ok()["login"]


async def test_cert_1_the_demo_period_is_open_for_required_organizations(
    operator, saa_alpha, aa_alpha
):
    org = await alpha()
    assert (await operator.execute(PERIODS)).ok()["certificationPeriods"] == [
        {"year": START.year, "dueAt": DUE.isoformat()}
    ]
    for client in (operator, saa_alpha, aa_alpha):
        standing = await status(client, org)
        assert standing["status"] == "OPEN" and standing["required"] is True
        assert standing["year"] == START.year and standing["daysLeft"] == 40
    banner = (await saa_alpha.execute(DUE_BANNER)).ok()["certificationDue"]
    assert banner == {"status": "OPEN", "dueAt": DUE.isoformat(), "daysLeft": 40}
    # The banner is the SAA's: an AA has nothing to certify.
    assert (await aa_alpha.execute(DUE_BANNER)).ok()["certificationDue"] is None


async def test_cert_1_there_is_no_status_before_the_first_period_starts(anonymous, clock):
    clock.set(BEFORE_ANY_PERIOD)
    operator = await anonymous.login("operator")
    saa = await anonymous.login("saa.alpha")
    assert await status(operator, await alpha()) is None  # no period yet
    assert (await saa.execute(DUE_BANNER)).ok()["certificationDue"] is None


async def test_cert_1_operator_opens_a_period_and_required_organizations_are_open(
    operator, anonymous, clock
):
    org = await alpha()
    payload = await open_period(operator)
    assert payload["errors"] == []
    assert payload["certificationPeriod"]["year"] == START.year + 1
    assert (await operator.execute(PERIODS)).ok()["certificationPeriods"] == [
        {"year": START.year + 1, "dueAt": NEXT_DUE.isoformat()},
        {"year": START.year, "dueAt": DUE.isoformat()},
    ]
    # Until it starts, the year before's period stands.
    assert (await status(operator, org))["year"] == START.year
    clock.set(NEXT_START)
    clients = [await anonymous.login(u) for u in ("operator", "saa.alpha", "aa.alpha")]
    for client in clients:
        standing = await status(client, org)
        assert standing["status"] == "OPEN" and standing["required"] is True
        assert standing["year"] == START.year + 1 and standing["daysLeft"] == 40
    operator, saa, aa = clients
    banner = (await saa.execute(DUE_BANNER)).ok()["certificationDue"]
    assert banner == {"status": "OPEN", "dueAt": NEXT_DUE.isoformat(), "daysLeft": 40}
    # The banner is the SAA's: an AA has nothing to certify.
    assert (await aa.execute(DUE_BANNER)).ok()["certificationDue"] is None


async def test_cert_1_period_input_is_validated(operator, clock):
    async with unchanged():
        late = await open_period(operator, due_at=NEXT_START - timedelta(days=1))
        assert codes(late) == [("INVALID", "dueAt")]
        # A year without a period, due in the past.
        past = await open_period(
            operator, starts_at=START - timedelta(days=400), due_at=START - timedelta(days=1)
        )
        assert codes(past) == [("INVALID", "dueAt")]
        # The demo's year has its period.
        demo_year = await open_period(operator, starts_at=START, due_at=DUE + timedelta(days=5))
        assert codes(demo_year) == [("CONFLICT", "startsAt")]
    assert (await open_period(operator))["errors"] == []
    async with unchanged():
        again = await open_period(operator, due_at=NEXT_DUE + timedelta(days=5))
        assert codes(again) == [("CONFLICT", "startsAt")]


async def test_cert_1_period_times_carry_an_offset_and_the_year_is_the_utc_one(operator):
    naive = {"startsAt": NEXT_START.replace(tzinfo=None).isoformat(), "dueAt": NEXT_DUE.isoformat()}
    async with unchanged():
        refused = (await operator.execute(OPEN, {"input": naive})).ok()["certificationPeriodOpen"]
        assert codes(refused) == [("INVALID", "startsAt")]
    # New Year's Eve at 21:00 in New York is already next year in UTC: next year's period.
    eve = {"startsAt": f"{START.year}-12-31T21:00:00-05:00", "dueAt": NEXT_DUE.isoformat()}
    opened = (await operator.execute(OPEN, {"input": eve})).ok()["certificationPeriodOpen"]
    assert opened["errors"] == []
    period = opened["certificationPeriod"]
    assert period["year"] == START.year + 1
    assert period["startsAt"] == f"{START.year + 1}-01-01T02:00:00+00:00"


async def test_cert_1_only_the_operator_opens_and_lists_periods(
    operator, saa_alpha, aa_alpha, user_alpha, anonymous
):
    async with unchanged():
        for client in (saa_alpha, aa_alpha, user_alpha):
            assert codes(await open_period(client)) == [("FORBIDDEN", None)]
    assert (await open_period(operator))["errors"] == []
    for client in (saa_alpha, aa_alpha, user_alpha):
        assert (await client.execute(PERIODS)).ok()["certificationPeriods"] == []
    assert (await anonymous.execute(PERIODS)).error_codes() == ["UNAUTHENTICATED"]


async def test_cert_1_status_is_read_by_its_admins_and_the_operator_only(
    user_alpha, saa_beta, anonymous
):
    org = await alpha()
    response = await user_alpha.execute(ORG_STATUS, {"id": org})
    assert response.data["organization"]["certification"] is None
    assert response.error_codes() == ["FORBIDDEN"]
    assert response.errors[0]["path"] == ["organization", "certification"]
    # Another organization's admin does not see the organization at all.
    assert (await saa_beta.execute(ORG_STATUS, {"id": org})).ok()["organization"] is None
    assert (await user_alpha.execute(DUE_BANNER)).ok()["certificationDue"] is None
    assert (await anonymous.execute(ORG_STATUS, {"id": org})).error_codes() == ["UNAUTHENTICATED"]


async def test_cert_3_the_saa_certifies_with_a_snapshot_and_a_confirmation(saa_alpha, clock):
    org = await alpha()
    clock.advance(minutes=10)
    payload = await certify(saa_alpha, org)
    assert payload["errors"] == []
    standing = payload["certification"]
    assert standing["status"] == "CERTIFIED"
    assert standing["certifiedBy"] == {"userId": "saa.alpha"}
    assert standing["certifiedAt"] == (START + timedelta(minutes=10)).isoformat()
    assert standing["daysLeft"] is None
    row = await Certification.select().first()
    snapshot = json.loads(row["snapshot"]) if isinstance(row["snapshot"], str) else row["snapshot"]
    users = {a["userId"]: a for a in snapshot}
    assert "former.alpha" not in users  # deleted accounts are left out
    assert "saa.alpha" in users and "user.alpha" in users
    user = users["user.alpha"]
    assert user["status"] == "ACTIVE" and user["roles"]
    assert all(set(g) == {"privilege", "level"} for g in user["grants"])
    emails = await OutboxMessage.select().where(OutboxMessage.kind == "certification_confirmation")
    assert [e["to_address"] for e in emails] == ["saa.alpha@alpha.example"] or len(emails) == 1
    assert await AuditEvent.count().where(AuditEvent.action == "certification.certify") == 1
    assert (await saa_alpha.execute(DUE_BANNER)).ok()["certificationDue"] is None


async def test_cert_3_the_snapshot_keeps_a_held_role_emptied_of_its_grants(saa_alpha):
    """The report the SAA reviews lists every role an account holds (CERT-2), grants or not,
    and so does what is certified."""
    readers = await _role_gid("Report Readers")  # held by user.alpha
    revoke = [await privilege_gid("RPT_VIEW"), await privilege_gid("RPT_COMPLIANCE")]
    emptied = await saa_alpha.execute(
        _errors_only("roleUpdate"), {"input": {"roleId": readers, "revoke": revoke}}
    )
    assert emptied.ok()["roleUpdate"]["errors"] == []
    assert (await certify(saa_alpha, await alpha()))["errors"] == []
    row = await Certification.select().first()
    snapshot = json.loads(row["snapshot"]) if isinstance(row["snapshot"], str) else row["snapshot"]
    user = next(a for a in snapshot if a["userId"] == "user.alpha")
    assert user["roles"] == ["Report Readers"]


async def test_cert_3_refusals_change_nothing(
    operator, saa_alpha, aa_alpha, saa_beta, anonymous, clock
):
    org = await alpha()
    clock.set(BEFORE_ANY_PERIOD)
    early = await anonymous.login("saa.alpha")
    async with unchanged():
        # Outside a period.
        assert codes(await certify(early, org)) == [("INVALID", None)]
    clock.set(START)
    async with unchanged():
        assert codes(await certify(saa_alpha, org, accept=False)) == [("INVALID", "acceptTerms")]
        assert codes(await certify(aa_alpha, org)) == [("FORBIDDEN", None)]
        assert codes(await certify(operator, org)) == [("FORBIDDEN", None)]
        # Another organization's SAA cannot tell it exists.
        assert codes(await certify(saa_beta, org)) == [("NOT_FOUND", "organizationId")]
    assert (await certify(saa_alpha, org))["errors"] == []
    async with unchanged():
        assert codes(await certify(saa_alpha, org)) == [("CONFLICT", "organizationId")]


@pytest.mark.parametrize("table_change", ["update", "delete"])
async def test_cert_3_a_certification_is_immutable(saa_alpha, table_change):
    await certify(saa_alpha, await alpha())
    with pytest.raises(Exception, match="immutable"):
        if table_change == "update":
            await Certification.update({Certification.terms_accepted: True}, force=True)
        else:
            await Certification.delete(force=True)


def _errors_only(name: str) -> str:
    input_type = f"{name[0].upper()}{name[1:]}Input"
    return f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {ERRORS} }} }}"


async def _role_gid(name: str) -> str:
    org = await organization_id("100001")
    row = await Role.select(Role.id).where((Role.name == name) & (Role.organization == org)).first()
    return to_global_id("Role", row["id"])


async def _blocked_mutations() -> list[tuple[str, dict]]:
    """CERT-4's list, each with an input that succeeds once the organization certifies."""
    user = await account_gid("user.alpha")
    readers = await _role_gid("Report Readers")
    registration = await _role_gid("Registration Admins")
    rpt_view = await privilege_gid("RPT_VIEW")
    trace = await privilege_gid("TRF_TRACE")
    return [
        ("accountCreate", dict(NEW_PERSON)),
        ("accountActivate", {"accountId": await account_gid("draft.alpha")}),  # account access
        ("accountUpdate", {"accountId": user, "title": "Analyst"}),
        (
            "accountEntitlementsUpdate",
            {"accountId": user, "grant": [{"privilegeId": rpt_view, "level": "USER"}]},
        ),
        (  # organization identifiers, with their related privilege (ENT-5)
            "accountEntitlementsUpdate",
            {
                "accountId": await account_gid("user2.alpha"),
                "grant": [{"privilegeId": trace, "level": "USER"}],
                "assignIdentifiers": [await identifier_gid("ALPT")],
            },
        ),
        (
            "accountEntitlementsImport",
            {"accountId": user, "sourceAccountId": await account_gid("user2.alpha")},
        ),
        ("roleCreate", {"name": "Auditors", "grant": []}),
        ("roleUpdate", {"roleId": readers, "description": "Reads reports."}),
        ("roleAssign", {"roleId": registration, "accountIds": [user]}),
        ("roleUnassign", {"roleId": readers, "accountIds": [user]}),
        ("accountRolesUpdate", {"accountId": user, "unassign": [readers]}),
        ("roleDelete", {"roleId": registration, "reason": "No longer used."}),
    ]


async def test_cert_4_a_whole_period_past_due_then_certified(anonymous, fresh, clock):
    """The demo's period on the clock: open, reminded, past due with CERT-4's restrictions,
    suspended by the operator (G 18.2), lifted, certified, and everything restored."""
    org = await alpha()
    alpha_pk = await organization_id("100001")

    async def job() -> int:
        report = await runner.run_once(fresh.settings, clock, "certification")
        return report["certification"].notified

    # Open: Beta certifies in time; Alpha and Gamma are reminded 30, 14 and 7 days ahead.
    operator = await anonymous.login("operator")
    assert (await status(operator, org))["status"] == "OPEN"
    beta_org = to_global_id("Organization", await organization_id("100002"))
    assert (await certify(await anonymous.login("saa.beta"), beta_org))["errors"] == []
    assert await job() == 0
    reminded = ["saa.alpha@example.com", "saa.gamma@example.com"]
    for days_left, kind in ((29, "DAYS_30"), (13, "DAYS_14"), (6, "DAYS_7")):
        clock.set(DUE - timedelta(days=days_left))
        assert await job() == 2
        assert await job() == 0  # each once
        assert await _notices(kind) == reminded
    assert await _notices("PAST_DUE") == []

    # Past due: the notice, then the SAA and AAs can change nothing but disable and delete.
    clock.set(PAST_DUE)
    assert await job() == 2
    assert await _notices("PAST_DUE") == reminded
    saa = await anonymous.login("saa.alpha")
    aa = await anonymous.login("aa.alpha")
    assert (await status(saa, org))["status"] == "PAST_DUE"
    assert (await saa.execute(DUE_BANNER)).ok()["certificationDue"]["status"] == "PAST_DUE"
    blocked = await _blocked_mutations()
    async with unchanged(ignore={"account_session"}):
        for client in (saa, aa):
            for name, input in blocked:
                response = await client.execute(_errors_only(name), {"input": input})
                assert codes(response.ok()[name]) == [("CERTIFICATION_PAST_DUE", None)], name
    # An organization that certified in time is not held back.
    beta = await anonymous.login("saa.beta")
    created = await beta.execute(_errors_only("roleCreate"), {"input": {"name": "Auditors"}})
    assert created.ok()["roleCreate"]["errors"] == []
    # Disabling and deleting accounts stay allowed.
    target = await account_gid("user2.alpha")
    disable = await aa.execute(_errors_only("accountDisable"), {"input": {"accountId": target}})
    assert disable.ok()["accountDisable"]["errors"] == []
    # Enabling gives access back, so it waits for the certification (edit account access).
    enable = await aa.execute(_errors_only("accountEnable"), {"input": {"accountId": target}})
    assert codes(enable.ok()["accountEnable"]) == [("CERTIFICATION_PAST_DUE", None)]
    delete = await saa.execute(
        _errors_only("accountDelete"), {"input": {"accountId": target, "reason": "Left."}}
    )
    assert delete.ok()["accountDelete"]["errors"] == []

    # The operator suspends Alpha: its admins' sessions end and nobody of it signs in.
    clock.advance(days=3)
    operator = await anonymous.login("operator")
    saa = await anonymous.login("saa.alpha")
    aa = await anonymous.login("aa.alpha")
    accounts_before = await _accounts_of(alpha_pk)
    suspended = await suspend(operator, org)
    assert suspended["errors"] == []
    assert suspended["organization"]["suspension"]["suspendedAt"] == clock.now().isoformat()
    assert (await saa.execute(VIEWER)).ok()["viewer"] is None
    refused = await aa.execute(_errors_only("accountDisable"), {"input": {"accountId": target}})
    assert refused.error_codes() == ["UNAUTHENTICATED"]
    for user_id in ("saa.alpha", "aa.alpha"):
        assert codes(await password_step(anonymous, user_id)) == [("ORGANIZATION_SUSPENDED", None)]
    assert await _emails("organization.suspended") == ["saa.alpha@example.com"]
    # The SAA contacts the operator, who lifts the suspension: the accounts are as they were,
    # and the organization still has to certify.
    clock.advance(days=1)
    operator = await anonymous.login("operator")
    lifted = await lift(operator, org)
    assert lifted["errors"] == [] and lifted["organization"]["suspension"] is None
    assert await _accounts_of(alpha_pk) == accounts_before
    assert await _emails("organization.suspension_lifted") == ["saa.alpha@example.com"]
    saa = await anonymous.login("saa.alpha")
    assert (await status(saa, org))["status"] == "PAST_DUE"
    name, input = blocked[0]
    response = await saa.execute(_errors_only(name), {"input": input})
    assert codes(response.ok()[name]) == [("CERTIFICATION_PAST_DUE", None)]

    # Certifying lifts every restriction at once.
    assert (await certify(saa, org))["certification"]["status"] == "CERTIFIED"
    for name, input in blocked:
        if name == "accountEntitlementsImport":
            continue  # its source was deleted above
        response = await saa.execute(_errors_only(name), {"input": input})
        assert "CERTIFICATION_PAST_DUE" not in {c for c, _ in codes(response.ok()[name])}, name
    assert (await saa.execute(DUE_BANNER)).ok()["certificationDue"] is None


async def test_cert_4_a_scheduled_activation_waits_for_the_certification(anonymous, fresh, clock):
    """ACC-2's drafts job activates no account of a past-due organization (CERT-4: account
    access), and does once its SAA certifies."""
    clock.set(DUE - timedelta(days=2))
    saa_alpha = await anonymous.login("saa.alpha")
    day = (DUE + timedelta(days=1)).date().isoformat()
    draft = await mutate(saa_alpha, "accountCreate", **NEW_PERSON, activationDate=day)
    granted = await mutate(
        saa_alpha,
        "accountEntitlementsUpdate",
        accountId=draft["account"]["id"],
        grant=[{"privilegeId": await privilege_gid("RPT_VIEW"), "level": "USER"}],
    )
    assert draft["errors"] == granted["errors"] == []

    async def drafts_job() -> int:
        return (await runner.run_once(fresh.settings, clock, "drafts"))["drafts"].activated

    clock.set(DUE + timedelta(days=2))
    assert await drafts_job() == 0
    assert await status_of("nnewcomb") == "DRAFT"
    saa = await anonymous.login("saa.alpha")
    assert (await certify(saa, await alpha()))["errors"] == []
    assert await drafts_job() == 1
    assert await status_of("nnewcomb") == "ACTIVE"


async def _accounts_of(organization: int) -> list[dict]:
    return await Account.select().where(Account.organization == organization).order_by(Account.id)


async def _emails(kind: str) -> list[str]:
    rows = await OutboxMessage.select(OutboxMessage.to_address).where(OutboxMessage.kind == kind)
    return sorted(r["to_address"] for r in rows)


async def _notices(kind: str) -> list[str]:
    rows = await OutboxMessage.select(OutboxMessage.to_address).where(
        OutboxMessage.kind == f"certification_{kind.lower()}"
    )
    return sorted(r["to_address"] for r in rows)


async def test_cert_1_the_job_reminds_then_notifies_past_due_each_once(
    anonymous, fresh, clock, sql_statements
):
    # The demo's period is due in 40 days.
    beta_org = to_global_id("Organization", await organization_id("100002"))

    async def run() -> int:
        return (await runner.run_once(fresh.settings, clock, "certification"))[
            "certification"
        ].notified

    assert await run() == 0
    clock.advance(days=11)  # 29 days left
    first = await run()
    reminded = await _notices("DAYS_30")
    assert reminded == [f"saa.{o}@example.com" for o in ("alpha", "beta", "gamma")]
    assert first == 3
    assert await run() == 0  # each reminder once
    clock.advance(days=17)  # 12 days left
    assert await run() == first
    # Beta certifies; the past-due notice goes to the others only.
    assert (await certify(await anonymous.login("saa.beta"), beta_org))["errors"] == []
    clock.advance(days=13)
    with sql_statements() as stats:
        past_due = await run()
    assert past_due == 2
    assert stats.statements <= 5  # whatever the number of organizations
    assert await run() == 0
    assert await _notices("PAST_DUE") == ["saa.alpha@example.com", "saa.gamma@example.com"]
    assert len(await _notices("DAYS_14")) == 3


async def test_cert_1_an_organization_of_its_saa_alone_may_certify_unless_it_holds_cat(
    saa_gamma,
):
    gamma = to_global_id("Organization", await organization_id("900001"))
    await Account.update({Account.status: "DELETED"}).where(Account.user_id == "user.gamma")
    assert (await status(saa_gamma, gamma))["status"] == "NOT_REQUIRED"
    assert (await saa_gamma.execute(DUE_BANNER)).ok()["certificationDue"] is None
    # A CAT privilege held by any account makes it required.
    saa = await Account.select(Account.id).where(Account.user_id == "saa.gamma").first()
    cat = await Privilege.select(Privilege.id).where(Privilege.code == "CAT_REPORTER").first()
    await Grant.insert(
        Grant(account=saa["id"], privilege=cat["id"], level="USER", granted_at=START)
    )
    standing = await status(saa_gamma, gamma)
    assert standing["status"] == "OPEN" and standing["required"] is True
    await Grant.delete().where(Grant.privilege == cat["id"])
    # CERT-1 "may": certifying voluntarily is allowed.
    payload = await certify(saa_gamma, gamma)
    assert payload["errors"] == [] and payload["certification"]["status"] == "CERTIFIED"


async def test_cert_1_accounts_deleted_after_the_due_date_still_count(anonymous, clock):
    """An organization that had more than its SAA on the due date does not escape CERT-4 by
    deleting them afterwards."""
    gamma = to_global_id("Organization", await organization_id("900001"))
    clock.set(PAST_DUE)
    saa = await anonymous.login("saa.gamma")
    assert (await status(saa, gamma))["status"] == "PAST_DUE"  # its SAA and user.gamma
    deleted = await mutate(
        saa, "accountDelete", accountId=await account_gid("user.gamma"), reason="Left."
    )
    assert deleted["errors"] == []
    assert (await status(saa, gamma))["status"] == "PAST_DUE"


async def test_cert_1_an_organization_that_grows_after_the_due_date_is_not_past_due(
    anonymous, clock
):
    """Of its SAA alone on the due date (and no CAT), it did not fail to certify by it: its
    new accounts are its to set up, and next year's period counts them."""
    gamma = to_global_id("Organization", await organization_id("900001"))
    await Account.update({Account.status: "DELETED", Account.deleted_at: START}).where(
        Account.user_id == "user.gamma"
    )
    clock.set(PAST_DUE)
    saa = await anonymous.login("saa.gamma")
    assert (await status(saa, gamma))["status"] == "NOT_REQUIRED"
    await create_draft_and_grant(saa)  # asserts both succeed
    assert (await status(saa, gamma))["status"] == "NOT_REQUIRED"
    clock.set(NEXT_START + timedelta(days=1))
    assert (await open_period(await anonymous.login("operator")))["errors"] == []
    assert (await status(await anonymous.login("saa.gamma"), gamma))["status"] == "OPEN"


# --- the operator's suspension of a past-due organization (CERT-4, G 18.2) -------------------


async def _open_sessions(organization: int) -> int:
    return await Session.count().where(
        Session.ended_at.is_null()
        & Session.account.is_in(
            Account.select(Account.id).where(Account.organization == organization)
        )
    )


async def test_cert_4_operator_suspends_a_past_due_organization_and_lifts_it(anonymous, clock):
    org = await alpha()
    alpha_pk = await organization_id("100001")
    clock.set(PAST_DUE)
    operator = await anonymous.login("operator")
    user = await anonymous.login("user.alpha")
    beta_user = await anonymous.login("user.beta")
    before = await _accounts_of(alpha_pk)
    payload = await suspend(operator, org)
    assert payload == {
        "organization": {
            "name": "Alpha Securities",
            "suspension": {
                "suspendedAt": PAST_DUE.isoformat(),
                "reason": REASON,
                "suspendedBy": {"userId": "operator"},
            },
        },
        "errors": [],
    }
    # Its sessions ended with the suspension; other organizations' did not.
    assert await _open_sessions(alpha_pk) == 0
    assert (await user.execute(VIEWER)).ok()["viewer"] is None
    assert (await beta_user.execute(VIEWER)).ok()["viewer"] == {"userId": "user.beta"}
    # Nobody of it signs in, and only the right password learns why.
    refused = await password_step(anonymous, "user.alpha")
    assert codes(refused) == [("ORGANIZATION_SUSPENDED", None)] and refused["token"] is None
    wrong = await password_step(anonymous, "user.alpha", "wrong password")
    assert codes(wrong) == [("INVALID_CREDENTIALS", None)]
    (attempt,) = (
        await AuditEvent.select(AuditEvent.actor_label, AuditEvent.after)
        .where(AuditEvent.action == "session.login_refused")
        .output(load_json=True)
    )
    assert attempt == {"actor_label": "user.alpha", "after": {"reason": "ORGANIZATION_SUSPENDED"}}
    (event,) = (
        await AuditEvent.select()
        .where(AuditEvent.action == "organization.suspend")
        .output(load_json=True)
    )
    assert (event["actor_label"], event["target_id"], event["organization_id"]) == (
        "operator",
        str(alpha_pk),
        alpha_pk,
    )
    assert event["before"] == {"certification": "PAST_DUE"}
    assert event["after"] == {"reason": REASON, "sessions_ended": 1}
    (email,) = await OutboxMessage.select().where(OutboxMessage.kind == "organization.suspended")
    assert email["to_address"] == "saa.alpha@example.com"
    assert "Alpha Securities" in email["subject"] and REASON in email["body"]
    assert (await operator.execute(ORG_SUSPENSION, {"id": org})).ok()["organization"]["suspension"][
        "reason"
    ] == REASON

    clock.advance(minutes=5)
    lifted = await lift(operator, org)
    assert lifted == {
        "organization": {"name": "Alpha Securities", "suspension": None},
        "errors": [],
    }
    # Lifting restores exactly what was there: no account was changed.
    assert await _accounts_of(alpha_pk) == before
    (event,) = (
        await AuditEvent.select()
        .where(AuditEvent.action == "organization.suspension_lift")
        .output(load_json=True)
    )
    assert event["before"] == {
        "suspended_at": PAST_DUE.isoformat(),
        "suspended_by": (await Account.select(Account.id).where(Account.user_id == "operator"))[0][
            "id"
        ],
        "reason": REASON,
    }
    assert event["after"] == {"certification": "PAST_DUE"}
    (email,) = await OutboxMessage.select().where(
        OutboxMessage.kind == "organization.suspension_lifted"
    )
    assert email["to_address"] == "saa.alpha@example.com"
    assert "still past due" in email["body"]
    assert (await anonymous.login("user.alpha")).token


async def test_cert_4_a_suspended_organization_sets_no_password_and_gets_no_reset_link(
    anonymous, clock
):
    """Suspended accounts keep what they hold, credentials included, until the operator
    lifts the suspension: a reset link waits, and forgot-password sends none."""
    clock.set(PAST_DUE)
    saa = await anonymous.login("saa.alpha")
    user = await account_gid("user.alpha")
    force_reset = (
        "mutation($input: AccountCredentialsInput!) { accountPasswordReset(input: $input) "
        f"{{ {ERRORS} }} }}"
    )
    reset = await saa.execute(force_reset, {"input": {"accountId": user}})
    assert reset.ok()["accountPasswordReset"]["errors"] == []
    (mail,) = await OutboxMessage.select().where(
        OutboxMessage.kind == "account.password_reset_link"
    )
    token = re.search(r"token=(\S+)", mail["body"]).group(1)
    operator = await anonymous.login("operator")
    assert (await suspend(operator, await alpha()))["errors"] == []
    new_password = {"token": token, "password": "a brand new long passphrase"}
    async with unchanged(ignore={"sign_in_attempt", "account_token"}):
        refused = await anonymous.execute(PASSWORD_SET, {"input": new_password})
        assert codes(refused.ok()["passwordSet"]) == [("INVALID", "token")]
        asked = (
            await anonymous.execute(
                FORGOT, {"input": {"userId": "user.alpha", "email": "user.alpha@example.com"}}
            )
        ).ok()["passwordForgot"]
        answer = DEMO_ANSWERS.get(asked["securityQuestion"]["code"], "Rex")
        await anonymous.execute(
            FORGOT_ANSWER, {"input": {"token": asked["token"], "answer": answer}}
        )
    # Lifted, the same link sets the password.
    assert (await lift(operator, await alpha()))["errors"] == []
    accepted = await anonymous.execute(PASSWORD_SET, {"input": new_password})
    assert accepted.ok()["passwordSet"]["errors"] == []


async def test_cert_4_operator_suspends_only_a_past_due_organization_once(
    operator, anonymous, clock
):
    org = await alpha()
    operations = to_global_id("Organization", await organization_id("000001"))
    beta = to_global_id("Organization", await organization_id("100002"))
    gamma = to_global_id("Organization", await organization_id("900001"))
    async with unchanged():
        # Before the due date its certification is OPEN.
        assert codes(await suspend(operator, org)) == [("CONFLICT", "organizationId")]
        # Nothing to lift.
        assert codes(await lift(operator, org)) == [("CONFLICT", "organizationId")]
        # The operator's own organization, never: nobody could lift it.
        assert codes(await suspend(operator, operations)) == [("FORBIDDEN", "organizationId")]
        missing = to_global_id("Organization", 999_999)
        assert codes(await suspend(operator, missing)) == [("NOT_FOUND", "organizationId")]
        assert codes(await lift(operator, "nonsense")) == [("NOT_FOUND", "organizationId")]
    assert (await certify(await anonymous.login("saa.beta"), beta))["errors"] == []
    # Gamma with its SAA alone need not certify (CERT-1).
    await Account.update({Account.status: "DELETED"}).where(Account.user_id == "user.gamma")
    clock.set(PAST_DUE)
    operator = await anonymous.login("operator")
    async with unchanged():
        assert codes(await suspend(operator, beta)) == [("CONFLICT", "organizationId")]  # certified
        assert codes(await suspend(operator, gamma)) == [
            ("CONFLICT", "organizationId")
        ]  # not required
        assert codes(await suspend(operator, org, reason=" \n ")) == [("INVALID", "reason")]
        assert codes(await suspend(operator, org, reason="x" * 501)) == [("INVALID", "reason")]
        assert codes(await suspend(operator, operations)) == [("FORBIDDEN", "organizationId")]
    assert (await suspend(operator, org))["errors"] == []
    async with unchanged():
        assert codes(await suspend(operator, org)) == [("CONFLICT", "organizationId")]
    assert (await lift(operator, org))["errors"] == []
    async with unchanged():
        assert codes(await lift(operator, org)) == [("CONFLICT", "organizationId")]


@pytest.mark.parametrize(
    ("user_id", "code", "field"),
    [
        ("saa.alpha", "FORBIDDEN", None),
        ("aa.alpha", "FORBIDDEN", None),
        ("user.alpha", "FORBIDDEN", None),
        # Another organization's admin cannot tell it exists.
        ("saa.beta", "NOT_FOUND", "organizationId"),
    ],
)
async def test_cert_4_operator_suspends_and_lifts_and_nobody_else(
    anonymous, clock, user_id, code, field
):
    org = await alpha()
    clock.set(PAST_DUE)
    client = await anonymous.login(user_id)
    async with unchanged():
        refused = await suspend(client, org)
        assert codes(refused) == [(code, field)] and refused["organization"] is None
        refused = await lift(client, org)
        assert codes(refused) == [(code, field)] and refused["organization"] is None
    assert (await suspend(await anonymous.login("operator"), org))["errors"] == []
    variables = {"input": {"organizationId": org}}
    async with unchanged():
        if user_id.endswith(".alpha"):
            # A suspended organization's people cannot even ask: their session has ended.
            response = await client.execute(LIFT, variables)
            assert response.error_codes() == ["UNAUTHENTICATED"]
        else:
            assert codes(await lift(client, org)) == [(code, field)]


async def test_cert_4_operator_suspends_anonymous_is_asked_to_sign_in(anonymous, clock):
    org = await alpha()
    clock.set(PAST_DUE)
    async with unchanged():
        for query, input in (
            (SUSPEND, {"organizationId": org, "reason": REASON}),
            (LIFT, {"organizationId": org}),
        ):
            response = await anonymous.execute(query, {"input": input})
            assert response.error_codes() == ["UNAUTHENTICATED"]


async def test_cert_4_a_suspension_is_read_by_the_operator_and_its_admins(
    saa_alpha, aa_alpha, user_alpha, saa_beta, anonymous, clock
):
    org = await alpha()
    for client in (saa_alpha, aa_alpha):
        assert (await client.execute(ORG_SUSPENSION, {"id": org})).ok()["organization"] == {
            "name": "Alpha Securities",
            "suspension": None,
        }
    response = await user_alpha.execute(ORG_SUSPENSION, {"id": org})
    assert response.data["organization"]["suspension"] is None
    assert response.error_codes() == ["FORBIDDEN"]
    assert response.errors[0]["path"] == ["organization", "suspension"]
    assert (await saa_beta.execute(ORG_SUSPENSION, {"id": org})).ok()["organization"] is None
    clock.set(PAST_DUE)
    operator = await anonymous.login("operator")
    await suspend(operator, org)
    listed = (
        await operator.execute(
            f'{{ organizations(text: "Alpha") {{ edges {{ node {{ {SUSPENSION} }} }} }} }}'
        )
    ).ok()["organizations"]["edges"]
    assert [e["node"]["suspension"]["reason"] for e in listed] == [REASON]
