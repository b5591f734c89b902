"""Sign-in steps, sign-out, "Stay", and the device's remembered accounts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import strawberry

from entitle.authz.guards import PUBLIC, SIGNED_IN, field
from entitle.resolvers.accounts import account_by_pk
from entitle.resolvers.mutations import attempt
from entitle.schema import sessions as types
from entitle.services import devices, security_questions, sessions, sign_in


def sign_in_attempt(info: strawberry.Info) -> sign_in.Attempt:
    context = info.context
    client = context.request.client
    return sign_in.Attempt(
        runtime=context.runtime,
        now=context.runtime.clock.now(),
        address=client.host if client else "unknown",
        request_id=context.request_id,
    )


async def remembered(info: strawberry.Info, device_token: str) -> list[devices.Remembered]:
    runtime = info.context.runtime
    idle = timedelta(seconds=runtime.settings.session_idle_seconds)
    return await devices.remembered(device_token, now=runtime.clock.now(), idle=idle)


def question(code: str) -> types.SecurityQuestion:
    return types.SecurityQuestion(code=code, text=security_questions.QUESTIONS[code])


async def step_payload(
    info: strawberry.Info, operation: Callable[[], Awaitable[sign_in.Step]]
) -> types.SignInPayload:
    """Run one step and tell the client what comes next."""
    step, errors = await attempt(info, operation)
    empty = dict.fromkeys(
        (
            "step",
            "token",
            "expires_at",
            "idle_expires_at",
            "device_token",
            "security_question",
            "security_question_choices",
            "terms_version",
            "mfa_enrollment",
            "viewer",
        )
    )
    if errors:
        return types.SignInPayload(**empty, errors=errors)
    context = info.context
    settings, now = context.runtime.settings, context.runtime.clock.now()
    fields = empty | {
        "step": types.SignInStep(step.stage.value),
        "token": step.token,
        "device_token": step.device_token,
    }
    if step.stage is sign_in.Stage.DONE:
        idle = timedelta(seconds=settings.session_idle_seconds)
        authenticated = await sessions.authenticate(step.token, now=now, idle=idle)
        # The rest of this response is read as the account that just signed in.
        context.sign_in(authenticated.viewer)
        fields |= {
            "idle_expires_at": now + idle,
            "viewer": await account_by_pk(info, step.account_id),
        }
    else:
        fields["expires_at"] = now + timedelta(minutes=settings.sign_in_step_minutes)
    if step.stage is sign_in.Stage.ACCEPT_TERMS:
        fields["terms_version"] = settings.terms_version
    if step.stage is sign_in.Stage.SET_SECURITY_QUESTIONS:
        fields["security_question_choices"] = [question(c) for c in security_questions.QUESTIONS]
    if step.question:
        fields["security_question"] = question(step.question)
    if step.totp_secret:
        fields["mfa_enrollment"] = types.MfaEnrollment(
            secret=step.totp_secret, otpauth_uri=step.totp_uri
        )
    return types.SignInPayload(**fields, errors=[])


@strawberry.type
class SessionQuery:
    @field(PUBLIC, description="AUTH-3: the questions to choose security questions from.")
    def security_questions(self) -> list[types.SecurityQuestion]:
        return [question(code) for code in security_questions.QUESTIONS]

    @field(
        PUBLIC,
        description="AUTH-10: the accounts this device remembers; the device token is the "
        "credential, as a browser's cookie would be.",
    )
    async def remembered_accounts(
        self, info: strawberry.Info, device_token: str
    ) -> list[types.RememberedAccount]:
        return [types.RememberedAccount(**r.__dict__) for r in await remembered(info, device_token)]


@strawberry.type
class SessionMutation:
    @field(PUBLIC, description="Sign in, first step: user ID and password (AUTH-2).")
    async def login(self, info: strawberry.Info, input: types.LoginInput) -> types.SignInPayload:
        return await step_payload(
            info,
            lambda: sign_in.login(
                sign_in_attempt(info),
                input.user_id,
                input.password,
                device_token=input.device_token,
                remember_account=input.remember_account,
            ),
        )

    @field(PUBLIC, description="AUTH-9: accept the terms of use and the privacy policy.")
    async def sign_in_accept_terms(
        self, info: strawberry.Info, input: types.SignInAcceptTermsInput
    ) -> types.SignInPayload:
        return await step_payload(
            info, lambda: sign_in.accept_terms(sign_in_attempt(info), input.token, input.accept)
        )

    @field(PUBLIC, description="AUTH-3: first sign-in; choose three questions and answer them.")
    async def sign_in_set_security_questions(
        self, info: strawberry.Info, input: types.SignInSetSecurityQuestionsInput
    ) -> types.SignInPayload:
        return await step_payload(
            info,
            lambda: sign_in.set_security_questions(
                sign_in_attempt(info),
                input.token,
                [(a.question, a.answer) for a in input.answers],
                remember_device=input.remember_device,
            ),
        )

    @field(PUBLIC, description="AUTH-3: answer the security question asked.")
    async def sign_in_answer_security_question(
        self, info: strawberry.Info, input: types.SignInAnswerSecurityQuestionInput
    ) -> types.SignInPayload:
        return await step_payload(
            info,
            lambda: sign_in.answer_security_question(
                sign_in_attempt(info),
                input.token,
                input.answer,
                remember_device=input.remember_device,
            ),
        )

    @field(PUBLIC, description="AUTH-4: confirm the new authenticator with its first code.")
    async def sign_in_enroll_mfa(
        self, info: strawberry.Info, input: types.SignInMfaInput
    ) -> types.SignInPayload:
        return await step_payload(
            info, lambda: sign_in.enroll_mfa(sign_in_attempt(info), input.token, input.code)
        )

    @field(PUBLIC, description="AUTH-4: a code from the authenticator app.")
    async def sign_in_verify_mfa(
        self, info: strawberry.Info, input: types.SignInMfaInput
    ) -> types.SignInPayload:
        return await step_payload(
            info, lambda: sign_in.verify_mfa(sign_in_attempt(info), input.token, input.code)
        )

    @field(SIGNED_IN, description="End this session (or every session of the account).")
    async def logout(
        self, info: strawberry.Info, input: types.LogoutInput | None = None
    ) -> types.LogoutPayload:
        context = info.context
        await sessions.logout(
            context.viewer,
            everywhere=bool(input and input.everywhere),
            now=context.runtime.clock.now(),
            request_id=context.request_id,
        )
        return types.LogoutPayload(errors=[])

    @field(SIGNED_IN, description='AUTH-5: "Stay" - restart the 27-minute idle clock.')
    async def session_extend(self, info: strawberry.Info) -> types.SessionExtendPayload:
        context = info.context
        now = context.runtime.clock.now()
        await sessions.extend(context.viewer, now=now)
        idle = timedelta(seconds=context.runtime.settings.session_idle_seconds)
        return types.SessionExtendPayload(idle_expires_at=now + idle, errors=[])

    @field(PUBLIC, description="AUTH-10: drop an account from this device's switching list.")
    async def device_account_forget(
        self, info: strawberry.Info, input: types.DeviceAccountForgetInput
    ) -> types.DeviceAccountForgetPayload:
        await devices.forget(input.device_token, input.user_id)
        accounts = await remembered(info, input.device_token)
        return types.DeviceAccountForgetPayload(
            remembered_accounts=[types.RememberedAccount(**r.__dict__) for r in accounts],
            errors=[],
        )
