"""Account reads: lookup and search (ACC-7, ACC-8, ACC-9, ACC-10)."""

from __future__ import annotations

import re

import strawberry
from piccolo.columns.combination import WhereRaw
from piccolo.custom_types import Combinable

from entitle.authz.facts import AccountFacts, GrantFacts, IdentifierFacts, Relation
from entitle.enums import AccountStatus
from entitle.errors import BadArgument, Forbidden
from entitle.models import Account as AccountTable
from entitle.models import Grant, IdentifierAssignment
from entitle.resolvers.loaders import load_visible
from entitle.resolvers.pagination import paginate
from entitle.schema.accounts import Account, AccountFilter
from entitle.schema.node import from_global_id
from entitle.schema.pagination import Connection

ACCOUNT_COLUMNS = AccountTable.all_columns(exclude=[AccountTable.password_hash])
_TERMS = re.compile(r'"([^"]*)"|(\S+)')
_SEARCHED = ("user_id", "email", "first_name", "last_name", "first_name || ' ' || last_name")
MAX_SEARCH_TERMS = 8


async def account_by_pk(info: strawberry.Info, pk: int) -> Account | None:
    return await load_visible(info, info.context.loaders.account_by_id, pk, Account.from_row)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def text_condition(text: str) -> Combinable | None:
    """ACC-8: every word must match user ID, name or email; "quoted" text matches exactly."""
    conditions = []
    for exact, word in _TERMS.findall(text)[:MAX_SEARCH_TERMS]:
        term = (exact or word).strip().lower()
        if not term:
            continue
        if exact:
            sql = " OR ".join(f"lower({c}) = {{}}" for c in _SEARCHED)
            conditions.append(WhereRaw(f"({sql})", *[term] * len(_SEARCHED)))
        else:
            pattern = f"%{_escape_like(term)}%"
            sql = " OR ".join(f"lower({c}) LIKE {{}} ESCAPE '\\'" for c in _SEARCHED)
            conditions.append(WhereRaw(f"({sql})", *[pattern] * len(_SEARCHED)))
    if not conditions:
        return None
    result = conditions[0]
    for condition in conditions[1:]:
        result = result & condition
    return result


def _pks(info: strawberry.Info, ids: list[strawberry.ID], type_name: str, field: str) -> list[int]:
    pks = []
    for global_id in ids:
        decoded = from_global_id(global_id)
        if decoded is None or decoded[0] != type_name:
            raise BadArgument(f"`{field}` takes {type_name} IDs.")
        pks.append(decoded[1])
    return pks


def filter_conditions(info: strawberry.Info, filter: AccountFilter | None) -> list[Combinable]:
    filter = filter or AccountFilter()
    authz, viewer = info.context.authz, info.context.viewer
    statuses = filter.statuses or [AccountStatus.ACTIVE]
    conditions: list[Combinable] = [AccountTable.status.is_in([s.value for s in statuses])]
    if filter.text and (text := text_condition(filter.text)) is not None:
        conditions.append(text)
    if filter.user_types:
        conditions.append(AccountTable.user_type.is_in([t.value for t in filter.user_types]))
    if filter.kinds:
        conditions.append(AccountTable.kind.is_in([k.value for k in filter.kinds]))
    for pk in _pks(info, filter.privilege_ids or [], "Privilege", "privilegeIds"):
        # ACC-8: an admin searches only by entitlements they could see on an account.
        facts = GrantFacts(holder=Relation.SAME_ORG, administered=pk in viewer.administered)
        if not authz.allows("read", facts):
            raise Forbidden("You may search only by entitlements you administer.")
        conditions.append(
            AccountTable.id.is_in(Grant.select(Grant.account).where(Grant.privilege == pk))
        )
    for pk in _pks(info, filter.identifier_ids or [], "Identifier", "identifierIds"):
        if not authz.allows("read", IdentifierFacts(own_org=True, held=pk in viewer.identifiers)):
            raise Forbidden("You may search only by identifiers assigned to you.")
        conditions.append(
            AccountTable.id.is_in(
                IdentifierAssignment.select(IdentifierAssignment.account).where(
                    IdentifierAssignment.identifier == pk
                )
            )
        )
    return conditions


async def search_accounts(
    info: strawberry.Info,
    *,
    first: int,
    after: str | None,
    filter: AccountFilter | None,
    organization_id: int | None = None,
) -> Connection[Account]:
    conditions = filter_conditions(info, filter)
    if organization_id is not None:
        conditions.append(AccountTable.organization == organization_id)

    return await paginate(
        info,
        AccountTable,
        columns=ACCOUNT_COLUMNS,
        conditions=conditions,
        where=info.context.authz.where("read", AccountFacts),
        order=(AccountTable.user_id,),
        first=first,
        after=after,
        node=Account.from_row,
    )
