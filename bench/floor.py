"""The physical floor: the nested response from hand-written SQL and a JSON encoder, with
no GraphQL and no policy, on the same data and driver."""

from __future__ import annotations

import json
from collections import defaultdict

from entitle.models import Account

ACCOUNTS = """
SELECT id, user_id, status FROM account
WHERE organization = {} AND status = 'ACTIVE' ORDER BY user_id LIMIT {}
"""


def _in(ids: list[int]) -> str:
    return ", ".join(str(int(i)) for i in ids) or "0"


async def nested(organization_id: int, first: int) -> bytes:
    accounts = await Account.raw(ACCOUNTS, organization_id, first)
    ids = _in([a["id"] for a in accounts])
    roles = await Account.raw(
        "SELECT ra.account, r.id, r.name FROM role_assignment ra JOIN role r ON r.id = ra.role "
        f"WHERE ra.account IN ({ids}) AND r.status = 'ACTIVE'"
    )
    role_ids = _in(sorted({r["id"] for r in roles}))
    direct = await Account.raw(
        f"SELECT account, privilege, level FROM account_grant WHERE account IN ({ids})"
    )
    via_roles = await Account.raw(
        f"SELECT role, privilege, level FROM role_grant WHERE role IN ({role_ids})"
    )
    privileges = {
        p["id"]: p
        for p in await Account.raw(
            "SELECT p.id, p.name, a.name AS application FROM privilege p "
            "JOIN application a ON a.id = p.application"
        )
    }
    roles_of, grants_of, role_grants = defaultdict(list), defaultdict(dict), defaultdict(list)
    for r in roles:
        roles_of[r["account"]].append(r)
    for g in via_roles:
        role_grants[g["role"]].append(g)
    for g in direct:
        grants_of[g["account"]][g["privilege"]] = g["level"]
    for r in roles:
        for g in role_grants[r["id"]]:
            held = grants_of[r["account"]].get(g["privilege"])
            grants_of[r["account"]][g["privilege"]] = (
                "ADMIN" if "ADMIN" in (held, g["level"]) else "USER"
            )
    edges = [
        {
            "node": {
                "userId": a["user_id"],
                "status": a["status"],
                "roles": [{"name": r["name"]} for r in roles_of[a["id"]]],
                "effectiveGrants": [
                    {
                        "level": level,
                        "privilege": {
                            "name": privileges[p]["name"],
                            "application": {"name": privileges[p]["application"]},
                        },
                    }
                    for p, level in grants_of[a["id"]].items()
                ],
            }
        }
        for a in accounts
    ]
    return json.dumps({"data": {"organization": {"accounts": {"edges": edges}}}}).encode()
