"""ROLE-6: an account with any ADMIN grant, direct or through an active role, is an AA."""

from __future__ import annotations

from entitle.models import Account

# One statement for any number of accounts: a role change held by 200 accounts stays a
# constant number of statements (ROLE-8). A DELETED account is left as it was (ACC-11).
_REFRESH = """
UPDATE account SET user_type = CASE
  WHEN EXISTS (
    SELECT 1 FROM account_grant g WHERE g.account = account.id AND g.level = 'ADMIN'
  ) OR EXISTS (
    SELECT 1 FROM role_assignment ra
    JOIN role r ON r.id = ra.role AND r.status = 'ACTIVE'
    JOIN role_grant rg ON rg.role = r.id AND rg.level = 'ADMIN'
    WHERE ra.account = account.id
  ) THEN 'AA' ELSE 'USER' END
WHERE user_type <> 'SAA' AND status <> 'DELETED' AND {scope}
"""


async def refresh_accounts(account_ids: list[int]) -> None:
    if not account_ids:
        return
    placeholders = ", ".join("{}" for _ in account_ids)
    await Account.raw(_REFRESH.replace("{scope}", f"id IN ({placeholders})"), *account_ids)


async def refresh_holders(role_id: int) -> None:
    """Every account holding the role."""
    await Account.raw(
        _REFRESH.replace("{scope}", "id IN (SELECT account FROM role_assignment WHERE role = {})"),
        role_id,
    )
