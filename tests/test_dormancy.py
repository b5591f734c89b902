"""AUTH-8: dormant accounts are warned, then deleted by a scheduled job, on a moving clock.

The demo accounts last signed in the day before START, so their deadline (180 days by
default) is START + 179 days, with warnings at 14 and 7 days before it. `user2.alpha`
never signed in and was activated 20 days before START: its deadline is START + 160.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from entitle.jobs import runner
from entitle.models import Account, AuditEvent, Organization, OutboxMessage
from entitle.services import dormancy
from entitle.services.organizations import sign_in_blocked
from tests.conftest import START
from tests.factories import add_accounts, organization_id
from tests.mutations import account_gid, status_of

DEADLINE = START - timedelta(days=1) + timedelta(days=180)
ACCOUNT = "query($id: ID!) { account(id: $id) { userId status deletedAt deletedReason } }"


async def run_dormancy(fresh, settings=None) -> dormancy.DormancyReport:
    return (await runner.run_once(settings or fresh.settings, fresh.clock, "dormancy"))["dormancy"]


async def emails(kind: str, to: str | None = None) -> list[dict]:
    query = OutboxMessage.select().where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
    if to is not None:
        query = query.where(OutboxMessage.to_address == to)
    return await query


async def warnings_of(user_id: str) -> int:
    row = await Account.select(Account.dormancy_warnings).where(Account.user_id == user_id).first()
    return row["dormancy_warnings"]


async def sign_in_at(anonymous, clock, when, *user_ids: str) -> None:
    """Those accounts sign in through the API at `when`; the clock is put back after."""
    now = clock.now()
    clock.set(when)
    for user_id in user_ids:
        await anonymous.login(user_id)
    clock.set(now)


async def test_auth_8_dormant_accounts_are_warned_then_deleted(anonymous, fresh, clock):
    # The SAA keeps using the product, so it can look at the deleted account afterwards.
    await sign_in_at(anonymous, clock, START + timedelta(days=100), "saa.alpha")
    to = "user.alpha@example.com"

    clock.set(DEADLINE - timedelta(days=14, seconds=1))
    await run_dormancy(fresh)
    assert await emails("account.dormancy_warning", to) == []

    clock.set(DEADLINE - timedelta(days=14))
    await run_dormancy(fresh)
    (first,) = await emails("account.dormancy_warning", to)
    deadline = DEADLINE.date().isoformat()
    assert first["subject"] == f"Your account user.alpha will be deleted on {deadline}"
    assert "Sign in before" in first["body"]
    assert await warnings_of("user.alpha") == 1

    clock.advance(days=6)
    await run_dormancy(fresh)
    assert len(await emails("account.dormancy_warning", to)) == 1
    clock.advance(days=1)  # seven days before the deadline
    await run_dormancy(fresh)
    assert len(await emails("account.dormancy_warning", to)) == 2
    assert await warnings_of("user.alpha") == 2

    clock.set(DEADLINE - timedelta(seconds=1))
    await run_dormancy(fresh)
    assert await status_of("user.alpha") == "ACTIVE"

    clock.set(DEADLINE)
    report = await run_dormancy(fresh)
    assert report.deleted >= 1
    assert await status_of("user.alpha") == "DELETED"
    (gone,) = await emails("account.dormancy_deleted", to)
    assert gone["subject"] == "Your account user.alpha was deleted"
    assert "administrator for a new one" in gone["body"]

    # Deleted as an admin's delete is, by the system: the SAA reads it like any other.
    saa = await anonymous.login("saa.alpha")
    account = (await saa.execute(ACCOUNT, {"id": await account_gid("user.alpha")})).ok()
    assert account["account"] == {
        "userId": "user.alpha",
        "status": "DELETED",
        "deletedAt": DEADLINE.isoformat(),
        "deletedReason": "Dormant: not used for 180 days (AUTH-8)",
    }
    row = await Account.select(Account.deleted_by).where(Account.user_id == "user.alpha").first()
    assert row["deleted_by"] is None
    target = str((await Account.select(Account.id).where(Account.user_id == "user.alpha"))[0]["id"])
    events = (
        await AuditEvent.select()
        .where((AuditEvent.target_id == target) & AuditEvent.action.like("account.%"))
        .order_by(AuditEvent.id)
        .output(load_json=True)
    )
    assert [(e["action"], e["actor_id"], e["actor_label"]) for e in events] == [
        ("account.dormancy_warning", None, "job:dormancy"),
        ("account.dormancy_warning", None, "job:dormancy"),
        ("account.delete", None, "job:dormancy"),
    ]
    assert events[-1]["before"] == {"status": "ACTIVE"}
    assert events[-1]["after"] == {
        "status": "DELETED",
        "reason": "Dormant: not used for 180 days (AUTH-8)",
    }
    assert await status_of("saa.alpha") == "ACTIVE"


async def test_auth_8_recent_sign_in_keeps_an_account(anonymous, fresh, clock):
    clock.set(DEADLINE - timedelta(days=7))
    await run_dormancy(fresh)
    assert await warnings_of("user.alpha") == 2

    await sign_in_at(anonymous, clock, DEADLINE - timedelta(days=1), "user.alpha")
    assert await warnings_of("user.alpha") == 0  # the sign-in itself starts the count over
    clock.set(DEADLINE)
    await run_dormancy(fresh)
    assert await status_of("user.alpha") == "ACTIVE"
    assert await warnings_of("user.alpha") == 0

    # Warned again from the start when the new last use gets old in turn.
    new_deadline = DEADLINE - timedelta(days=1) + timedelta(days=180)
    clock.set(new_deadline - timedelta(days=14))
    await run_dormancy(fresh)
    assert await warnings_of("user.alpha") == 1
    latest = (await emails("account.dormancy_warning", "user.alpha@example.com"))[-1]
    assert new_deadline.date().isoformat() in latest["subject"]


async def test_auth_8_reset_warnings_is_what_sign_in_calls(fresh, clock):
    clock.set(DEADLINE - timedelta(days=14))
    await run_dormancy(fresh)
    user = await Account.select(Account.id).where(Account.user_id == "user.alpha").first()
    await dormancy.reset_warnings(user["id"])
    row = (
        await Account.select(Account.dormancy_warnings, Account.dormancy_warned_at)
        .where(Account.id == user["id"])
        .first()
    )
    assert row == {"dormancy_warnings": 0, "dormancy_warned_at": None}


async def test_auth_8_a_late_warning_still_gives_its_notice(fresh, clock):
    # The job first runs after both of user2.alpha's warning days and its deadline: one
    # email covers both, and deletion waits the last warning's seven days from now.
    user2_deadline = START - timedelta(days=20) + timedelta(days=180)
    clock.set(user2_deadline + timedelta(days=2))
    await run_dormancy(fresh)
    to = "user2.alpha@example.com"
    (warning,) = await emails("account.dormancy_warning", to)
    promised = clock.now() + timedelta(days=7)
    assert promised.date().isoformat() in warning["subject"]
    assert await warnings_of("user2.alpha") == 2

    clock.set(promised - timedelta(seconds=1))
    await run_dormancy(fresh)
    assert await status_of("user2.alpha") == "ACTIVE"
    clock.set(promised)
    await run_dormancy(fresh)
    assert await status_of("user2.alpha") == "DELETED"
    assert len(await emails("account.dormancy_warning", to)) == 1


async def test_auth_8_only_people_who_may_still_sign_in_are_subject(fresh, clock):
    await Account.update({Account.status: "DISABLED_BY_ADMIN"}).where(
        Account.user_id == "user.beta"
    )
    deleted_at = (
        await Account.select(Account.deleted_at).where(Account.user_id == "former.alpha").first()
    )["deleted_at"]
    clock.set(START + timedelta(days=1000))
    await run_dormancy(fresh)
    clock.advance(days=7)
    await run_dormancy(fresh)
    statuses = {r["user_id"]: r["status"] for r in await Account.select()}
    # Machine accounts never sign in with a password, and drafts are the drafts job's.
    assert statuses.pop("m2m.alpha") == "ACTIVE"
    assert statuses.pop("draft.alpha") == "DRAFT"
    assert set(statuses.values()) == {"DELETED"}  # disabled ones included
    former = await Account.select().where(Account.user_id == "former.alpha").first()
    assert former["deleted_at"] == deleted_at and former["dormancy_warnings"] == 0
    assert await emails("account.dormancy_warning", "m2m.alpha@example.com") == []
    assert await emails("account.dormancy_warning", "former.alpha@example.com") == []


async def test_auth_8_the_dormancy_job_is_idempotent(fresh, clock):
    async def state() -> tuple:
        return (
            await OutboxMessage.count(),
            await AuditEvent.count(),
            sorted(
                tuple(sorted(r.items()))
                for r in await Account.select(Account.id, Account.status, Account.dormancy_warnings)
            ),
            sorted(
                tuple(sorted(r.items()))
                for r in await Organization.select(Organization.id, Organization.saa_vacated_at)
            ),
        )

    for moment in (DEADLINE - timedelta(days=14), DEADLINE - timedelta(days=7), DEADLINE):
        clock.set(moment)
        first = await run_dormancy(fresh)
        assert first.warned + first.deleted > 0
        after_first = await state()
        again = await run_dormancy(fresh)
        assert (again.warned, again.deleted, again.reset) == (0, 0, 0)
        assert await state() == after_first


async def test_auth_8_the_dormancy_job_runs_in_constant_statements(fresh, clock, sql_statements):
    old = clock.now() - timedelta(days=400)
    few = await add_accounts("100002", 10, now=old, prefix="few")
    await run_dormancy(fresh)  # warns the ten
    many = await add_accounts("100002", 100, now=old, prefix="many")
    clock.advance(days=1)
    with sql_statements() as warning_many:
        assert (await run_dormancy(fresh)).warned == 100
    clock.advance(days=6)
    with sql_statements() as deleting_few:
        assert (await run_dormancy(fresh)).deleted == 10
    clock.advance(days=1)
    with sql_statements() as deleting_many:
        assert (await run_dormancy(fresh)).deleted == 100
    more = await add_accounts("100002", 10, now=old, prefix="more")
    with sql_statements() as warning_few:
        assert (await run_dormancy(fresh)).warned == 10
    assert warning_few.statements == warning_many.statements
    assert deleting_few.statements == deleting_many.statements
    # Reset, selection, then counters, emails and audit events (or sessions, statuses,
    # emails and audit events): one each, whatever the count; PostgreSQL adds the job lock.
    lock = 1 if fresh.backend == "postgres" else 0
    assert (warning_many.statements, deleting_many.statements) == (5 + lock, 6 + lock)
    deleted = await Account.count().where(
        Account.id.is_in(few + many) & (Account.status == "DELETED")
    )
    assert deleted == 110 and len(more) == 10


async def test_auth_8_a_backlog_is_worked_off_a_batch_per_run(fresh, clock, monkeypatch):
    monkeypatch.setattr(dormancy, "BATCH", 40)
    await add_accounts("100002", 100, now=clock.now() - timedelta(days=400))
    warned = [(await run_dormancy(fresh)).warned for _ in range(4)]
    assert warned == [40, 40, 20, 0]


async def test_auth_8_the_settings_set_the_period_and_warning_days(fresh, clock):
    settings = dataclasses.replace(
        fresh.settings, dormancy_days=30, dormancy_warning_days=(2, 5, 10)
    )
    clock.set(START - timedelta(days=1) + timedelta(days=30 - 10))
    assert (await run_dormancy(fresh, settings)).warned > 0
    assert await warnings_of("user.alpha") == 1
    clock.advance(days=5)
    await run_dormancy(fresh, settings)
    assert await warnings_of("user.alpha") == 2
    clock.advance(days=3)
    await run_dormancy(fresh, settings)
    assert await warnings_of("user.alpha") == 3
    clock.advance(days=2)
    await run_dormancy(fresh, settings)
    assert await status_of("user.alpha") == "DELETED"


async def test_org_6_deleting_the_saa_marks_the_organization(anonymous, fresh, clock):
    # Alpha's SAA and the operator keep signing in; Beta's and Gamma's SAAs go dormant.
    await sign_in_at(anonymous, clock, START + timedelta(days=100), "saa.alpha", "operator")
    for moment in (DEADLINE - timedelta(days=14), DEADLINE - timedelta(days=7), DEADLINE):
        clock.set(moment)
        await run_dormancy(fresh)
    assert await status_of("saa.beta") == "DELETED"
    vacated = {
        r["number"]: r["saa_vacated_at"]
        for r in await Organization.select(Organization.number, Organization.saa_vacated_at)
    }
    assert vacated == {"000001": None, "100001": None, "100002": DEADLINE, "900001": DEADLINE}
    assert await sign_in_blocked(await organization_id("100002"))
    assert not await sign_in_blocked(await organization_id("100001"))
    (gone,) = await emails("account.dormancy_deleted", "saa.beta@example.com")
    assert "contact the program operator" in gone["body"]


async def test_org_6_the_operator_organization_is_never_locked_out(fresh, clock):
    clock.set(START + timedelta(days=1000))
    await run_dormancy(fresh)
    clock.advance(days=7)
    await run_dormancy(fresh)
    assert await status_of("operator") == "DELETED"
    assert not await sign_in_blocked(await organization_id("000001"))
