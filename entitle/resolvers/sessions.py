"""login and logout."""

from __future__ import annotations

from datetime import timedelta

import strawberry

from entitle.authz.guards import PUBLIC, SIGNED_IN, field
from entitle.resolvers.accounts import account_by_pk
from entitle.schema.errors import ErrorCode, UserError
from entitle.schema.sessions import LoginInput, LoginPayload, LogoutInput, LogoutPayload
from entitle.services import sessions


async def login(info: strawberry.Info, input: LoginInput) -> LoginPayload:
    context = info.context
    now = context.runtime.clock.now()
    try:
        signed_in = await sessions.login(
            input.user_id,
            input.password,
            passwords=context.runtime.passwords,
            now=now,
            request_id=context.request_id,
        )
    except sessions.SignInRefused:
        return LoginPayload(
            token=None,
            idle_expires_at=None,
            viewer=None,
            errors=[
                UserError(
                    code=ErrorCode.INVALID_CREDENTIALS,
                    message="The user ID or password is not right, or the account may not sign in.",
                    field=None,
                )
            ],
        )
    idle = timedelta(seconds=context.runtime.settings.session_idle_seconds)
    authenticated = await sessions.authenticate(signed_in.token, now=now, idle=idle)
    # The rest of this response is read as the account that just signed in.
    context.sign_in(authenticated.viewer)
    return LoginPayload(
        token=signed_in.token,
        idle_expires_at=now + idle,
        viewer=await account_by_pk(info, signed_in.account_id),
        errors=[],
    )


async def logout(info: strawberry.Info, input: LogoutInput | None = None) -> LogoutPayload:
    context = info.context
    await sessions.logout(
        context.viewer,
        everywhere=bool(input and input.everywhere),
        now=context.runtime.clock.now(),
        request_id=context.request_id,
    )
    return LogoutPayload(errors=[])


@strawberry.type
class SessionMutation:
    @field(PUBLIC, description="Sign in with user ID and password; answers a bearer token.")
    async def login(self, info: strawberry.Info, input: LoginInput) -> LoginPayload:
        return await login(info, input)

    @field(SIGNED_IN, description="End this session (or every session of the account).")
    async def logout(
        self, info: strawberry.Info, input: LogoutInput | None = None
    ) -> LogoutPayload:
        return await logout(info, input)
