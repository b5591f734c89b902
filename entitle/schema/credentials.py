"""Passwords and security questions: links, forgot password, admin resets (AUTH-1..3, 6, 7)."""

from __future__ import annotations

import strawberry

from entitle.authz.guards import STRUCTURAL, field
from entitle.schema.accounts import AccountPayload
from entitle.schema.errors import UserError
from entitle.schema.sessions import SecurityQuestion


@strawberry.input(description="AUTH-1: the token from an activation or reset link.")
class PasswordSetInput:
    token: str
    password: str


@strawberry.type
class PasswordSetPayload:
    errors: list[UserError] = field(STRUCTURAL)


@strawberry.input(description="AUTH-7, first half.")
class PasswordForgotInput:
    user_id: str
    email: str


@strawberry.type(
    description="A question to answer. It is given whether or not the user ID exists and "
    "the email matches, so it says nothing about either."
)
class PasswordForgotPayload:
    security_question: SecurityQuestion | None = field(STRUCTURAL)
    token: str | None = field(STRUCTURAL, description="For `passwordForgotAnswer`.")
    errors: list[UserError] = field(STRUCTURAL)


@strawberry.input(description="AUTH-7, second half.")
class PasswordForgotAnswerInput:
    token: str
    answer: str


@strawberry.type(
    description="Always the same: when the details were right, a reset link is on its way "
    "to the account's email."
)
class PasswordForgotAnswerPayload:
    message: str = field(STRUCTURAL)
    errors: list[UserError] = field(STRUCTURAL)


@strawberry.input
class AccountCredentialsInput:
    account_id: strawberry.ID


@strawberry.type
class AccountPasswordResetPayload(AccountPayload):
    pass


@strawberry.type
class AccountSecurityQuestionsResetPayload(AccountPayload):
    pass


@strawberry.type
class AccountUnlockPayload(AccountPayload):
    pass
