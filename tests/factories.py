"""Bulk test data written straight to the database (the demo seed stays small)."""

from __future__ import annotations

from datetime import datetime

from entitle.models import (
    Account,
    Device,
    DeviceAccount,
    Grant,
    Identifier,
    IdentifierAssignment,
    Organization,
    Privilege,
)
from entitle.services import tokens
from tests.graphql_client import persona_device


async def organization_id(number: str) -> int:
    return (
        await Organization.select(Organization.id).where(Organization.number == number).first()
    )["id"]


async def add_accounts(
    number: str, count: int, *, now: datetime, prefix: str = "bulk"
) -> list[int]:
    """`count` ACTIVE users in organization `number`, each with three grants and an identifier."""
    org = await organization_id(number)
    privileges = [
        p["id"]
        for p in await Privilege.select(Privilege.id).where(
            Privilege.code.is_in(["RPT_VIEW", "REG_FORM_U4", "TRF_TRACE"])
        )
    ]
    identifier = (
        await Identifier.select(Identifier.id).where(Identifier.organization == org).first()
    )["id"]
    rows = await Account.insert(
        *[
            Account(
                user_id=f"{prefix}{i:04d}.{number}",
                organization=org,
                first_name="Bulk",
                last_name=f"User {i:04d}",
                email=f"{prefix}{i:04d}@example.com",
                phone="+1 202 555 0199",
                status="ACTIVE",
                created_at=now,
            )
            for i in range(count)
        ]
    ).returning(Account.id)
    ids = [r["id"] for r in rows]
    await Grant.insert(
        *[
            Grant(account=a, privilege=p, level="USER", granted_at=now)
            for a in ids
            for p in privileges
        ]
    )
    await IdentifierAssignment.insert(
        *[IdentifierAssignment(identifier=identifier, account=a, assigned_at=now) for a in ids]
    )
    return ids


async def add_test_devices(*, now: datetime) -> None:
    """One trusted device per active demo person, its question and MFA passed `now`
    (see graphql_client.persona_device)."""
    people = await Account.select(Account.id, Account.user_id).where(
        (Account.status == "ACTIVE") & (Account.kind == "HUMAN")
    )
    for person in people:
        device = (
            await Device.insert(
                Device(
                    token_hash=tokens.digest(persona_device(person["user_id"])),
                    created_at=now,
                    last_seen_at=now,
                )
            ).returning(Device.id)
        )[0]["id"]
        await DeviceAccount.insert(
            DeviceAccount(
                device=device, account=person["id"], trusted=True, question_at=now, mfa_at=now
            )
        )
