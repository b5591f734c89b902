from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from entitle.authz.guards import STRUCTURAL, field
from entitle.schema.errors import UserError

if TYPE_CHECKING:
    from entitle.schema.accounts import Account

AccountT = Annotated["Account", strawberry.lazy("entitle.schema.accounts")]


@strawberry.input
class LoginInput:
    user_id: str
    password: str


@strawberry.type
class LoginPayload:
    token: str | None = field(
        STRUCTURAL, description="Send as `Authorization: Bearer <token>`; shown only once."
    )
    idle_expires_at: datetime | None = field(
        STRUCTURAL, description="The session ends if unused until then (AUTH-5)."
    )
    viewer: AccountT | None = field(STRUCTURAL)
    errors: list[UserError] = field(STRUCTURAL)


@strawberry.input
class LogoutInput:
    everywhere: bool = strawberry.field(
        default=False, description="End every session of this account, not only this one."
    )


@strawberry.type
class LogoutPayload:
    errors: list[UserError] = field(STRUCTURAL)
