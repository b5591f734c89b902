"""Sign-in steps, sessions and remembered accounts (AUTH-2..5, AUTH-9, AUTH-10)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from entitle.authz.guards import STRUCTURAL, field
from entitle.schema.errors import UserError

if TYPE_CHECKING:
    from entitle.schema.accounts import Account

AccountT = Annotated["Account", strawberry.lazy("entitle.schema.accounts")]


@strawberry.enum(description="What a sign-in waits for next; DONE when it is complete.")
class SignInStep(Enum):
    ACCEPT_TERMS = "ACCEPT_TERMS"
    SET_SECURITY_QUESTIONS = "SET_SECURITY_QUESTIONS"
    ANSWER_SECURITY_QUESTION = "ANSWER_SECURITY_QUESTION"
    ENROLL_MFA = "ENROLL_MFA"
    VERIFY_MFA = "VERIFY_MFA"
    DONE = "DONE"


@strawberry.type(description="One of the fixed security questions (AUTH-3).")
class SecurityQuestion:
    code: str = field(STRUCTURAL)
    text: str = field(STRUCTURAL)


@strawberry.type(description="AUTH-4: the TOTP secret, shown once, for an authenticator app.")
class MfaEnrollment:
    secret: str = field(STRUCTURAL, description="Base32, for typing in by hand.")
    otpauth_uri: str = field(STRUCTURAL, description="For a QR code.")


@strawberry.input
class LoginInput:
    user_id: str
    password: str
    device_token: str | None = strawberry.field(
        default=None,
        description="The token this browser or app was given at an earlier sign-in.",
    )
    remember_account: bool = strawberry.field(
        default=False, description="Add the account to this device's switching list (AUTH-10)."
    )


@strawberry.type(description="A sign-in step's outcome: the next step and the token for it.")
class SignInPayload:
    step: SignInStep | None = field(STRUCTURAL)
    token: str | None = field(
        STRUCTURAL,
        description="Good only for `step`; when `step` is DONE, the bearer token: send it as "
        "`Authorization: Bearer <token>`. Shown only once.",
    )
    expires_at: datetime | None = field(
        STRUCTURAL, description="Until when the step token is good (steps other than DONE)."
    )
    idle_expires_at: datetime | None = field(
        STRUCTURAL, description="DONE: the session ends if unused until then (AUTH-5)."
    )
    device_token: str | None = field(
        STRUCTURAL, description="A new device token: keep it and send it with later sign-ins."
    )
    security_question: SecurityQuestion | None = field(
        STRUCTURAL, description="ANSWER_SECURITY_QUESTION: the question to answer."
    )
    security_question_choices: list[SecurityQuestion] | None = field(
        STRUCTURAL, description="SET_SECURITY_QUESTIONS: the questions to choose three from."
    )
    terms_version: str | None = field(
        STRUCTURAL, description="ACCEPT_TERMS: the version of the terms to accept."
    )
    mfa_enrollment: MfaEnrollment | None = field(STRUCTURAL, description="ENROLL_MFA only.")
    viewer: AccountT | None = field(STRUCTURAL, description="DONE: the signed-in account.")
    errors: list[UserError] = field(STRUCTURAL)


@strawberry.input(description="AUTH-9.")
class SignInAcceptTermsInput:
    token: str
    accept: bool


@strawberry.input
class SecurityAnswerInput:
    question: str = strawberry.field(description="A `SecurityQuestion.code`.")
    answer: str


@strawberry.input(description="AUTH-3: three different questions with their answers.")
class SignInSetSecurityQuestionsInput:
    token: str
    answers: list[SecurityAnswerInput]
    remember_device: bool = strawberry.field(
        default=False,
        description="Trust this device: the question is then asked only periodically.",
    )


@strawberry.input
class SignInAnswerSecurityQuestionInput:
    token: str
    answer: str
    remember_device: bool = False


@strawberry.input(description="AUTH-4: a code from the authenticator app.")
class SignInMfaInput:
    token: str
    code: str


@strawberry.input
class LogoutInput:
    everywhere: bool = strawberry.field(
        default=False, description="End every session of this account, not only this one."
    )


@strawberry.type
class LogoutPayload:
    errors: list[UserError] = field(STRUCTURAL)


@strawberry.type(description="AUTH-5: the session's new idle deadline.")
class SessionExtendPayload:
    idle_expires_at: datetime | None = field(STRUCTURAL)
    errors: list[UserError] = field(STRUCTURAL)


@strawberry.type(description="AUTH-10: an account this device remembers for switching.")
class RememberedAccount:
    user_id: str = field(STRUCTURAL)
    name: str = field(STRUCTURAL)
    signed_in: bool = field(STRUCTURAL, description="The one account signed in on the device.")


@strawberry.input
class DeviceAccountForgetInput:
    device_token: str
    user_id: str


@strawberry.type
class DeviceAccountForgetPayload:
    remembered_accounts: list[RememberedAccount] = field(STRUCTURAL)
    errors: list[UserError] = field(STRUCTURAL)
