"""A benchmark data set: the demo organizations plus N broker-dealers of realistic shape."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from piccolo.engine.postgres import PostgresEngine

from entitle import db, demo
from entitle.db import write_transaction
from entitle.models import (
    Account,
    Grant,
    Identifier,
    IdentifierAssignment,
    Organization,
    Privilege,
    PrivilegeAvailability,
    Role,
    RoleAssignment,
    RoleGrant,
    SecurityAnswer,
)
from entitle.runtime import Runtime

BATCH = 1_000
FIRST_NAMES = ["Ada", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lia"]
LAST_NAMES = [
    "Abbott",
    "Baker",
    "Chen",
    "Diaz",
    "Evans",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ito",
    "Jensen",
    "Khan",
    "Lopez",
    "Meyer",
    "Novak",
    "Okafor",
    "Patel",
    "Quinn",
    "Rossi",
]
ROLE_SHAPES = [  # name, grants
    ("Report Readers", {"RPT_VIEW": "USER", "RPT_COMPLIANCE": "USER"}),
    ("Registration", {"REG_FILING": "USER", "REG_FORM_U4": "USER", "REG_FORM_U5": "USER"}),
    ("Registration Admins", {"REG_FILING": "ADMIN", "REG_FORM_U4": "ADMIN"}),
    ("CAT Reporting", {"CAT_REPORTER": "USER", "CAT_SUBMIT": "USER"}),
    ("SSN Reviewers", {"REG_FILING": "USER", "REG_VIEW_SSN": "USER"}),
]
PASSWORD = "bench password, not a secret"


async def _chunks(table, rows) -> None:
    # PostgreSQL takes at most 32,767 parameters per statement: rows x columns under it.
    size = min(BATCH, 30_000 // len(table.all_columns()))
    for i in range(0, len(rows), size):
        await table.insert(*rows[i : i + size])


async def build(runtime: Runtime, *, organizations: int, accounts: int, now: datetime) -> None:
    """Demo data, then `organizations` firms sharing `accounts` accounts between them."""
    await demo.seed_demo(
        password=PASSWORD, passwords=runtime.passwords, cipher=runtime.cipher, now=now
    )
    rng = random.Random(2026)
    password_hash = runtime.passwords.hash(PASSWORD)
    privileges = {p["code"]: p["id"] for p in await Privilege.select(Privilege.id, Privilege.code)}
    available = [
        p["privilege"]
        for p in await PrivilegeAvailability.select(PrivilegeAvailability.privilege).where(
            PrivilegeAvailability.org_type == "BROKER_DEALER"
        )
    ]
    parents = {
        p["code"]: p["parent"] for p in await Privilege.select(Privilege.code, Privilege.parent)
    }
    by_id = {v: k for k, v in privileges.items()}
    plain = [code for code in privileges if not code.startswith("TRF_")]

    def with_parents(codes: list[str]) -> set[str]:
        # ENT-4: a child privilege is held only with its parent.
        return set(codes) | {by_id[parents[c]] for c in codes if parents[c] is not None}

    async with write_transaction():
        org_ids = [
            (
                await Organization.insert(
                    Organization(
                        number=f"{200000 + i}",
                        name=f"Bench Firm {i:02d}",
                        org_type="BROKER_DEALER",
                        org_class="FIRM",
                        created_at=now,
                    )
                ).returning(Organization.id)
            )[0]["id"]
            for i in range(organizations)
        ]
        per_org = max(1, accounts // organizations)
        account_rows = []
        for o, org in enumerate(org_ids):
            for i in range(per_org):
                saa = i == 0
                account_rows.append(
                    Account(
                        user_id=f"saa.bench{o:02d}" if saa else f"u{o:02d}.{i:06d}",
                        organization=org,
                        first_name=rng.choice(FIRST_NAMES),
                        last_name=rng.choice(LAST_NAMES),
                        email=f"user{o}.{i}@bench.example",
                        phone="+1 202 555 0100",
                        status="ACTIVE"
                        if rng.random() > 0.08
                        else rng.choice(["DISABLED_BY_ADMIN", "DELETED", "DRAFT"]),
                        user_type="SAA" if saa else "USER",
                        password_hash=password_hash if saa else None,
                        created_at=now - timedelta(days=rng.randint(1, 900)),
                        last_sign_in_at=now - timedelta(hours=rng.randint(1, 5000)),
                    )
                )
        await _chunks(Account, account_rows)
        ids = await Account.select(Account.id, Account.organization, Account.user_type).where(
            Account.organization.is_in(org_ids)
        )
        await _signed_in_before(runtime, [r["id"] for r in ids if r["user_type"] == "SAA"], now)
        grants = []
        for row in ids:
            codes = available if row["user_type"] == "SAA" else with_parents(rng.sample(plain, 3))
            for code in codes:
                pid = code if isinstance(code, int) else privileges[code]
                level = "ADMIN" if row["user_type"] == "SAA" else "USER"
                grants.append(Grant(account=row["id"], privilege=pid, level=level, granted_at=now))
        await _chunks(Grant, grants)
        for org in org_ids:
            roles = []
            for name, role_grants in ROLE_SHAPES:
                role = (
                    await Role.insert(
                        Role(organization=org, name=name, created_at=now, updated_at=now)
                    ).returning(Role.id)
                )[0]["id"]
                await RoleGrant.insert(
                    *[
                        RoleGrant(role=role, privilege=privileges[c], level=lvl)
                        for c, lvl in role_grants.items()
                    ]
                )
                roles.append(role)
            members = [
                r["id"] for r in ids if r["organization"] == org and r["user_type"] == "USER"
            ]
            await _chunks(
                RoleAssignment,
                [
                    RoleAssignment(
                        role=rng.choice(roles[:2] + roles[3:4]), account=a, assigned_at=now
                    )
                    for a in members
                ],
            )
            identifier = (
                await Identifier.insert(
                    Identifier(
                        organization=org,
                        kind="TRACE_MPID",
                        value=f"B{org:05d}",
                    )
                ).returning(Identifier.id)
            )[0]["id"]
            # Every seventh member reports trades under the firm's MPID (ENT-5).
            traders = members[::7]
            await _chunks(
                Grant,
                [
                    Grant(
                        account=a, privilege=privileges["TRF_TRACE"], level="USER", granted_at=now
                    )
                    for a in traders
                ],
            )
            await _chunks(
                IdentifierAssignment,
                [
                    IdentifierAssignment(identifier=identifier, account=a, assigned_at=now)
                    for a in traders
                ],
            )
    if isinstance(db.engine(), PostgresEngine):
        # Statistics for the planner, as autovacuum would gather them on a live database.
        await db.engine().run_ddl("ANALYZE")


async def _signed_in_before(runtime: Runtime, saas: list[int], now: datetime) -> None:
    """The SAAs (the benchmark signs in as one) have done their first sign-in, like the
    demo's admins: terms, security answers and the demo TOTP secret."""
    await Account.update(
        {
            Account.terms_version: runtime.settings.terms_version,
            Account.terms_accepted_at: now,
            Account.totp_secret: runtime.cipher.encrypt(demo.DEMO_TOTP_SECRET),
            Account.totp_enrolled_at: now,
        }
    ).where(Account.id.is_in(saas))
    answer_hash = runtime.passwords.hash(demo.DEMO_ANSWERS["FIRST_PET"])
    await _chunks(
        SecurityAnswer,
        [
            SecurityAnswer(
                account=saa, position=p, question=q, answer_hash=answer_hash, created_at=now
            )
            for saa in saas
            for p, q in enumerate(demo.DEMO_ANSWERS, start=1)
        ],
    )
