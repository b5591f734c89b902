"""Sessions: turning a bearer token into a Viewer, extending and ending them (AUTH-5).

Signing in, step by step, is sign_in.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from entitle.authz.actor import Profile, Viewer
from entitle.db import write_transaction
from entitle.enums import AccountStatus, OrgClass, PrivilegeLevel, UserType
from entitle.models import (
    Session,
)
from entitle.models.accounts import READ_COLUMNS as ACCOUNT_READ_COLUMNS
from entitle.services import audit, catalog, tokens
from entitle.services.organizations import sign_in_blocked_sql

# Idle sessions are extended at most this often, so a busy client does not write per request.
TOUCH_INTERVAL = timedelta(seconds=60)


async def logout(
    viewer: Viewer, *, everywhere: bool, now: datetime, request_id: str | None
) -> None:
    async with write_transaction():
        query = Session.update({Session.ended_at: now}).where(Session.ended_at.is_null())
        if everywhere:
            await query.where(Session.account == viewer.account_id)
        else:
            await query.where(Session.id == viewer.session_id)
        await audit.record(
            audit.AuditEntry(
                action="session.logout_everywhere" if everywhere else "session.logout",
                target_type="Account",
                target_id=str(viewer.account_id),
                actor_id=viewer.account_id,
                actor_label=viewer.user_id or "",
                organization_id=viewer.organization_id,
            ),
            at=now,
            request_id=request_id,
        )


# Authentication runs on every request, so it is two hand-written statements rather than
# five built by the query builder (whose join building cost more than the queries).
ACCOUNT_COLUMNS = tuple(c._meta.db_column_name for c in ACCOUNT_READ_COLUMNS)
# The account's row comes along so that reading the viewer needs no further statement.
SESSION = f"""
SELECT s.id AS session_id, s.last_seen_at, o.org_type, o.org_class,
       {", ".join("a." + name for name in ACCOUNT_COLUMNS)}
FROM account_session s
JOIN account a ON a.id = s.account
JOIN organization o ON o.id = a.organization
WHERE s.token_hash = {{}} AND s.ended_at IS NULL AND s.stage = 'DONE'
  AND NOT {sign_in_blocked_sql("o")}
"""
# Everything the policy and the facts need about the viewer, in one round trip.
VIEWER_FACTS = """
SELECT 'grant' AS source, g.privilege AS id, g.level, p.code, p.sensitive, ap.code AS app,
       NULL AS role
FROM account_grant g
JOIN privilege p ON p.id = g.privilege JOIN application ap ON ap.id = p.application
WHERE g.account = {}
UNION ALL
SELECT 'grant', rg.privilege, rg.level, p.code, p.sensitive, ap.code, rg.role
FROM role_assignment ra
JOIN role r ON r.id = ra.role AND r.status = 'ACTIVE'
JOIN role_grant rg ON rg.role = r.id
JOIN privilege p ON p.id = rg.privilege JOIN application ap ON ap.id = p.application
WHERE ra.account = {}
UNION ALL
SELECT 'available', pa.privilege, NULL, NULL, NULL, NULL, NULL
FROM privilege_availability pa WHERE pa.org_type = {}
UNION ALL
SELECT 'identifier', ia.identifier, NULL, NULL, NULL, NULL, NULL
FROM identifier_assignment ia WHERE ia.account = {}
"""


@dataclass(frozen=True)
class Authenticated:
    viewer: Viewer
    account: dict  # the viewer's account row, as the account loader reads it


async def authenticate(token: str, *, now: datetime, idle: timedelta) -> Authenticated | None:
    """Who a bearer token stands for, or None when it is unknown, ended or idle too long."""
    if not token or len(token) > 128:
        return None
    rows = await Session.raw(SESSION, tokens.digest(token))
    row = rows[0] if rows else None
    if row is None or row["status"] != AccountStatus.ACTIVE:
        return None
    if now - row["last_seen_at"] > idle:
        return None
    if now - row["last_seen_at"] > TOUCH_INTERVAL:
        await Session.update({Session.last_seen_at: now}).where(Session.id == row["session_id"])
    account = {name: row[name] for name in ACCOUNT_COLUMNS}
    return Authenticated(viewer=await _viewer(row), account=account)


async def _viewer(row: dict) -> Viewer:
    account = row["id"]
    facts = await Session.raw(VIEWER_FACTS, account, account, row["org_type"], account)
    # ENT-8: what roles give counts as much as what is granted directly.
    grants = [f for f in facts if f["source"] == "grant"]
    available_ids = frozenset(f["id"] for f in facts if f["source"] == "available")
    codes = {g["code"] for g in grants}
    is_saa = row["user_type"] == UserType.SAA
    profile = Profile(
        signed_in=True,
        operator=row["org_class"] == OrgClass.OPERATOR,
        user_type=row["user_type"],
        manages_accounts=is_saa or catalog.MANAGE_ACCESS in codes,
        assigns_roles=is_saa or catalog.ASSIGN_ROLES in codes,
        reads_individuals=any(g["app"] == catalog.REGISTRATION_APP for g in grants),
        sensitive=tuple(sorted({g["code"] for g in grants if g["sensitive"]})),
    )
    return Viewer(
        profile=profile,
        account_id=account,
        organization_id=row["organization"],
        org_type=row["org_type"],
        org_class=row["org_class"],
        user_id=row["user_id"],
        session_id=row["session_id"],
        # ENT-2: the SAA administers every privilege available to the organization's type.
        administered=available_ids
        if is_saa
        else frozenset(g["id"] for g in grants if g["level"] == PrivilegeLevel.ADMIN),
        identifiers=frozenset(f["id"] for f in facts if f["source"] == "identifier"),
        roles=frozenset(g["role"] for g in grants if g["role"] is not None),
        available=available_ids,
    )


async def extend(viewer: Viewer, *, now: datetime) -> None:
    """AUTH-5 "Stay": the idle clock starts again now."""
    await Session.update({Session.last_seen_at: now}).where(
        (Session.id == viewer.session_id) & Session.ended_at.is_null()
    )
