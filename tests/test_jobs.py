"""Scheduled jobs on a controllable clock: ACC-2 drafts, the outbox sender, one runner."""

from __future__ import annotations

import dataclasses
import socket
import zlib
from datetime import timedelta

import asyncpg
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from starlette.datastructures import Secret

from entitle.jobs import runner
from entitle.models import Account, AuditEvent, OutboxMessage
from entitle.services import outbox
from tests.mutations import NEW_PERSON, codes, mutate, privilege_gid


async def run_jobs(fresh, only: str | None = None) -> dict:
    return await runner.run_once(fresh.settings, fresh.clock, only)


async def reminders() -> list[dict]:
    return await OutboxMessage.select().where(OutboxMessage.kind == "account.draft_reminder")


async def test_acc_2_a_draft_is_reminded_then_deleted_after_30_days(aa_alpha, fresh):
    created = await mutate(aa_alpha, "accountCreate", **NEW_PERSON)
    assert created["errors"] == []
    fresh.clock.advance(days=19)
    await run_jobs(fresh, "drafts")
    assert await reminders() == []
    fresh.clock.advance(days=1)
    await run_jobs(fresh, "drafts")
    await run_jobs(fresh, "drafts")  # a second run in the same window sends nothing more
    (first,) = await reminders()
    assert first["to_address"] == "aa.alpha@example.com"
    assert "nnewcomb" in first["subject"]
    fresh.clock.advance(days=7)
    await run_jobs(fresh, "drafts")
    assert len(await reminders()) == 2
    fresh.clock.advance(days=2, hours=23)
    await run_jobs(fresh, "drafts")
    assert await Account.exists().where(Account.user_id == "nnewcomb")
    fresh.clock.advance(hours=1)
    await run_jobs(fresh, "drafts")
    assert not await Account.exists().where(Account.user_id == "nnewcomb")
    (event,) = (
        await AuditEvent.select()
        .where(AuditEvent.action == "account.draft_expired")
        .output(load_json=True)
    )
    assert (event["actor_label"], event["before"]["user_id"]) == ("job:drafts", "nnewcomb")


async def test_acc_2_a_draft_is_activated_on_its_activation_date(saa_alpha, fresh):
    day = (fresh.clock.now() + timedelta(days=5)).date().isoformat()
    draft = await mutate(saa_alpha, "accountCreate", **NEW_PERSON, activationDate=day)
    await mutate(
        saa_alpha,
        "accountEntitlementsUpdate",
        accountId=draft["account"]["id"],
        grant=[{"privilegeId": await privilege_gid("RPT_VIEW"), "level": "USER"}],
    )
    fresh.clock.advance(days=4)
    assert (await run_jobs(fresh, "drafts"))["drafts"].activated == 0
    fresh.clock.advance(days=1)
    assert (await run_jobs(fresh, "drafts"))["drafts"].activated == 1
    row = await Account.select(Account.status).where(Account.user_id == "nnewcomb").first()
    assert row["status"] == "ACTIVE"
    kinds = [m["kind"] for m in await OutboxMessage.select(OutboxMessage.kind)]
    assert kinds.count("account.activated.password_link") == 1


async def test_acc_2_the_drafts_job_leaves_other_accounts_alone(fresh):
    before = await Account.count()
    fresh.clock.advance(days=400)
    await run_jobs(fresh, "drafts")
    # The demo draft, now 403 days old, goes; active, disabled and deleted accounts stay.
    assert await Account.count() == before - 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages = []

    def handle_message(self, message) -> None:
        self.messages.append(message)


async def test_the_outbox_is_delivered_over_smtp_once(fresh):
    inbox = Inbox()
    port = _free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        settings = dataclasses.replace(fresh.settings, smtp_url=Secret(f"smtp://127.0.0.1:{port}"))
        await outbox.enqueue(
            to="someone@example.com",
            subject="Hello",
            body="Body",
            kind="test",
            now=fresh.clock.now(),
        )
        assert await outbox.deliver_pending(settings, now=fresh.clock.now()) == 1
        assert await outbox.deliver_pending(settings, now=fresh.clock.now()) == 0
    finally:
        server.stop()
    (message,) = inbox.messages
    assert (message["To"], message["Subject"]) == ("someone@example.com", "Hello")
    row = await OutboxMessage.select().where(OutboxMessage.kind == "test").first()
    assert row["sent_at"] == fresh.clock.now()


async def test_an_unreachable_smtp_server_is_retried_not_lost(fresh):
    settings = dataclasses.replace(
        fresh.settings, smtp_url=Secret(f"smtp://127.0.0.1:{_free_port()}")
    )
    await outbox.enqueue(
        to="a@example.com", subject="S", body="B", kind="test", now=fresh.clock.now()
    )
    assert await outbox.deliver_pending(settings, now=fresh.clock.now()) == 0
    row = await OutboxMessage.select().where(OutboxMessage.kind == "test").first()
    assert (row["sent_at"], row["attempts"]) == (None, 1) and row["last_error"]


async def test_a_job_running_in_another_process_is_skipped(fresh):
    if fresh.backend != "postgres":
        pytest.skip("SQLite is served by a single process; the lock is PostgreSQL's")
    other = await asyncpg.connect(fresh.url)
    try:
        key = zlib.crc32(b"entitle.job.drafts") & 0x7FFFFFFF
        async with other.transaction():
            await other.execute("SELECT pg_advisory_xact_lock($1)", key)
            assert (await run_jobs(fresh, "drafts"))["drafts"] == "skipped: running elsewhere"
        assert (await run_jobs(fresh, "drafts"))["drafts"].deleted == 0
    finally:
        await other.close()


async def test_refusals_enqueue_no_email(user_alpha, fresh):
    before = await OutboxMessage.count()
    payload = await mutate(user_alpha, "accountCreate", **NEW_PERSON)
    assert codes(payload) == [("FORBIDDEN", "organizationId")]
    assert await OutboxMessage.count() == before
