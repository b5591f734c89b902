"""Sign-in and credential security, driven through GraphQL with the frozen clock
(AUTH-1 .. AUTH-7, AUTH-9, AUTH-10, throttling)."""

from __future__ import annotations

import asyncio

import pyotp
import pytest

from entitle.demo import DEMO_ANSWERS, DEMO_TOTP_SECRET
from entitle.jobs import runner
from entitle.models import (
    Account,
    AccountToken,
    AuditEvent,
    Device,
    DeviceAccount,
    OutboxMessage,
    SecurityAnswer,
    SignInAttempt,
)
from entitle.services import tokens
from tests.factories import add_accounts
from tests.graphql_client import LOGIN, GraphQLClient, persona_device, step_mutation
from tests.mutations import account_gid, create_draft_and_grant, mutate
from tests.state import unchanged
from tests.test_organization_saa import loses_its_saa, set_saa

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a brand new passphrase 42"
VIEWER = "{ viewer { userId } }"
ADMIN_MUTATION = (
    "mutation($input: AccountCredentialsInput!) {{ {name}(input: $input) "
    "{{ account {{ userId status }} errors {{ code field }} }} }}"
)
PASSWORD_SET = (
    "mutation($input: PasswordSetInput!) { passwordSet(input: $input) { errors { code field } } }"
)
FORGOT = """mutation($input: PasswordForgotInput!) {
  passwordForgot(input: $input) { securityQuestion { code text } token errors { code } } }"""
FORGOT_ANSWER = """mutation($input: PasswordForgotAnswerInput!) {
  passwordForgotAnswer(input: $input) { message errors { code } } }"""
REMEMBERED = "query($d: String!) { rememberedAccounts(deviceToken: $d) { userId signedIn } }"


async def login(client: GraphQLClient, user_id: str, password: str = PASSWORD, **extra) -> dict:
    variables = {"input": {"userId": user_id, "password": password, **extra}}
    return (await client.execute(LOGIN, variables)).ok()["login"]


async def step(client: GraphQLClient, payload: dict, **input) -> dict:
    query, name = step_mutation(payload["step"])
    result = await client.execute(query, {"input": {"token": payload["token"], **input}})
    return result.ok()[name]


def codes(payload: dict) -> list[str]:
    return [e["code"] for e in payload["errors"]]


async def admin(client: GraphQLClient, name: str, user_id: str) -> dict:
    query = ADMIN_MUTATION.format(name=name)
    result = await client.execute(query, {"input": {"accountId": await account_gid(user_id)}})
    return result.ok()[name] if result.data else {"errors": result.errors}


async def status_of(user_id: str) -> str:
    return (await Account.select(Account.status).where(Account.user_id == user_id).first())[
        "status"
    ]


async def link_from_outbox(to: str, kind: str) -> str:
    emails = (
        await OutboxMessage.select()
        .where((OutboxMessage.to_address == to) & (OutboxMessage.kind == kind))
        .order_by(OutboxMessage.id)
    )
    return emails[-1]["body"].split("token=")[1].split()[0]


async def lock_by_password(anonymous: GraphQLClient, user_id: str) -> list[list[str]]:
    return [codes(await login(anonymous, user_id, "a wrong password")) for _ in range(5)]


# AUTH-1 ------------------------------------------------------------------------------------


async def test_auth_1_the_activation_link_sets_the_first_password_once(saa_alpha, anonymous):
    draft = await create_draft_and_grant(saa_alpha)
    await mutate(saa_alpha, "accountActivate", accountId=draft["id"])
    token = await link_from_outbox(draft["email"], "account.activated.password_link")
    user_id = draft["userId"]

    async def set_password(password: str, link: str = token) -> list[tuple[str, str | None]]:
        result = await anonymous.execute(
            PASSWORD_SET, {"input": {"token": link, "password": password}}
        )
        return [(e["code"], e["field"]) for e in result.ok()["passwordSet"]["errors"]]

    async with unchanged():
        assert await set_password("short one") == [("INVALID", "password")]
        assert await set_password(user_id.upper() + "   ") == [("INVALID", "password")]
        assert await set_password("1qaz2wsx3edc") == [("INVALID", "password")]  # common
        assert await set_password("x" * 1_000_000) == [("INVALID", "password")]
        assert await set_password(NEW_PASSWORD, "not-a-link") == [("INVALID", "token")]
    assert await set_password(NEW_PASSWORD) == []
    assert await set_password("another fine passphrase") == [("ALREADY_USED", "token")]
    stored = await Account.select(Account.password_hash).where(Account.user_id == user_id).first()
    assert stored["password_hash"].startswith("$argon2id$")

    # First sign-in: terms (AUTH-9), then three security questions (AUTH-3), then done.
    first = await login(anonymous, user_id, NEW_PASSWORD)
    assert first["step"] == "ACCEPT_TERMS" and first["termsVersion"]
    assert (await anonymous.execute(VIEWER, authorization=f"Bearer {first['token']}")).ok()[
        "viewer"
    ] is None  # a step token is not a bearer token
    questions = await step(anonymous, first, accept=True)
    assert questions["step"] == "SET_SECURITY_QUESTIONS"
    choices = [c["code"] for c in questions["securityQuestionChoices"]]
    done = await step(
        anonymous,
        questions,
        answers=[{"question": q, "answer": f"answer {q}"} for q in choices[:3]],
    )
    assert done["step"] == "DONE" and done["viewer"] == {"userId": user_id}
    answers = await SecurityAnswer.select().where(
        SecurityAnswer.account
        == (await Account.select(Account.id).where(Account.user_id == user_id).first())["id"]
    )
    assert len(answers) == 3 and all(a["answer_hash"].startswith("$argon2id$") for a in answers)


async def test_auth_1_an_expired_link_is_refused(saa_alpha, anonymous, clock):
    draft = await create_draft_and_grant(saa_alpha)
    await mutate(saa_alpha, "accountActivate", accountId=draft["id"])
    token = await link_from_outbox(draft["email"], "account.activated.password_link")
    clock.advance(hours=73)
    result = await anonymous.execute(
        PASSWORD_SET, {"input": {"token": token, "password": NEW_PASSWORD}}
    )
    assert [(e["code"]) for e in result.ok()["passwordSet"]["errors"]] == ["EXPIRED"]


async def _set_password(client: GraphQLClient, link: str, password: str) -> list[str]:
    result = await client.execute(PASSWORD_SET, {"input": {"token": link, "password": password}})
    return [e["code"] for e in result.ok()["passwordSet"]["errors"]]


async def test_auth_1_a_newer_link_retires_the_older_ones(saa_alpha, anonymous):
    draft = await create_draft_and_grant(saa_alpha)
    await mutate(saa_alpha, "accountActivate", accountId=draft["id"])
    activation = await link_from_outbox(draft["email"], "account.activated.password_link")
    # The activation email went astray: the SAA sends a reset link instead.
    assert (await admin(saa_alpha, "accountPasswordReset", draft["userId"]))["errors"] == []
    reset = await link_from_outbox(draft["email"], "account.password_reset_link")
    assert await _set_password(anonymous, activation, NEW_PASSWORD) == ["ALREADY_USED"]
    assert await _set_password(anonymous, reset, NEW_PASSWORD) == []


async def test_auth_1_links_sent_to_an_old_email_stop_working(saa_alpha, anonymous):
    assert (await admin(saa_alpha, "accountPasswordReset", "user.alpha"))["errors"] == []
    link = await link_from_outbox("user.alpha@example.com", "account.password_reset_link")
    user = await account_gid("user.alpha")
    same = await mutate(saa_alpha, "accountUpdate", accountId=user, title="Analyst")
    assert same["errors"] == []  # other changes leave the link alone
    moved = await mutate(saa_alpha, "accountUpdate", accountId=user, email="new.box@example.com")
    assert moved["errors"] == []
    assert await _set_password(anonymous, link, NEW_PASSWORD) == ["ALREADY_USED"]


async def test_auth_2_a_new_password_does_not_end_a_lockout(anonymous, clock):
    """AUTH-2: a lockout ends with its hour, or early by an admin (an SAA's by the operator):
    choosing a new password through a link changes the password, not the lockout."""
    await lock_by_password(anonymous, "saa.alpha")
    assert await status_of("saa.alpha") == "PASSWORD_LOCKOUT"
    asked = await anonymous.execute(
        FORGOT, {"input": {"userId": "saa.alpha", "email": "saa.alpha@example.com"}}
    )
    challenge = asked.ok()["passwordForgot"]
    answer = DEMO_ANSWERS[challenge["securityQuestion"]["code"]]
    forgot_answer = {"token": challenge["token"], "answer": answer}
    await anonymous.execute(FORGOT_ANSWER, {"input": forgot_answer})
    link = await link_from_outbox("saa.alpha@example.com", "account.password_reset_link")
    assert await _set_password(anonymous, link, NEW_PASSWORD) == []
    assert await status_of("saa.alpha") == "PASSWORD_LOCKOUT"
    assert codes(await login(anonymous, "saa.alpha", NEW_PASSWORD)) == ["PASSWORD_LOCKOUT"]
    clock.advance(minutes=61)
    assert codes(await login(anonymous, "saa.alpha", NEW_PASSWORD)) == []


async def test_auth_1_a_password_is_typed_back_in_either_unicode_form(saa_alpha, anonymous):
    draft = await create_draft_and_grant(saa_alpha)
    await mutate(saa_alpha, "accountActivate", accountId=draft["id"])
    token = await link_from_outbox(draft["email"], "account.activated.password_link")
    # "café" as e + COMBINING ACUTE ACCENT, as some keyboards send it.
    decomposed = "cafe\u0301 au lait every morning"
    result = await anonymous.execute(
        PASSWORD_SET, {"input": {"token": token, "password": decomposed}}
    )
    assert result.ok()["passwordSet"]["errors"] == []
    user_id = draft["userId"]
    assert codes(await login(anonymous, user_id, "cafe au lait every morning")) == [
        "INVALID_CREDENTIALS"
    ]
    assert (await login(anonymous, user_id, decomposed))["step"] == "ACCEPT_TERMS"
    # The same text with "é" as one character is the same password.
    assert (await login(anonymous, user_id, "caf\u00e9 au lait every morning"))["step"] == (
        "ACCEPT_TERMS"
    )


# AUTH-2 ------------------------------------------------------------------------------------


async def test_auth_2_five_wrong_passwords_lock_for_an_hour(anonymous, clock):
    assert await lock_by_password(anonymous, "user.alpha") == [["INVALID_CREDENTIALS"]] * 4 + [
        ["PASSWORD_LOCKOUT"]
    ]
    assert await status_of("user.alpha") == "PASSWORD_LOCKOUT"
    # The right password gets the same answer as a wrong one.
    assert codes(await login(anonymous, "user.alpha")) == ["PASSWORD_LOCKOUT"]
    assert codes(await login(anonymous, "user.alpha", "wrong again")) == ["PASSWORD_LOCKOUT"]
    clock.advance(minutes=59)
    assert codes(await login(anonymous, "user.alpha")) == ["PASSWORD_LOCKOUT"]
    clock.advance(minutes=2)
    signed_in = await anonymous.login("user.alpha")
    assert (await signed_in.execute(VIEWER)).ok()["viewer"] == {"userId": "user.alpha"}
    assert await status_of("user.alpha") == "ACTIVE"
    actions = [e["action"] for e in await AuditEvent.select().order_by(AuditEvent.id)]
    assert actions.count("session.login_failed") == 5
    assert actions.count("session.login_refused") == 3
    assert "account.password_lockout" in actions and "account.unlocked" in actions


async def test_auth_2_four_wrong_passwords_an_hour_apart_do_not_lock(anonymous, clock):
    for _ in range(3):
        await login(anonymous, "user.alpha", "a wrong password")
    clock.advance(minutes=61)
    for _ in range(3):
        assert codes(await login(anonymous, "user.alpha", "a wrong password")) == [
            "INVALID_CREDENTIALS"
        ]
    assert await status_of("user.alpha") == "ACTIVE"


async def test_auth_2_wrong_passwords_sent_at_once_are_checked_five_times_at_most(anonymous, clock):
    async def at_once(user_id: str, count: int) -> list[str]:
        guesses = [login(anonymous, user_id, f"wrong guess {n}") for n in range(count)]
        return [c for r in await asyncio.gather(*guesses) for c in codes(r)]

    async def checked() -> int:  # one audit event per wrong password checked
        return await AuditEvent.count().where(AuditEvent.action == "session.login_failed")

    # Four at once are all checked, for a real user ID as for one that does not exist, and
    # the right password after them still signs in.
    assert await at_once("user.alpha", 4) == ["INVALID_CREDENTIALS"] * 4
    assert await at_once("no.such.person", 4) == ["INVALID_CREDENTIALS"] * 4
    assert (await login(anonymous, "user.alpha", deviceToken=persona_device("user.alpha")))[
        "step"
    ] == "DONE"
    clock.advance(minutes=2)
    # Twenty at once: they count one another, so the fifth wrong password locks and no
    # more than five are ever checked; throttled ones are not failures.
    before = await checked()
    answers = await at_once("user.alpha", 20)
    assert set(answers) <= {"INVALID_CREDENTIALS", "PASSWORD_LOCKOUT", "THROTTLED"}, answers
    assert answers.count("INVALID_CREDENTIALS") <= 4, answers
    assert await checked() - before <= 5
    failed = await SignInAttempt.count().where(
        (SignInAttempt.user_id == "user.alpha") & (SignInAttempt.outcome == "FAILED")
    )
    assert failed <= 4 + 5  # the four before the right password, and at most five now
    clock.advance(minutes=61)
    assert (await login(anonymous, "user.alpha", deviceToken=persona_device("user.alpha")))[
        "step"
    ] == "DONE"


async def test_auth_2_a_user_id_that_does_not_exist_locks_the_same_way(anonymous):
    real = await lock_by_password(anonymous, "user.alpha")
    unknown = await lock_by_password(anonymous, "no.such.person")
    assert real == unknown
    assert codes(await login(anonymous, "no.such.person")) == ["PASSWORD_LOCKOUT"]


async def test_auth_2_the_organizations_admins_unlock_early(anonymous, aa_alpha, user2_alpha):
    await lock_by_password(anonymous, "user.alpha")
    refused = await admin(user2_alpha, "accountUnlock", "user.alpha")
    assert codes(refused) == ["NOT_FOUND"]  # a user does not even see the account
    unlocked = await admin(aa_alpha, "accountUnlock", "user.alpha")
    assert unlocked["errors"] == [] and unlocked["account"]["status"] == "ACTIVE"
    assert (await anonymous.login("user.alpha")).token
    again = await admin(aa_alpha, "accountUnlock", "user.alpha")
    assert [(e["code"], e["field"]) for e in again["errors"]] == [("INVALID", "accountId")]


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("aa.alpha", "FORBIDDEN"), ("saa.beta", "NOT_FOUND"), ("operator", None)],
)
async def test_auth_2_an_saa_lockout_is_lifted_only_by_the_operator(anonymous, actor, expected):
    await lock_by_password(anonymous, "saa.alpha")
    client = await anonymous.login(actor)
    async with unchanged() if expected else _nothing():
        payload = await admin(client, "accountUnlock", "saa.alpha")
    assert codes(payload) == ([expected] if expected else [])
    assert await status_of("saa.alpha") == ("PASSWORD_LOCKOUT" if expected else "ACTIVE")


class _nothing:
    async def __aenter__(self):
        return None

    async def __aexit__(self, *exc):
        return False


async def test_auth_2_anonymous_cannot_unlock(anonymous):
    await lock_by_password(anonymous, "user.alpha")
    payload = await admin(anonymous, "accountUnlock", "user.alpha")
    assert [e["extensions"]["code"] for e in payload["errors"]] == ["UNAUTHENTICATED"]


# AUTH-3 ------------------------------------------------------------------------------------


async def test_auth_3_a_question_every_time_unless_the_device_is_remembered(anonymous, clock):
    first = await login(anonymous, "user.alpha")  # a new device
    assert first["step"] == "ANSWER_SECURITY_QUESTION" and first["deviceToken"]
    device = first["deviceToken"]
    code = first["securityQuestion"]["code"]
    # Odd case and spacing are the same answer.
    odd = "  " + "  ".join(DEMO_ANSWERS[code].upper()) + " "
    wrong = await step(anonymous, first, answer=odd)
    assert codes(wrong) == ["INVALID_CREDENTIALS"]
    odd = f"  {DEMO_ANSWERS[code].upper()}  "
    done = await step(anonymous, first, answer=odd, rememberDevice=False)
    assert done["step"] == "DONE"
    again = await login(anonymous, "user.alpha", deviceToken=device)
    assert again["step"] == "ANSWER_SECURITY_QUESTION"  # not remembered: asked again
    done = await step(
        anonymous,
        again,
        answer=DEMO_ANSWERS[again["securityQuestion"]["code"]],
        rememberDevice=True,
    )
    assert done["step"] == "DONE"
    assert (await login(anonymous, "user.alpha", deviceToken=device))["step"] == "DONE"
    clock.advance(days=31)  # periodically, even on a remembered device
    assert (await login(anonymous, "user.alpha", deviceToken=device))["step"] == (
        "ANSWER_SECURITY_QUESTION"
    )


async def test_auth_3_five_wrong_answers_lock_until_an_admin_resets(anonymous, aa_alpha):
    first = await login(anonymous, "user.alpha")
    results = [codes(await step(anonymous, first, answer="not it")) for _ in range(5)]
    assert results == [["INVALID_CREDENTIALS"]] * 4 + [["SECURITY_QUESTION_LOCKOUT"]]
    assert await status_of("user.alpha") == "SECURITY_QUESTION_LOCKOUT"
    assert codes(await login(anonymous, "user.alpha")) == ["SECURITY_QUESTION_LOCKOUT"]
    assert codes(await login(anonymous, "user.alpha", "wrong")) == ["SECURITY_QUESTION_LOCKOUT"]
    # Unlocking is for passwords; questions are reset.
    assert codes(await admin(aa_alpha, "accountUnlock", "user.alpha")) == ["INVALID"]
    reset = await admin(aa_alpha, "accountSecurityQuestionsReset", "user.alpha")
    assert reset["errors"] == [] and reset["account"]["status"] == "ACTIVE"
    after = await login(anonymous, "user.alpha")
    assert after["step"] == "SET_SECURITY_QUESTIONS"


async def test_auth_3_wrong_answers_sent_at_once_each_count(anonymous):
    # Four wrong answers at once do not lock, and the right one after them signs in.
    pending = await login(anonymous, "user.alpha")
    assert pending["step"] == "ANSWER_SECURITY_QUESTION"
    four = await asyncio.gather(*[step(anonymous, pending, answer=f"guess {n}") for n in range(4)])
    assert [codes(r) for r in four] == [["INVALID_CREDENTIALS"]] * 4
    right = DEMO_ANSWERS[pending["securityQuestion"]["code"]]
    assert (await step(anonymous, pending, answer=right))["step"] == "DONE"
    # Ten at once on one step token: every one counts, so the fifth locks, once.
    pending = await login(anonymous, "user.alpha")
    results = await asyncio.gather(
        *[step(anonymous, pending, answer=f"guess {n}") for n in range(10)]
    )
    answers = [c for r in results for c in codes(r)]
    assert "SECURITY_QUESTION_LOCKOUT" in answers, answers
    assert set(answers) <= {"INVALID_CREDENTIALS", "SECURITY_QUESTION_LOCKOUT", "INVALID"}
    assert await status_of("user.alpha") == "SECURITY_QUESTION_LOCKOUT"
    lockouts = await AuditEvent.count().where(
        AuditEvent.action == "account.security_question_lockout"
    )
    assert lockouts == 1
    assert codes(await login(anonymous, "user.alpha")) == ["SECURITY_QUESTION_LOCKOUT"]


async def test_auth_3_set_questions_refuses_bad_choices(anonymous, saa_alpha):
    await admin(saa_alpha, "accountSecurityQuestionsReset", "user.alpha")
    pending = await login(anonymous, "user.alpha")
    assert pending["step"] == "SET_SECURITY_QUESTIONS"
    bad = [
        [{"question": "FIRST_PET", "answer": "a"}] * 3,
        [{"question": "FIRST_PET", "answer": "a"}, {"question": "BIRTH_CITY", "answer": "b"}],
        [
            {"question": "FIRST_PET", "answer": "a"},
            {"question": "BIRTH_CITY", "answer": "   "},
            {"question": "FIRST_JOB", "answer": "c"},
        ],
        [
            {"question": "DROP TABLE account;--", "answer": "<script>alert(1)</script>"},
            {"question": "BIRTH_CITY", "answer": "b"},
            {"question": "FIRST_JOB", "answer": "c"},
        ],
    ]
    async with unchanged():
        for answers in bad:
            assert codes(await step(anonymous, pending, answers=answers)) == ["INVALID"]


# AUTH-4 ------------------------------------------------------------------------------------


async def test_auth_4_an_admin_verifies_totp_after_24_hours_on_a_device(anonymous, clock):
    device = persona_device("saa.alpha")
    assert (await login(anonymous, "saa.alpha", deviceToken=device))["step"] == "DONE"
    clock.advance(hours=25)
    pending = await login(anonymous, "saa.alpha", deviceToken=device)
    assert pending["step"] == "VERIFY_MFA"
    assert codes(await step(anonymous, pending, code="000000")) == ["INVALID_CREDENTIALS"]
    assert codes(await step(anonymous, pending, code="'; DROP TABLE account;--")) == [
        "INVALID_CREDENTIALS"
    ]
    code = pyotp.TOTP(DEMO_TOTP_SECRET).at(clock.now())
    done = await step(anonymous, pending, code=code)
    assert done["step"] == "DONE" and done["viewer"] == {"userId": "saa.alpha"}
    # The same code, replayed from another device within its window, is refused.
    elsewhere = await login(anonymous, "saa.alpha")
    assert elsewhere["step"] == "VERIFY_MFA"
    assert codes(await step(anonymous, elsewhere, code=code)) == ["INVALID_CREDENTIALS"]
    clock.advance(seconds=30)
    fresh_code = pyotp.TOTP(DEMO_TOTP_SECRET).at(clock.now())
    assert (await step(anonymous, elsewhere, code=fresh_code))["step"] == "DONE"
    assert (await login(anonymous, "saa.alpha", deviceToken=device))["step"] == "DONE"


async def test_auth_4_a_user_made_admin_enrolls_totp(anonymous, clock):
    await Account.update({Account.user_type: "AA"}).where(Account.user_id == "user.alpha")
    pending = await login(anonymous, "user.alpha", deviceToken=persona_device("user.alpha"))
    assert pending["step"] == "ENROLL_MFA"
    enrollment = pending["mfaEnrollment"]
    assert enrollment["otpauthUri"].startswith("otpauth://totp/")
    stored = (
        await Account.select(Account.totp_secret).where(Account.user_id == "user.alpha").first()
    )
    assert enrollment["secret"] not in stored["totp_secret"]  # encrypted at rest
    code = pyotp.TOTP(enrollment["secret"]).at(clock.now())
    done = await step(anonymous, pending, code=code)
    assert done["step"] == "DONE"
    assert (await login(anonymous, "user.alpha", deviceToken=persona_device("user.alpha")))[
        "step"
    ] == "DONE"


async def test_auth_4_one_code_sent_by_sign_ins_at_once_is_accepted_once(anonymous, clock):
    pending = [await login(anonymous, "saa.alpha") for _ in range(4)]  # new devices: MFA due
    assert {p["step"] for p in pending} == {"VERIFY_MFA"}
    code = pyotp.TOTP(DEMO_TOTP_SECRET).at(clock.now())
    results = await asyncio.gather(*[step(anonymous, p, code=code) for p in pending])
    assert (
        sorted(r["step"] or codes(r)[0] for r in results) == ["DONE"] + ["INVALID_CREDENTIALS"] * 3
    )
    # A sign-in refused goes on with the next code, as after any used code.
    refused = next(p for p, r in zip(pending, results, strict=True) if r["step"] is None)
    clock.advance(seconds=30)
    fresh_code = pyotp.TOTP(DEMO_TOTP_SECRET).at(clock.now())
    assert (await step(anonymous, refused, code=fresh_code))["step"] == "DONE"


# AUTH-5 ------------------------------------------------------------------------------------


async def test_auth_5_stay_restarts_the_idle_clock(saa_alpha, clock):
    extend = "mutation { sessionExtend { idleExpiresAt errors { code } } }"
    clock.advance(minutes=26)
    payload = (await saa_alpha.execute(extend)).ok()["sessionExtend"]
    assert payload["errors"] == []
    clock.advance(minutes=26)
    assert (await saa_alpha.execute(VIEWER)).ok()["viewer"] == {"userId": "saa.alpha"}
    clock.advance(minutes=28)
    assert (await saa_alpha.execute(VIEWER)).ok()["viewer"] is None
    assert (await saa_alpha.execute(extend)).error_codes() == ["UNAUTHENTICATED"]


# AUTH-6 ------------------------------------------------------------------------------------


async def test_auth_6_an_admin_forces_a_password_reset(anonymous, aa_alpha):
    user = await anonymous.login("user.alpha")
    payload = await admin(aa_alpha, "accountPasswordReset", "user.alpha")
    assert payload["errors"] == []
    assert (await user.execute(VIEWER)).ok()["viewer"] is None  # sessions ended
    assert codes(await login(anonymous, "user.alpha")) == ["INVALID_CREDENTIALS"]
    token = await link_from_outbox("user.alpha@example.com", "account.password_reset_link")
    result = await anonymous.execute(
        PASSWORD_SET, {"input": {"token": token, "password": NEW_PASSWORD}}
    )
    assert result.ok()["passwordSet"]["errors"] == []
    assert (await anonymous.login("user.alpha", NEW_PASSWORD)).token


@pytest.mark.parametrize(
    ("actor", "target", "expected"),
    [
        ("aa.alpha", "aa.alpha", "FORBIDDEN"),  # never one's own account
        ("saa.alpha", "saa.alpha", "FORBIDDEN"),
        ("aa.alpha", "aa2.alpha", "FORBIDDEN"),  # an AA never another AA ...
        ("aa.alpha", "saa.alpha", "FORBIDDEN"),  # ... nor the SAA
        ("user.alpha", "user2.alpha", "NOT_FOUND"),
        ("saa.beta", "user.alpha", "NOT_FOUND"),  # another organization's admin
        ("saa.alpha", "aa.alpha", None),
        ("operator", "saa.alpha", None),
    ],
)
@pytest.mark.parametrize("mutation", ["accountPasswordReset", "accountSecurityQuestionsReset"])
async def test_auth_6_who_may_reset_credentials(anonymous, actor, target, expected, mutation):
    client = await anonymous.login(actor)
    if expected:
        async with unchanged():
            payload = await admin(client, mutation, target)
        assert codes(payload) == [expected]
    else:
        assert (await admin(client, mutation, target))["errors"] == []


async def test_auth_6_anonymous_cannot_reset(anonymous):
    payload = await admin(anonymous, "accountPasswordReset", "user.alpha")
    assert [e["extensions"]["code"] for e in payload["errors"]] == ["UNAUTHENTICATED"]


# AUTH-7 ------------------------------------------------------------------------------------


async def forgot(client: GraphQLClient, user_id: str, email: str) -> dict:
    variables = {"input": {"userId": user_id, "email": email}}
    return (await client.execute(FORGOT, variables)).ok()["passwordForgot"]


async def forgot_answer(client: GraphQLClient, token: str, answer: str) -> dict:
    variables = {"input": {"token": token, "answer": answer}}
    return (await client.execute(FORGOT_ANSWER, variables)).ok()["passwordForgotAnswer"]


async def test_auth_7_forgot_password_user_id_email_and_answer_give_a_link(anonymous):
    challenge = await forgot(anonymous, "user.alpha", "USER.ALPHA@example.com")
    assert challenge["errors"] == [] and challenge["token"]
    answer = DEMO_ANSWERS[challenge["securityQuestion"]["code"]]
    reply = await forgot_answer(anonymous, challenge["token"], f" {answer.lower()} ")
    assert reply["errors"] == []
    token = await link_from_outbox("user.alpha@example.com", "account.password_reset_link")
    result = await anonymous.execute(
        PASSWORD_SET, {"input": {"token": token, "password": NEW_PASSWORD}}
    )
    assert result.ok()["passwordSet"]["errors"] == []
    assert (await anonymous.login("user.alpha", NEW_PASSWORD)).token
    # The challenge is single use.
    assert (await forgot_answer(anonymous, challenge["token"], answer)) == reply
    assert (
        await OutboxMessage.count().where(OutboxMessage.kind == "account.password_reset_link") == 1
    )


@pytest.mark.parametrize(
    ("user_id", "email"),
    [
        ("no.such.person", "no.such.person@example.com"),
        ("user.alpha", "someone.else@example.com"),
        ("x' OR '1'='1", "<script>@example.com"),
    ],
)
async def test_auth_7_the_answers_do_not_tell_whether_the_user_id_exists(anonymous, user_id, email):
    real = await forgot(anonymous, "user.alpha", "user.alpha@example.com")
    other = await forgot(anonymous, user_id, email)
    assert set(other) == set(real) and other["errors"] == [] and other["token"]
    assert other["securityQuestion"]["code"] in DEMO_ANSWERS or other["securityQuestion"]
    # Asking again shows the same question, as it does for a real account.
    assert (await forgot(anonymous, user_id, email))["securityQuestion"] == other[
        "securityQuestion"
    ]
    reply = await forgot_answer(anonymous, other["token"], "anything")
    assert reply == await forgot_answer(anonymous, real["token"], "a wrong answer")
    assert (
        await OutboxMessage.count().where(OutboxMessage.kind == "account.password_reset_link") == 0
    )


# AUTH-9 ------------------------------------------------------------------------------------


async def test_auth_9_sign_in_records_acceptance_of_the_terms(anonymous, clock):
    await Account.update({Account.terms_version: None}).where(Account.user_id == "user.alpha")
    pending = await login(anonymous, "user.alpha", deviceToken=persona_device("user.alpha"))
    assert pending["step"] == "ACCEPT_TERMS"
    async with unchanged():
        assert codes(await step(anonymous, pending, accept=False)) == ["INVALID"]
    done = await step(anonymous, pending, accept=True)
    assert done["step"] == "DONE"
    row = (
        await Account.select(Account.terms_version, Account.terms_accepted_at)
        .where(Account.user_id == "user.alpha")
        .first()
    )
    assert row["terms_version"] == pending["termsVersion"]
    assert row["terms_accepted_at"] == clock.now()
    # A used step token is gone: each step hands out the next one.
    assert codes(await step(anonymous, pending, accept=True)) == ["INVALID"]


async def test_a_step_token_expires(anonymous, clock):
    pending = await login(anonymous, "user.alpha")
    clock.advance(minutes=11)
    answer = DEMO_ANSWERS[pending["securityQuestion"]["code"]]
    assert codes(await step(anonymous, pending, answer=answer)) == ["EXPIRED"]


# AUTH-10 -----------------------------------------------------------------------------------


async def _device_id(device_token: str) -> int:
    row = await Device.select(Device.id).where(Device.token_hash == tokens.digest(device_token))
    return row[0]["id"]


async def test_auth_10_a_device_remembers_accounts_and_signs_one_in(anonymous, clock):
    device = persona_device("aa.alpha")
    first = await login(anonymous, "aa.alpha", deviceToken=device, rememberAccount=True)
    assert first["step"] == "DONE"
    # user.alpha has answered a question on this browser before and trusted it.
    user = await Account.select(Account.id).where(Account.user_id == "user.alpha").first()
    await DeviceAccount.insert(
        DeviceAccount(
            device=await _device_id(device),
            account=user["id"],
            trusted=True,
            question_at=clock.now(),
        )
    )
    second = await login(anonymous, "user.alpha", deviceToken=device, rememberAccount=True)
    assert second["step"] == "DONE"
    remembered = (await anonymous.execute(REMEMBERED, {"d": device})).ok()["rememberedAccounts"]
    assert remembered == [
        {"userId": "user.alpha", "signedIn": True},
        {"userId": "aa.alpha", "signedIn": False},
    ]
    # Only one account is signed in on the device at a time.
    old = GraphQLClient(anonymous.http, first["token"])
    assert (await old.execute(VIEWER)).ok()["viewer"] is None
    assert (await anonymous.execute(REMEMBERED, {"d": "unknown"})).ok() == {
        "rememberedAccounts": []
    }
    forget = """mutation($input: DeviceAccountForgetInput!) {
      deviceAccountForget(input: $input) { rememberedAccounts { userId } errors { code } } }"""
    forgotten = await anonymous.execute(
        forget, {"input": {"deviceToken": device, "userId": "aa.alpha"}}
    )
    assert forgotten.ok()["deviceAccountForget"]["rememberedAccounts"] == [{"userId": "user.alpha"}]


async def test_auth_10_at_most_20_accounts_per_device(anonymous, clock):
    device = persona_device("aa.alpha")
    others = await add_accounts("100001", 20, now=clock.now(), prefix="kept")
    await DeviceAccount.insert(
        *[
            DeviceAccount(device=await _device_id(device), account=a, remembered=True)
            for a in others
        ]
    )
    # The attempt itself is logged (REFUSED: recorded before it is judged, AUTH-2).
    async with unchanged(ignore={"sign_in_attempt"}):
        refused = await login(anonymous, "aa.alpha", deviceToken=device, rememberAccount=True)
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("INVALID", "rememberAccount")]
    assert (await login(anonymous, "aa.alpha", deviceToken=device))["step"] == "DONE"


# Throttling --------------------------------------------------------------------------------


async def test_sign_in_is_throttled_per_user_id_without_hastening_a_lockout(anonymous, clock):
    # Ten attempts a minute per user ID (the default); the rest wait, and are not failures.
    results = [codes(await login(anonymous, "no.such.person", "wrong")) for _ in range(12)]
    assert results[:4] == [["INVALID_CREDENTIALS"]] * 4
    assert results[-2:] == [["THROTTLED"]] * 2
    clock.advance(minutes=2)
    assert codes(await login(anonymous, "user.alpha", "wrong")) == ["INVALID_CREDENTIALS"]


async def test_sign_in_is_throttled_per_address(anonymous, clock):
    results = [codes(await login(anonymous, f"someone.{n}", "wrong")) for n in range(31)]
    assert results[:30] == [["INVALID_CREDENTIALS"]] * 30
    assert results[30] == ["THROTTLED"]
    clock.advance(minutes=1, seconds=1)
    assert codes(await login(anonymous, "someone.else", "wrong")) == ["INVALID_CREDENTIALS"]


async def test_secrets_are_stored_only_as_hashes_or_encrypted(anonymous):
    pending = await login(anonymous, "user.alpha")
    tokens_stored = [t["token_hash"] for t in await AccountToken.select(AccountToken.token_hash)]
    assert pending["token"] not in tokens_stored
    device_hashes = [d["token_hash"] for d in await Device.select(Device.token_hash)]
    assert pending["deviceToken"] not in device_hashes
    assert tokens.digest(pending["deviceToken"]) in device_hashes
    for answer in await SecurityAnswer.select(SecurityAnswer.answer_hash):
        # (Three-letter answers could turn up in any base64 by chance; longer ones cannot.)
        long_answers = [a.lower() for a in DEMO_ANSWERS.values() if len(a) > 6]
        assert all(a not in answer["answer_hash"].lower() for a in long_answers)
    admin_row = (
        await Account.select(Account.totp_secret).where(Account.user_id == "saa.alpha").first()
    )
    assert DEMO_TOTP_SECRET not in admin_row["totp_secret"]


async def test_auth_2_the_lockouts_job_lifts_expired_locks_nobody_tried(
    anonymous, fresh, clock, sql_statements
):
    for user_id in ("user.alpha", "user2.alpha"):
        await lock_by_password(anonymous, user_id)
    abandoned = await login(anonymous, "aa.alpha")  # a sign-in left at its MFA step
    assert abandoned["step"] == "VERIFY_MFA"
    clock.advance(minutes=30)
    early = (await runner.run_once(fresh.settings, clock, "lockouts"))["lockouts"]
    assert (early.unlocked, early.sign_ins_abandoned) == (0, 1)
    clock.advance(minutes=31)
    with sql_statements() as stats:
        report = (await runner.run_once(fresh.settings, clock, "lockouts"))["lockouts"]
    assert (report.unlocked, report.sign_ins_abandoned) == (2, 0)
    assert stats.statements <= 6  # the same for two accounts or two thousand
    assert await status_of("user.alpha") == await status_of("user2.alpha") == "ACTIVE"
    # A fresh run of wrong passwords starts from zero after the lock.
    assert codes(await login(anonymous, "user.alpha", "wrong")) == ["INVALID_CREDENTIALS"]


async def test_audit_of_sign_in_keeps_no_secret(anonymous, aa_alpha, clock):
    await login(anonymous, "user.alpha", "a wrong password")
    pending = await login(anonymous, "user.alpha")
    answer = DEMO_ANSWERS[pending["securityQuestion"]["code"]]
    await step(anonymous, pending, answer=answer)
    await admin(aa_alpha, "accountPasswordReset", "user.alpha")
    link = await link_from_outbox("user.alpha@example.com", "account.password_reset_link")
    await anonymous.execute(PASSWORD_SET, {"input": {"token": link, "password": NEW_PASSWORD}})
    clock.advance(hours=25)
    mfa = await login(anonymous, "saa.alpha", deviceToken=persona_device("saa.alpha"))
    code = pyotp.TOTP(DEMO_TOTP_SECRET).at(clock.now())
    await step(anonymous, mfa, code=code)
    events = await AuditEvent.select()
    actions = {e["action"] for e in events}
    assert {
        "session.login_failed",
        "session.login",
        "account.password_reset_forced",
        "account.password_set",
    } <= actions
    dump = repr(events)
    for secret in (PASSWORD, NEW_PASSWORD, link, pending["token"], answer, DEMO_TOTP_SECRET):
        assert secret not in dump
    assert f"'{code}'" not in dump


async def test_org_6_without_an_saa_nobody_of_the_organization_signs_in(anonymous, operator, fresh):
    user = await anonymous.login("user.beta")
    await loses_its_saa(fresh, "saa.beta")
    # Sessions already open stop working, and new sign-ins are refused ...
    assert (await user.execute(VIEWER)).ok()["viewer"] is None
    refused = await login(anonymous, "aa.beta", deviceToken=persona_device("aa.beta"))
    assert codes(refused) == ["FORBIDDEN"] and refused["token"] is None
    (event,) = (
        await AuditEvent.select(AuditEvent.actor_label, AuditEvent.after)
        .where(AuditEvent.action == "session.login_refused")
        .output(load_json=True)
    )
    assert event == {"actor_label": "aa.beta", "after": {"reason": "ORGANIZATION_WITHOUT_SAA"}}
    # ... though a wrong password learns nothing more than it would anywhere.
    assert codes(await login(anonymous, "aa.beta", "wrong")) == ["INVALID_CREDENTIALS"]
    # Other organizations are not affected.
    assert (await anonymous.login("user.alpha")).token
    assert (await set_saa(operator, "100002", "aa.beta"))["errors"] == []
    assert (await anonymous.login("user.beta")).token


HOSTILE = ["'; DROP TABLE account; --", "<script>alert(1)</script>", "\u202e\u0301", "x" * 100_000]


async def test_a_nul_character_anywhere_is_refused_as_bad_input(anonymous):
    async with unchanged():
        result = await anonymous.execute(
            LOGIN, {"input": {"userId": "saa.alpha\x00", "password": PASSWORD}}
        )
    assert result.error_codes() == ["BAD_USER_INPUT"] and result.data is None


@pytest.mark.parametrize("text", HOSTILE)
async def test_hostile_text_in_every_sign_in_field_gets_a_typed_answer(anonymous, text):
    async with unchanged(ignore={"sign_in_attempt", "device", "audit_event", "account_token"}):
        assert codes(await login(anonymous, text, text, deviceToken=text)) in (
            ["INVALID_CREDENTIALS"],
            ["THROTTLED"],
        )
        for mutation, input in (
            ("signInAcceptTerms", {"token": text, "accept": True}),
            ("signInAnswerSecurityQuestion", {"token": text, "answer": text}),
            ("signInVerifyMfa", {"token": text, "code": text}),
            ("passwordSet", {"token": text, "password": text}),
        ):
            query = step_mutation("ACCEPT_TERMS")[0] if mutation == "signInAcceptTerms" else None
            if mutation == "signInAnswerSecurityQuestion":
                query = step_mutation("ANSWER_SECURITY_QUESTION")[0]
            if mutation == "signInVerifyMfa":
                query = step_mutation("VERIFY_MFA")[0]
            if mutation == "passwordSet":
                query = PASSWORD_SET
            result = await anonymous.execute(query, {"input": input})
            assert result.status == 200 and not result.errors, result.body
            assert codes(result.data[mutation]) == ["INVALID"], (mutation, result.data)
        challenge = await forgot(anonymous, text, text)
        assert challenge["errors"] == [] or codes(challenge) == ["THROTTLED"]
        reply = await forgot_answer(anonymous, text, text)
        assert reply["errors"] == []
        remembered = await anonymous.execute(REMEMBERED, {"d": text})
        assert remembered.ok() == {"rememberedAccounts": []}


async def test_auth_4_five_wrong_codes_end_the_sign_in(anonymous, clock):
    pending = await login(anonymous, "saa.alpha")
    assert pending["step"] == "VERIFY_MFA"
    results = [codes(await step(anonymous, pending, code=f"{n:06d}")) for n in range(5)]
    assert results == [["INVALID_CREDENTIALS"]] * 5
    code = pyotp.TOTP(DEMO_TOTP_SECRET).at(clock.now())
    assert codes(await step(anonymous, pending, code=code)) == ["INVALID"]  # start over
    again = await login(anonymous, "saa.alpha")
    assert (await step(anonymous, again, code=code))["step"] == "DONE"


async def test_two_sign_ins_at_once_from_one_browser_both_work(anonymous):
    # A browser user.alpha used; aa.alpha signs in there for the first time, twice at once.
    device = (await login(anonymous, "user.alpha"))["deviceToken"]
    first, second = await asyncio.gather(
        login(anonymous, "aa.alpha", deviceToken=device),
        login(anonymous, "aa.alpha", deviceToken=device),
    )
    assert first["errors"] == second["errors"] == []
    assert first["step"] == second["step"] == "VERIFY_MFA"
    assert first["token"] != second["token"]
