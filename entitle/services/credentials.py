"""Passwords and security questions outside sign-in: links, forgot password, admin resets
and unlocking (AUTH-1, AUTH-2, AUTH-3, AUTH-6, AUTH-7)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from entitle.db import write_transaction
from entitle.enums import AccountKind, AccountStatus
from entitle.models import Account, AccountToken, SecurityAnswer, Session
from entitle.services import (
    accounts,
    attempts,
    organizations,
    outbox,
    password_rules,
    security_questions,
    sign_in,
    tokens,
)
from entitle.services.actor import Actor
from entitle.services.errors import AlreadyUsed, Expired, Invalid, SecurityQuestionLockout
from entitle.settings import Settings

ACTIVATION, PASSWORD_RESET, FORGOT = "ACTIVATION", "PASSWORD_RESET", "FORGOT"
FORGOT_VALID_FOR = timedelta(minutes=15)


async def set_password(attempt: sign_in.Attempt, token: str, password: str) -> int:
    """AUTH-1: the single-use link (activation or reset) sets the password. Answers the
    account's primary key."""
    now = attempt.now
    row = None
    if token and len(token) <= 128:
        row = (
            await AccountToken.select(
                AccountToken.id,
                AccountToken.purpose,
                AccountToken.expires_at,
                AccountToken.used_at,
                AccountToken.account.user_id.as_alias("user_id"),
                AccountToken.account.status.as_alias("status"),
                AccountToken.account.organization.as_alias("organization"),
                AccountToken.account.id.as_alias("account_id"),
            )
            .where(
                (AccountToken.token_hash == tokens.digest(token))
                & AccountToken.purpose.is_in([ACTIVATION, PASSWORD_RESET])
            )
            .first()
        )
    if row is None:
        raise Invalid("This link is not valid.", "token")
    if row["used_at"] is not None:
        raise AlreadyUsed("This link was already used; ask for a new one.", "token")
    if now >= row["expires_at"]:
        raise Expired("This link has expired; ask for a new one.", "token")
    if row["status"] in (AccountStatus.DELETED, AccountStatus.DRAFT) or row["status"].startswith(
        "DISABLED"
    ):
        raise Invalid("This account may not set a password.", "token")
    if await organizations.sign_in_blocked(row["organization"]) is not None:
        # ORG-6, CERT-4: the link keeps until it expires; what the organization's accounts
        # hold stays as it was until access is restored (a lockout is not ended here).
        raise Invalid(
            "Your organization's accounts cannot sign in now (it is suspended, or has no "
            "Super Account Administrator); use this link once access is restored.",
            "token",
        )
    new = password_rules.check(password, user_id=row["user_id"])
    password_hash = await attempt.runtime.passwords.hash_off_loop(new)
    account = {
        "id": row["account_id"],
        "user_id": row["user_id"],
        "organization": row["organization"],
    }
    async with write_transaction():
        claimed = (
            await AccountToken.update({AccountToken.used_at: now})
            .where((AccountToken.id == row["id"]) & AccountToken.used_at.is_null())
            .returning(AccountToken.id)
        )
        if not claimed:  # another request used the link a moment ago
            raise AlreadyUsed("This link was already used; ask for a new one.", "token")
        # The other live links go too. A lockout stays (AUTH-2): it ends with its hour or
        # an admin's unlock, an SAA's only the operator's, never with a link.
        await tokens.retire_links(row["account_id"], now=now)
        await Account.update({Account.password_hash: password_hash}).where(
            Account.id == row["account_id"]
        )
        # A new password ends every session the old one opened.
        await Session.update({Session.ended_at: now}).where(
            (Session.account == row["account_id"]) & Session.ended_at.is_null()
        )
        await sign_in.audit_own(attempt, "account.password_set", account, link=row["purpose"])
    return row["account_id"]


async def send_reset_link(settings: Settings, account: dict, *, now: datetime, reason: str) -> None:
    """A single-use reset link by email, inside the caller's transaction; links sent
    before it, an activation link included, stop working (AUTH-1)."""
    await tokens.retire_links(account["id"], now=now)
    token = await tokens.issue_link(
        account["id"], PASSWORD_RESET, now=now, valid_for=timedelta(hours=settings.reset_link_hours)
    )
    await outbox.enqueue(
        to=account["email"],
        subject="Reset your password",
        body=(
            f"Hello {account['first_name']},\n\n{reason}\n"
            f"Choose a new password within {settings.reset_link_hours} hours with this "
            f"single-use link:\n{settings.public_url}/reset-password?token={token}\n"
        ),
        kind="account.password_reset_link",
        now=now,
    )


# --- forgot password (AUTH-7) ------------------------------------------------------------


@dataclass(frozen=True)
class Challenge:
    question: str
    token: str


def _decoy_questions(settings: Settings, user_id: str) -> list[str]:
    """Three questions a user ID without an account seems to have: fixed per user ID, so
    asking twice shows what a real account would show."""
    key = str(settings.data_keys[0]).encode()
    ranked = sorted(
        security_questions.QUESTIONS,
        key=lambda q: hmac.new(key, f"{user_id}:{q}".encode(), hashlib.sha256).digest(),
    )
    return ranked[: security_questions.QUESTIONS_PER_ACCOUNT]


def _pick(settings: Settings, user_id: str, questions: list[str], now: datetime) -> str:
    # One question per user ID per day, real or decoy: repeated asking reveals nothing.
    key = str(settings.data_keys[0]).encode()
    index = hmac.new(key, f"{user_id}:{now.date()}".encode(), hashlib.sha256).digest()[0]
    return sorted(questions)[index % len(questions)]


async def forgot_password(attempt: sign_in.Attempt, user_id: str, email: str) -> Challenge:
    """First half of AUTH-7: user ID and email give a question to answer. The answer has
    the same shape whether or not the user ID exists and the email matches."""
    settings, now = attempt.runtime.settings, attempt.now
    typed = attempts.normalize_user_id(user_id)
    await attempts.throttle(
        settings, address=attempt.address, user_id=typed, kind=attempts.FORGOT, now=now
    )
    await attempts.record(attempt.address, typed, attempts.FORGOT, attempts.SUCCEEDED, now=now)
    account = (
        await Account.select(
            Account.id, Account.email, Account.status, Account.kind, Account.organization
        )
        .where(Account.user_id == typed)
        .first()
    )
    answers = []
    eligible = (
        account is not None
        and account["kind"] == AccountKind.HUMAN
        and account["status"] in (AccountStatus.ACTIVE, AccountStatus.PASSWORD_LOCKOUT)
        and account["email"].strip().lower() == email.strip().lower()[:254]
        # ORG-6, CERT-4: answered like any other account that may not reset its password.
        and await organizations.sign_in_blocked(account["organization"]) is None
    )
    if eligible:
        answers = [
            r["question"]
            for r in await SecurityAnswer.select(SecurityAnswer.question).where(
                SecurityAnswer.account == account["id"]
            )
        ]
    token = tokens.new_token()
    if not answers:
        return Challenge(_pick(settings, typed, _decoy_questions(settings, typed), now), token)
    question = _pick(settings, typed, answers, now)
    async with write_transaction():
        await AccountToken.insert(
            AccountToken(
                purpose=FORGOT,
                token_hash=tokens.digest(token),
                account=account["id"],
                created_at=now,
                expires_at=now + FORGOT_VALID_FOR,
                question=question,
            )
        )
    return Challenge(question, token)


async def answer_forgot_password(attempt: sign_in.Attempt, token: str, answer: str) -> None:
    """Second half of AUTH-7: a right answer emails a reset link. The reply is the same
    for a right answer, a wrong one and a challenge that never existed; wrong answers
    count toward the AUTH-3 lockout."""
    now = attempt.now
    if not token or len(token) > 128:
        return
    challenge = (
        await AccountToken.select(
            AccountToken.id, AccountToken.account, AccountToken.question, AccountToken.expires_at
        )
        .where(
            (AccountToken.token_hash == tokens.digest(token))
            & (AccountToken.purpose == FORGOT)
            & AccountToken.used_at.is_null()
        )
        .first()
    )
    if challenge is None or now >= challenge["expires_at"]:
        return
    async with write_transaction():
        claimed = (
            await AccountToken.update({AccountToken.used_at: now})
            .where((AccountToken.id == challenge["id"]) & AccountToken.used_at.is_null())
            .returning(AccountToken.id)
        )
    if not claimed:
        return
    account = await sign_in.account_row(challenge["account"])
    if account["status"] not in (AccountStatus.ACTIVE, AccountStatus.PASSWORD_LOCKOUT):
        return
    if await organizations.sign_in_blocked(account["organization"]) is not None:
        return  # blocked since the first half (ORG-6, CERT-4)
    try:
        right = await sign_in.check_answer(attempt, account, challenge["question"], answer)
    except SecurityQuestionLockout:
        return
    if right:
        details = (
            await Account.select(Account.id, Account.email, Account.first_name)
            .where(Account.id == account["id"])
            .first()
        )
        async with write_transaction():
            await send_reset_link(
                attempt.runtime.settings,
                details,
                now=now,
                reason="You asked to reset your password.",
            )
            await sign_in.audit_own(attempt, "account.password_reset_requested", account)


# --- administrators (AUTH-2, AUTH-3, AUTH-6) ---------------------------------------------


async def force_password_reset(actor: Actor, account_id: int) -> None:
    """AUTH-6: the password stops working at once; a reset link goes to the account's email."""
    async with write_transaction():
        row = await accounts.load_for(actor, account_id, "reset_credentials")
        _human(row)
        await Account.update({Account.password_hash: None}).where(Account.id == account_id)
        await Session.update({Session.ended_at: actor.now}).where(
            (Session.account == account_id) & Session.ended_at.is_null()
        )
        await send_reset_link(
            actor.settings,
            row,
            now=actor.now,
            reason="An administrator asked you to choose a new password.",
        )
        await actor.audit(
            "account.password_reset_forced",
            target_type="Account",
            target_id=account_id,
            organization_id=row["organization"],
        )


async def reset_security_questions(actor: Actor, account_id: int) -> None:
    """AUTH-6, AUTH-3: the answers go; the next sign-in sets new ones. This is also what
    lifts a SECURITY_QUESTION_LOCKOUT."""
    async with write_transaction():
        row = await accounts.load_for(actor, account_id, "reset_credentials")
        _human(row)
        await SecurityAnswer.delete().where(SecurityAnswer.account == account_id)
        values = {Account.answer_failures: 0}
        if row["status"] == AccountStatus.SECURITY_QUESTION_LOCKOUT:
            values[Account.status] = AccountStatus.ACTIVE
        await Account.update(values).where(Account.id == account_id)
        await actor.audit(
            "account.security_questions_reset",
            target_type="Account",
            target_id=account_id,
            organization_id=row["organization"],
            before={"status": row["status"]},
            after={"status": values.get(Account.status, row["status"])},
        )


async def unlock(actor: Actor, account_id: int) -> None:
    """AUTH-2: an administrator lifts a password lockout before its hour is up."""
    async with write_transaction():
        row = await accounts.load_for(actor, account_id, "unlock")
        if row["status"] == AccountStatus.SECURITY_QUESTION_LOCKOUT:
            raise Invalid(
                "A security question lockout ends when the questions are reset (AUTH-3).",
                "accountId",
            )
        if row["status"] != AccountStatus.PASSWORD_LOCKOUT:
            raise Invalid("The account is not locked.", "accountId")
        await Account.update(
            {Account.status: AccountStatus.ACTIVE, Account.locked_until: None}
        ).where(Account.id == account_id)
        await attempts.record(
            "admin", row["user_id"], attempts.PASSWORD, attempts.CLEARED, now=actor.now
        )
        await actor.audit(
            "account.unlocked",
            target_type="Account",
            target_id=account_id,
            organization_id=row["organization"],
            before={"status": row["status"]},
            after={"status": AccountStatus.ACTIVE},
        )


def _human(row: dict) -> None:
    if row["kind"] != AccountKind.HUMAN:
        raise Invalid("Machine accounts have no password or security questions.", "accountId")
