"""Mutation documents and helpers shared by the account-administration tests."""

from __future__ import annotations

from typing import Any

from entitle.models import Account, Identifier, Privilege
from entitle.schema.node import to_global_id

ACCOUNT_FIELDS = "id userId status userType kind firstName email phone title department"
PAYLOAD = f"account {{ {ACCOUNT_FIELDS} }} errors {{ code message field }}"

MUTATIONS = {
    name: (
        f"mutation($input: {name[0].upper()}{name[1:]}Input!) "
        f"{{ {name}(input: $input) {{ {PAYLOAD} }} }}"
    )
    for name in (
        "accountCreate",
        "accountActivate",
        "accountUpdate",
        "accountDisable",
        "accountEnable",
        "accountDelete",
        "accountEntitlementsUpdate",
        "accountEntitlementsImport",
    )
}


async def mutate(client, name: str, **input: Any) -> dict[str, Any]:
    """The mutation's payload (asserting no top-level error)."""
    return (await client.execute(MUTATIONS[name], {"input": input})).ok()[name]


def codes(payload: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(e["code"], e["field"]) for e in payload["errors"]]


async def account_gid(user_id: str) -> str:
    row = await Account.select(Account.id).where(Account.user_id == user_id).first()
    return to_global_id("Account", row["id"])


async def privilege_gid(code: str) -> str:
    row = await Privilege.select(Privilege.id).where(Privilege.code == code).first()
    return to_global_id("Privilege", row["id"])


async def identifier_gid(value: str) -> str:
    row = await Identifier.select(Identifier.id).where(Identifier.value == value).first()
    return to_global_id("Identifier", row["id"])


async def status_of(user_id: str) -> str:
    row = await Account.select(Account.status).where(Account.user_id == user_id).first()
    return row["status"]


NEW_PERSON = {
    "firstName": "Nora",
    "lastName": "Newcomb",
    "email": "nora.newcomb@example.com",
    "phone": "+1 202 555 0142",
}


async def create_draft_and_grant(client) -> dict:
    """A new draft of NEW_PERSON holding one entitlement: ready to activate (ACC-3)."""
    payload = await mutate(client, "accountCreate", **NEW_PERSON)
    assert payload["errors"] == [], payload["errors"]
    account = payload["account"]
    granted = await mutate(
        client,
        "accountEntitlementsUpdate",
        accountId=account["id"],
        grant=[{"privilegeId": await privilege_gid("RPT_VIEW"), "level": "USER"}],
    )
    assert granted["errors"] == [], granted["errors"]
    return account
