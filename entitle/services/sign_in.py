"""Sign-in as a sequence of steps (AUTH-2, 3, 4, 9, 10).

`login` checks the password and opens a session whose token is good only for the next
step; each step answers a new token for the step after it, and the last one answers the
bearer token. A session in a step is never accepted as a bearer token (sessions.py
authenticates only DONE sessions). Steps, in the order of the guide (G 4, 4.1):
accept the terms, set three security questions (first sign-in), then a security question
for users or TOTP for SAAs and AAs, enrolling it first when they have none.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NoReturn

from entitle.db import write_transaction
from entitle.enums import AccountKind, AccountStatus, UserType
from entitle.models import Account, Device, DeviceAccount, SecurityAnswer, Session
from entitle.runtime import Runtime
from entitle.services import (
    attempts,
    audit,
    devices,
    dormancy,
    organizations,
    security_questions,
    tokens,
    totp,
)
from entitle.services.errors import (
    Expired,
    Forbidden,
    Invalid,
    InvalidCredentials,
    OrganizationSuspended,
    PasswordLockout,
    SecurityQuestionLockout,
)

MFA_VALID_FOR = timedelta(hours=24)  # AUTH-4
REMEMBERED_ACCOUNTS = 20  # AUTH-10
ANSWER_LOCKOUT = 5  # AUTH-3
CODE_ATTEMPTS = 5  # wrong TOTP codes a sign-in may make before it has to start over


class Stage(StrEnum):
    ACCEPT_TERMS = "ACCEPT_TERMS"
    SET_SECURITY_QUESTIONS = "SET_SECURITY_QUESTIONS"
    ANSWER_SECURITY_QUESTION = "ANSWER_SECURITY_QUESTION"
    ENROLL_MFA = "ENROLL_MFA"
    VERIFY_MFA = "VERIFY_MFA"
    DONE = "DONE"


@dataclass(frozen=True)
class Attempt:
    """Who is signing in from where, and when."""

    runtime: Runtime
    now: datetime
    address: str
    request_id: str | None


@dataclass(frozen=True)
class Step:
    """What the client is told: the step awaited and the token good for it."""

    stage: Stage
    token: str
    account_id: int
    session_id: int
    device_token: str | None = None  # only when a device was registered just now
    question: str | None = None  # ANSWER_SECURITY_QUESTION: the question's code
    totp_secret: str | None = None  # ENROLL_MFA: shown this once
    totp_uri: str | None = None


ACCOUNT_COLUMNS = (
    Account.id,
    Account.user_id,
    Account.organization,
    Account.status,
    Account.kind,
    Account.user_type,
    Account.password_hash,
    Account.terms_version,
    Account.totp_secret,
    Account.totp_enrolled_at,
    Account.totp_step,
    Account.locked_until,
    Account.answer_failures,
)


async def _account_by_user_id(user_id: str) -> dict | None:
    return await Account.select(*ACCOUNT_COLUMNS).where(Account.user_id == user_id).first()


async def account_row(account_id: int) -> dict:
    """The columns sign-in reads of an account, secrets included: for services only."""
    return await Account.select(*ACCOUNT_COLUMNS).where(Account.id == account_id).first()


def _entry(action: str, account: dict, **changes) -> audit.AuditEntry:
    return audit.AuditEntry(
        action=action,
        target_type="Account",
        target_id=str(account["id"]),
        actor_id=account["id"],
        actor_label=account["user_id"],
        organization_id=account["organization"],
        after=changes or None,
    )


async def audit_own(attempt: Attempt, action: str, account: dict, **changes) -> None:
    """An event the account's own sign-in or recovery caused, with that account as actor."""
    await audit.record(
        _entry(action, account, **changes), at=attempt.now, request_id=attempt.request_id
    )


# --- login -------------------------------------------------------------------------------


async def login(
    attempt: Attempt,
    user_id: str,
    password: str,
    *,
    device_token: str | None = None,
    remember_account: bool = False,
) -> Step:
    """The password step. Every refusal reads the same for a user ID that does not exist,
    a wrong password and an account that may not sign in, except lockouts, which a user
    ID that does not exist also gets after five wrong passwords."""
    now, passwords = attempt.now, attempt.runtime.passwords
    typed = attempts.normalize_user_id(user_id)
    account = await _account_by_user_id(typed)
    if (
        account
        and account["status"] == AccountStatus.PASSWORD_LOCKOUT
        and (not account["locked_until"] or now >= account["locked_until"])
    ):
        account = await _lift_expired_lockout(attempt, account)
    # AUTH-2: recorded before anything is decided, so that attempts made at the same time
    # count one another: at most five wrong passwords are ever checked, however many come.
    attempt_id = await attempts.begin(attempt.address, typed, attempts.PASSWORD, now=now)
    await attempts.admit(
        attempt.runtime.settings, attempt_id, address=attempt.address, user_id=typed, now=now
    )
    # This attempt counts as a failure here, and so does every other still being checked.
    history = await attempts.password_history(typed, now=now)
    if (
        (account and account["status"] == AccountStatus.PASSWORD_LOCKOUT)
        # A user ID that does not exist (or an account not ACTIVE) "locks" the same way.
        or history.locked(now)
        or history.failures > attempts.LOCKOUT_FAILURES
    ):
        await _refused(attempt, typed, account, "PASSWORD_LOCKOUT", attempt_id)
        raise _password_lockout()

    # Verified even when there is no account, so every answer costs the same time.
    # AUTH-1: normalized as it was when set, so it is typed back the way it was chosen.
    right = await passwords.verify_password_off_loop(
        account["password_hash"] if account else None, password
    )
    if account and account["status"] == AccountStatus.SECURITY_QUESTION_LOCKOUT:
        # Locked accounts get the same answer to a right or wrong password.
        await _refused(attempt, typed, account, "SECURITY_QUESTION_LOCKOUT", attempt_id)
        raise SecurityQuestionLockout(
            "Too many wrong security answers: an administrator must reset your security "
            "questions (AUTH-3).",
            None,
        )
    if not right:
        await _wrong_password(attempt, typed, account, history.failures)
    if account["status"] != AccountStatus.ACTIVE:
        await _refused(attempt, typed, account, account["status"], attempt_id)
        raise _invalid_credentials()
    # ORG-6, CERT-4: told only after the right password, so it reveals nothing to a guesser.
    await _refuse_if_blocked(attempt, typed, account, attempt_id)

    try:
        return await _signed_in(
            attempt,
            account,
            attempt_id,
            device_token=device_token,
            remember_account=remember_account,
        )
    except Exception:
        # The password was right: whatever stopped the sign-in, it was not a failure.
        await attempts.settle(attempt_id, attempts.REFUSED)
        raise


async def _signed_in(
    attempt: Attempt,
    account: dict,
    attempt_id: int,
    *,
    device_token: str | None,
    remember_account: bool,
) -> Step:
    """The right password: a session for the step after it."""
    now = attempt.now
    async with write_transaction():
        await attempts.settle(attempt_id, attempts.SUCCEEDED)
        device_id, new_device_token = await _device(device_token, now=now)
        link = await _device_account(device_id, account["id"])
        if remember_account and not link["remembered"]:
            held = await DeviceAccount.count().where(
                (DeviceAccount.device == device_id) & (DeviceAccount.remembered == True)  # noqa: E712
            )
            if held >= REMEMBERED_ACCOUNTS:
                raise Invalid(
                    f"This browser already remembers {REMEMBERED_ACCOUNTS} accounts; "
                    "forget one first (AUTH-10).",
                    "rememberAccount",
                )
        token = tokens.new_token()
        session_id = (
            await Session.insert(
                Session(
                    token_hash=tokens.digest(token),
                    account=account["id"],
                    created_at=now,
                    last_seen_at=now,
                    stage=Stage.DONE,  # replaced below, in this transaction
                    device=device_id,
                    remember_account=remember_account,
                )
            ).returning(Session.id)
        )[0]["id"]
        step = await _advance(attempt, account, session_id, token=token)
    return _with_device(step, new_device_token)


async def _refuse_if_blocked(
    attempt: Attempt, typed: str, account: dict, attempt_id: int | None = None
) -> None:
    """ORG-6, CERT-4: nobody of an organization without its SAA, or suspended, signs in."""
    blocked = await organizations.sign_in_blocked(account["organization"])
    if blocked is None:
        return
    await _refused(attempt, typed, account, blocked, attempt_id)
    if blocked == organizations.SUSPENDED:
        raise OrganizationSuspended(
            "Your organization's accounts are suspended because its user accounts "
            "certification is past due; to regain access, the SAA contacts the program "
            "operator and completes certification (CERT-4).",
            None,
        )
    raise Forbidden(
        "Your organization has no Super Account Administrator; sign-in is closed until "
        "the operator sets one (ORG-6).",
        None,
    )


async def _refused(
    attempt: Attempt, typed: str, account: dict | None, why: str, attempt_id: int | None = None
) -> None:
    """An attempt turned away, its password not counted (item 9: audited); `attempt_id`
    is the attempt's row when `login` recorded it already."""
    async with write_transaction():
        if attempt_id is None:
            await attempts.record(
                attempt.address, typed, attempts.PASSWORD, attempts.REFUSED, now=attempt.now
            )
        else:
            await attempts.settle(attempt_id, attempts.REFUSED)
        if account:
            await audit_own(attempt, "session.login_refused", account, reason=why)


def _with_device(step: Step, device_token: str | None) -> Step:
    if device_token is None:
        return step
    return Step(**{**step.__dict__, "device_token": device_token})


def _password_lockout() -> PasswordLockout:
    return PasswordLockout(
        "Too many wrong passwords: the account is locked for an hour, or until an "
        "administrator unlocks it (AUTH-2).",
        None,
    )


def _invalid_credentials() -> InvalidCredentials:
    return InvalidCredentials(
        "The user ID or password is not right, or the account may not sign in.", None
    )


async def _wrong_password(
    attempt: Attempt, typed: str, account: dict | None, failures: int
) -> NoReturn:
    """`failures` counts this attempt, already recorded as FAILED by `login`."""
    now = attempt.now
    locks = failures >= attempts.LOCKOUT_FAILURES
    async with write_transaction():
        if account:
            await audit_own(attempt, "session.login_failed", account)
        if locks:
            await attempts.record(
                attempt.address, typed, attempts.PASSWORD, attempts.LOCKOUT, now=now
            )
            until = now + attempts.LOCKOUT_DURATION
            # Once, though wrong passwords checked at the same time may each reach five.
            locked = account is not None and await Account.update(
                {Account.status: AccountStatus.PASSWORD_LOCKOUT, Account.locked_until: until}
            ).where(
                (Account.id == account["id"]) & (Account.status == AccountStatus.ACTIVE)
            ).returning(Account.id)
            if locked:
                await audit_own(
                    attempt, "account.password_lockout", account, locked_until=until.isoformat()
                )
    raise _password_lockout() if locks else _invalid_credentials()


async def _lift_expired_lockout(attempt: Attempt, account: dict) -> dict:
    """AUTH-2: an hour on, the lock lifts by itself (the lockouts job does the same for
    accounts nobody tries)."""
    async with write_transaction():
        lifted = await (
            Account.update({Account.status: AccountStatus.ACTIVE, Account.locked_until: None})
            .where(
                (Account.id == account["id"])
                & (Account.status == AccountStatus.PASSWORD_LOCKOUT)
                # This lock, not one begun since it was read.
                & (
                    Account.locked_until.is_null()
                    if account["locked_until"] is None
                    else Account.locked_until == account["locked_until"]
                )
            )
            .returning(Account.id)
        )
        # Once, though several attempts may find the same lock expired: a clearing
        # recorded among attempts made meanwhile would let them all be checked.
        if lifted:
            await attempts.record(
                attempt.address,
                account["user_id"],
                attempts.PASSWORD,
                attempts.CLEARED,
                now=attempt.now,
            )
            await audit_own(attempt, "account.unlocked", account, by="expiry")
    return await account_row(account["id"])


async def _device(device_token: str | None, *, now: datetime) -> tuple[int, str | None]:
    """The device behind `device_token`, or a new one (and its token, to hand out once)."""
    known = await devices.device_id(device_token)
    if known is not None:
        await Device.update({Device.last_seen_at: now}).where(Device.id == known)
        return known, None
    token = tokens.new_token()
    device_id = (
        await Device.insert(
            Device(token_hash=tokens.digest(token), created_at=now, last_seen_at=now)
        ).returning(Device.id)
    )[0]["id"]
    return device_id, token


async def _device_account(device_id: int, account_id: int) -> dict:
    where = (DeviceAccount.device == device_id) & (DeviceAccount.account == account_id)
    # Two sign-ins from one browser at once must not trip over the pair's unique index.
    await DeviceAccount.insert(DeviceAccount(device=device_id, account=account_id)).on_conflict(
        target=(DeviceAccount.device, DeviceAccount.account), action="DO NOTHING"
    )
    return await DeviceAccount.select().where(where).first()


# --- moving through the steps ----------------------------------------------------------------


async def _next_stage(attempt: Attempt, account: dict, session: dict) -> Stage:
    settings = attempt.runtime.settings
    if account["kind"] != AccountKind.HUMAN:
        # Machine credentials are issued by the operator; no person answers questions.
        return Stage.DONE
    if account["terms_version"] != settings.terms_version:
        return Stage.ACCEPT_TERMS
    if not await SecurityAnswer.exists().where(SecurityAnswer.account == account["id"]):
        return Stage.SET_SECURITY_QUESTIONS
    link = None
    if session["device"] is not None:
        link = (
            await DeviceAccount.select()
            .where(
                (DeviceAccount.device == session["device"])
                & (DeviceAccount.account == account["id"])
            )
            .first()
        )
    if account["user_type"] in (UserType.SAA, UserType.AA):
        # AUTH-4, G 4.1: administrators prove a second factor instead of a question.
        if account["totp_enrolled_at"] is None:
            return Stage.ENROLL_MFA
        if link is None or link["mfa_at"] is None or attempt.now - link["mfa_at"] > MFA_VALID_FOR:
            return Stage.VERIFY_MFA
        return Stage.DONE
    if session["question_passed"]:
        return Stage.DONE
    # AUTH-3: every time on a device not remembered, periodically on one that is.
    interval = timedelta(days=settings.question_interval_days)
    if (
        link is None
        or not link["trusted"]
        or link["question_at"] is None
        or attempt.now - link["question_at"] > interval
    ):
        return Stage.ANSWER_SECURITY_QUESTION
    return Stage.DONE


async def _advance(
    attempt: Attempt, account: dict, session_id: int, *, token: str | None = None
) -> Step:
    """Work out the next step, give the session a fresh token for it, and finish the
    sign-in when no step is left. Runs inside the caller's transaction."""
    now = attempt.now
    session = await Session.select().where(Session.id == session_id).first()
    stage = await _next_stage(attempt, account, session)
    token = token or tokens.new_token()
    values = {Session.token_hash: tokens.digest(token), Session.stage: stage}
    step_extra: dict = {}
    if stage is Stage.ANSWER_SECURITY_QUESTION:
        question = await _question_to_ask(account["id"], session)
        values[Session.question] = question
        step_extra["question"] = question
    if stage is Stage.ENROLL_MFA:
        secret = totp.new_secret()
        await Account.update({Account.totp_secret: attempt.runtime.cipher.encrypt(secret)}).where(
            Account.id == account["id"]
        )
        step_extra |= {
            "totp_secret": secret,
            "totp_uri": totp.provisioning_uri(secret, account["user_id"]),
        }
    if stage is Stage.DONE:
        values |= {Session.last_seen_at: now, Session.stage_expires_at: None}
        await _finish(attempt, account, session)
    else:
        minutes = attempt.runtime.settings.sign_in_step_minutes
        values[Session.stage_expires_at] = now + timedelta(minutes=minutes)
    await Session.update(values).where(Session.id == session_id)
    return Step(
        stage=stage, token=token, account_id=account["id"], session_id=session_id, **step_extra
    )


async def _question_to_ask(account_id: int, session: dict) -> str:
    if session["question"]:
        return session["question"]  # the same question until it is answered
    answers = await SecurityAnswer.select(SecurityAnswer.question).where(
        SecurityAnswer.account == account_id
    )
    # Which of the three is asked is unpredictable, so one leaked answer is not enough.
    return secrets.choice([a["question"] for a in answers])


async def _finish(attempt: Attempt, account: dict, session: dict) -> None:
    now = attempt.now
    if session["device"] is not None:
        # AUTH-10: one signed-in account per browser at a time.
        await Session.update({Session.ended_at: now}).where(
            (Session.device == session["device"])
            & (Session.account != account["id"])
            & Session.ended_at.is_null()
        )
        if session["remember_account"]:
            await DeviceAccount.update(
                {DeviceAccount.remembered: True, DeviceAccount.remembered_at: now}
            ).where(
                (DeviceAccount.device == session["device"])
                & (DeviceAccount.account == account["id"])
            )
    # AUTH-8: a sign-in starts the dormancy count over.
    await Account.update({Account.last_sign_in_at: now, **dormancy.RESET_WARNINGS}).where(
        Account.id == account["id"]
    )
    await audit_own(attempt, "session.login", account)


async def _pending(attempt: Attempt, token: str, stage: Stage) -> tuple[dict, dict]:
    """The session awaiting `stage` behind a step token, and its account."""
    session = None
    if token and len(token) <= 128:
        session = (
            await Session.select()
            .where((Session.token_hash == tokens.digest(token)) & Session.ended_at.is_null())
            .first()
        )
    if session is None or session["stage"] == Stage.DONE:
        raise Invalid("This sign-in step is not known; sign in again.", "token")
    if session["stage_expires_at"] is None or attempt.now >= session["stage_expires_at"]:
        raise Expired("This sign-in took too long; sign in again.", "token")
    if session["stage"] != stage:
        raise Invalid(f"This sign-in is waiting for {session['stage']}, not {stage}.", "token")
    account = await account_row(session["account"])
    if account["status"] != AccountStatus.ACTIVE:
        raise _invalid_credentials()
    # The organization may have lost its SAA (ORG-6) since the password step.
    await _refuse_if_blocked(attempt, account["user_id"], account)
    return session, account


async def accept_terms(attempt: Attempt, token: str, accept: bool) -> Step:
    """AUTH-9: acceptance of the privacy policy and terms of use is recorded."""
    session, account = await _pending(attempt, token, Stage.ACCEPT_TERMS)
    if not accept:
        raise Invalid(
            "Signing in needs acceptance of the terms of use and privacy policy.", "accept"
        )
    version = attempt.runtime.settings.terms_version
    async with write_transaction():
        await Account.update(
            {Account.terms_version: version, Account.terms_accepted_at: attempt.now}
        ).where(Account.id == account["id"])
        await audit_own(attempt, "account.terms_accepted", account, version=version)
        return await _advance(attempt, await account_row(account["id"]), session["id"])


async def set_security_questions(
    attempt: Attempt, token: str, answers: list[tuple[str, str]], *, remember_device: bool
) -> Step:
    """AUTH-3: three different questions from the list; answers are not judged, only kept
    as hashes of their normalized form."""
    session, account = await _pending(attempt, token, Stage.SET_SECURITY_QUESTIONS)
    rows = await _answer_rows(attempt, account["id"], answers)
    async with write_transaction():
        await SecurityAnswer.delete().where(SecurityAnswer.account == account["id"])
        await SecurityAnswer.insert(*rows)
        await Session.update({Session.question_passed: True}).where(Session.id == session["id"])
        await _passed_question(attempt, session, account["id"], remember_device)
        await audit_own(attempt, "account.security_questions_set", account)
        return await _advance(attempt, account, session["id"])


async def _answer_rows(attempt: Attempt, account_id: int, answers: list[tuple[str, str]]) -> list:
    if len(answers) != security_questions.QUESTIONS_PER_ACCOUNT:
        raise Invalid("Choose exactly three security questions.", "answers")
    questions = [q for q, _ in answers]
    if len(set(questions)) != len(questions):
        raise Invalid("Choose three different questions.", "answers")
    rows = []
    for position, (question, answer) in enumerate(answers, start=1):
        if question not in security_questions.QUESTIONS:
            raise Invalid(f"Unknown security question {question[:40]!r}.", "answers")
        normalized = security_questions.normalize(answer)
        if not normalized or len(answer) > security_questions.MAX_ANSWER_LENGTH:
            raise Invalid(
                f"Each answer has 1 to {security_questions.MAX_ANSWER_LENGTH} characters.",
                "answers",
            )
        rows.append(
            SecurityAnswer(
                account=account_id,
                position=position,
                question=question,
                answer_hash=await attempt.runtime.passwords.hash_off_loop(normalized),
                created_at=attempt.now,
            )
        )
    return rows


async def _passed_question(
    attempt: Attempt, session: dict, account_id: int, remember_device: bool
) -> None:
    if session["device"] is None:
        return
    values = {DeviceAccount.question_at: attempt.now}
    if remember_device:
        values[DeviceAccount.trusted] = True
    await DeviceAccount.update(values).where(
        (DeviceAccount.device == session["device"]) & (DeviceAccount.account == account_id)
    )


async def check_answer(attempt: Attempt, account: dict, question: str, answer: str) -> bool:
    """Whether `answer` is right; five wrong in a row lock the account (AUTH-3). Writes its
    own transaction, so a wrong answer is counted even though the caller then refuses."""
    row = (
        await SecurityAnswer.select(SecurityAnswer.answer_hash)
        .where((SecurityAnswer.account == account["id"]) & (SecurityAnswer.question == question))
        .first()
    )
    right = len(
        answer
    ) <= security_questions.MAX_ANSWER_LENGTH and await attempt.runtime.passwords.verify_off_loop(
        row["answer_hash"] if row else None, security_questions.normalize(answer)
    )
    locked = AccountStatus.SECURITY_QUESTION_LOCKOUT
    async with write_transaction():
        if right:
            # Right, unless wrong answers sent at the same time have just locked the account.
            reset = await (
                Account.update({Account.answer_failures: 0})
                .where((Account.id == account["id"]) & (Account.status != locked))
                .returning(Account.id)
            )
            if reset:
                return True
            status, locks = locked, False
        else:
            # Counted by the database, not from the row read before the (slow) hash check,
            # so wrong answers sent at the same time each count (AUTH-3).
            counted = await (
                Account.update({Account.answer_failures: Account.answer_failures + 1})
                .where(Account.id == account["id"])
                .returning(Account.answer_failures, Account.status)
            )
            failures, status = counted[0]["answer_failures"], counted[0]["status"]
            # The answer that reaches the limit locks; any beyond it find the account locked.
            locks = failures >= ANSWER_LOCKOUT and status == AccountStatus.ACTIVE
            if locks:
                await Account.update({Account.status: locked}).where(Account.id == account["id"])
                await Session.update({Session.ended_at: attempt.now}).where(
                    (Session.account == account["id"]) & Session.ended_at.is_null()
                )
            await audit_own(attempt, "session.answer_failed", account, failures=failures)
            if locks:
                await audit_own(attempt, "account.security_question_lockout", account)
    if locks or status == locked:
        raise SecurityQuestionLockout(
            "Too many wrong security answers: an administrator must reset your security "
            "questions (AUTH-3).",
            "answer",
        )
    return False


async def answer_security_question(
    attempt: Attempt, token: str, answer: str, *, remember_device: bool
) -> Step:
    session, account = await _pending(attempt, token, Stage.ANSWER_SECURITY_QUESTION)
    if not await check_answer(attempt, account, session["question"], answer):
        raise InvalidCredentials("That answer is not right.", "answer")
    async with write_transaction():
        await Session.update({Session.question_passed: True}).where(Session.id == session["id"])
        await _passed_question(attempt, session, account["id"], remember_device)
        return await _advance(attempt, await account_row(account["id"]), session["id"])


async def _check_code(attempt: Attempt, session: dict, account: dict, code: str) -> int:
    secret = attempt.runtime.cipher.decrypt(account["totp_secret"])
    step = totp.accepted_step(secret, code, now=attempt.now, last_step=account["totp_step"])
    if step is None:
        await _wrong_code(attempt, session, account)
    return step


async def _wrong_code(attempt: Attempt, session: dict, account: dict) -> NoReturn:
    """Count a wrong (or already used) code against this sign-in, and refuse it."""
    async with write_transaction():
        counted = await (
            Session.update({Session.failures: Session.failures + 1})
            .where(Session.id == session["id"])
            .returning(Session.failures)
        )
        failures = counted[0]["failures"]
        if failures >= CODE_ATTEMPTS:
            # Guessing a code must cost a new sign-in, and so the password's limits.
            await Session.update({Session.ended_at: attempt.now}).where(Session.id == session["id"])
        await audit_own(attempt, "session.mfa_failed", account, failures=failures)
    if failures >= CODE_ATTEMPTS:
        raise InvalidCredentials("Too many wrong codes: sign in again.", "code")
    raise InvalidCredentials("That code is not right, or was already used.", "code")


async def _passed_mfa(attempt: Attempt, session: dict, account_id: int, step: int) -> bool:
    """Spend the code's time step, unless a newer or the same step was spent since the
    account was read (two sign-ins sending one code at once): False then, a replay."""
    spent = await (
        Account.update({Account.totp_step: step})
        .where(
            (Account.id == account_id) & (Account.totp_step.is_null() | (Account.totp_step < step))
        )
        .returning(Account.id)
    )
    if not spent:
        return False
    if session["device"] is not None:
        await DeviceAccount.update({DeviceAccount.mfa_at: attempt.now}).where(
            (DeviceAccount.device == session["device"]) & (DeviceAccount.account == account_id)
        )
    return True


async def enroll_mfa(attempt: Attempt, token: str, code: str) -> Step:
    """AUTH-4: the first code from the authenticator app confirms the enrollment."""
    session, account = await _pending(attempt, token, Stage.ENROLL_MFA)
    step = await _check_code(attempt, session, account, code)
    async with write_transaction():
        if await _passed_mfa(attempt, session, account["id"], step):
            await Account.update({Account.totp_enrolled_at: attempt.now}).where(
                Account.id == account["id"]
            )
            await audit_own(attempt, "account.mfa_enrolled", account)
            return await _advance(attempt, await account_row(account["id"]), session["id"])
    await _wrong_code(attempt, session, account)  # AUTH-4: the code was used meanwhile


async def verify_mfa(attempt: Attempt, token: str, code: str) -> Step:
    session, account = await _pending(attempt, token, Stage.VERIFY_MFA)
    step = await _check_code(attempt, session, account, code)
    async with write_transaction():
        if await _passed_mfa(attempt, session, account["id"], step):
            return await _advance(attempt, await account_row(account["id"]), session["id"])
    await _wrong_code(attempt, session, account)  # AUTH-4: the code was used meanwhile
