"""AUTH-10: the accounts a device remembers for fast switching."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from entitle.models import Account, Device, DeviceAccount
from entitle.services import attempts, tokens
from entitle.services.organizations import sign_in_blocked_sql


@dataclass(frozen=True)
class Remembered:
    user_id: str
    name: str
    signed_in: bool


async def device_id(device_token: str | None) -> int | None:
    """The device a token stands for, if any."""
    if not device_token or len(device_token) > 128:
        return None
    row = (
        await Device.select(Device.id)
        .where(Device.token_hash == tokens.digest(device_token))
        .first()
    )
    return row["id"] if row else None


# AUTH-10: one statement. signed_in holds only when that session would be accepted as a
# bearer token (sessions.authenticate): DONE, not ended, not idle past the limit (AUTH-5),
# the account ACTIVE and its organization not blocked (ORG-6, CERT-4).
REMEMBERED = f"""
SELECT a.user_id, a.first_name, a.last_name,
       (a.status = 'ACTIVE' AND NOT {sign_in_blocked_sql("o")}
        AND EXISTS (SELECT 1 FROM account_session s
                    WHERE s.device = da.device AND s.account = a.id
                      AND s.stage = 'DONE' AND s.ended_at IS NULL
                      AND s.last_seen_at >= {{}})) AS signed_in
FROM device_account da
JOIN account a ON a.id = da.account
JOIN organization o ON o.id = a.organization
WHERE da.device = {{}} AND da.remembered AND a.status <> 'DELETED'
ORDER BY da.remembered_at, a.user_id
"""


async def remembered(device_token: str, *, now: datetime, idle: timedelta) -> list[Remembered]:
    """The signed-in account first (as the guide shows it), then the others."""
    found = await device_id(device_token)
    if found is None:
        return []
    # authenticate() refuses a session idle for more than `idle`: at exactly `idle`, usable.
    rows = await DeviceAccount.raw(REMEMBERED, now - idle, found)
    found = [
        Remembered(
            user_id=r["user_id"],
            name=f"{r['first_name']} {r['last_name']}",
            signed_in=bool(r["signed_in"]),
        )
        for r in rows
    ]
    return sorted(found, key=lambda r: not r.signed_in)


async def forget(device_token: str, user_id: str) -> None:
    found = await device_id(device_token)
    if found is None:
        return
    account = (
        await Account.select(Account.id)
        .where(Account.user_id == attempts.normalize_user_id(user_id))
        .first()
    )
    if account is None:
        return
    await DeviceAccount.update({DeviceAccount.remembered: False}).where(
        (DeviceAccount.device == found) & (DeviceAccount.account == account["id"])
    )
