"""Password links, forgot password, and administrators' credential resets."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry

from entitle.authz.guards import PUBLIC, SIGNED_IN, field
from entitle.resolvers.accounts import respond
from entitle.resolvers.mutations import actor_of, attempt, decode
from entitle.resolvers.sessions import question, sign_in_attempt
from entitle.schema import credentials as types
from entitle.schema.accounts import AccountPayload
from entitle.services import credentials
from entitle.services.actor import Actor

P = TypeVar("P", bound=AccountPayload)

FORGOT_ANSWERED = (
    "If the user ID, email and answer were right, a link to reset the password is on its "
    "way to the account's email."
)


async def _on_account(
    info: strawberry.Info,
    payload: type[P],
    service: Callable[[Actor, int], Awaitable[None]],
    input: types.AccountCredentialsInput,
) -> P:
    """An administrator's credential action on one account, answered with the account."""
    return await respond(
        info,
        payload,
        lambda: service(actor_of(info), decode(input.account_id, "Account", "accountId")),
        input.account_id,
    )


@strawberry.type
class CredentialMutation:
    @field(PUBLIC, description="AUTH-1: set a password with an activation or reset link.")
    async def password_set(
        self, info: strawberry.Info, input: types.PasswordSetInput
    ) -> types.PasswordSetPayload:
        _, errors = await attempt(
            info,
            lambda: credentials.set_password(sign_in_attempt(info), input.token, input.password),
        )
        return types.PasswordSetPayload(errors=errors)

    @field(PUBLIC, description="AUTH-7: forgot password, first half: user ID and email.")
    async def password_forgot(
        self, info: strawberry.Info, input: types.PasswordForgotInput
    ) -> types.PasswordForgotPayload:
        challenge, errors = await attempt(
            info,
            lambda: credentials.forgot_password(sign_in_attempt(info), input.user_id, input.email),
        )
        if errors:
            return types.PasswordForgotPayload(security_question=None, token=None, errors=errors)
        return types.PasswordForgotPayload(
            security_question=question(challenge.question), token=challenge.token, errors=[]
        )

    @field(PUBLIC, description="AUTH-7: forgot password, second half: the answer.")
    async def password_forgot_answer(
        self, info: strawberry.Info, input: types.PasswordForgotAnswerInput
    ) -> types.PasswordForgotAnswerPayload:
        _, errors = await attempt(
            info,
            lambda: credentials.answer_forgot_password(
                sign_in_attempt(info), input.token, input.answer
            ),
        )
        return types.PasswordForgotAnswerPayload(message=FORGOT_ANSWERED, errors=errors)

    @field(SIGNED_IN, description="AUTH-6: force a password reset; a link goes by email.")
    async def account_password_reset(
        self, info: strawberry.Info, input: types.AccountCredentialsInput
    ) -> types.AccountPasswordResetPayload:
        return await _on_account(
            info, types.AccountPasswordResetPayload, credentials.force_password_reset, input
        )

    @field(SIGNED_IN, description="AUTH-6, AUTH-3: reset the security questions.")
    async def account_security_questions_reset(
        self, info: strawberry.Info, input: types.AccountCredentialsInput
    ) -> types.AccountSecurityQuestionsResetPayload:
        return await _on_account(
            info,
            types.AccountSecurityQuestionsResetPayload,
            credentials.reset_security_questions,
            input,
        )

    @field(SIGNED_IN, description="AUTH-2: lift a password lockout before its hour is up.")
    async def account_unlock(
        self, info: strawberry.Info, input: types.AccountCredentialsInput
    ) -> types.AccountUnlockPayload:
        return await _on_account(info, types.AccountUnlockPayload, credentials.unlock, input)
