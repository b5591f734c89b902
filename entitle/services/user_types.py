"""ROLE-6: an account with any ADMIN grant, direct or through an active role, is an AA."""

from __future__ import annotations

from datetime import datetime

from entitle.models import Account

# Whether the account aliased ACCT holds any ADMIN grant, directly or through an active role.
_IS_ADMIN = """(
  EXISTS (
    SELECT 1 FROM account_grant g WHERE g.account = ACCT.id AND g.level = 'ADMIN'
  ) OR EXISTS (
    SELECT 1 FROM role_assignment ra
    JOIN role r ON r.id = ra.role AND r.status = 'ACTIVE'
    JOIN role_grant rg ON rg.role = r.id AND rg.level = 'ADMIN'
    WHERE ra.account = ACCT.id
  )
)"""
# One statement for any number of accounts: a role change held by 200 accounts stays a
# constant number of statements (ROLE-8). A DELETED account is left as it was (ACC-11).
_REFRESH = f"""
UPDATE account SET user_type = CASE
  WHEN {_IS_ADMIN.replace("ACCT", "account")} THEN 'AA' ELSE 'USER' END
WHERE user_type <> 'SAA' AND status <> 'DELETED' AND {{scope}}
"""
# AUTH-4: a session opened as a USER never passed MFA, and the viewer is rebuilt from the
# current user type on every request: an account this refresh turns into an AA would act
# as one without MFA. Its sessions end, in the same transaction and one statement, before
# _REFRESH changes the type; it signs in again, and then MFA is asked.
_END_NEW_ADMIN_SESSIONS = f"""
UPDATE account_session SET ended_at = {{ended_at}}
WHERE ended_at IS NULL AND account IN (
  SELECT a.id FROM account a
  WHERE a.user_type = 'USER' AND a.status <> 'DELETED' AND a.{{scope}}
    AND {_IS_ADMIN.replace("ACCT", "a")}
)
"""


async def _refresh(scope: str, args: list, now: datetime | None) -> None:
    # Without a time from the caller, a session ends at its last activity.
    ended_at = "last_seen_at" if now is None else "{}"
    end_sessions = _END_NEW_ADMIN_SESSIONS.replace("{ended_at}", ended_at)
    await Account.raw(
        end_sessions.replace("{scope}", scope), *([] if now is None else [now]), *args
    )
    await Account.raw(_REFRESH.replace("{scope}", scope), *args)


async def refresh_accounts(account_ids: list[int], *, now: datetime | None = None) -> None:
    if not account_ids:
        return
    placeholders = ", ".join("{}" for _ in account_ids)
    await _refresh(f"id IN ({placeholders})", list(account_ids), now)


async def refresh_holders(role_id: int, *, now: datetime | None = None) -> None:
    """Every account holding the role."""
    await _refresh("id IN (SELECT account FROM role_assignment WHERE role = {})", [role_id], now)
