"""Account reads: lookup and search (ACC-7, ACC-8, ACC-9, ACC-10)."""

from __future__ import annotations

import dataclasses
import operator
import re
from collections.abc import Awaitable, Callable
from functools import reduce
from typing import TypeVar

import strawberry
from piccolo.custom_types import Combinable

from entitle import enums
from entitle.authz.facts import (
    AccountFacts,
    GrantFacts,
    IdentifierFacts,
    OrganizationFacts,
    Relation,
)
from entitle.authz.guards import PUBLIC, SIGNED_IN, field
from entitle.enums import AccountStatus
from entitle.errors import BadArgument
from entitle.errors import Forbidden as ForbiddenField
from entitle.models import Account as AccountTable
from entitle.models import Grant, IdentifierAssignment, Organization, RoleAssignment
from entitle.models.accounts import READ_COLUMNS
from entitle.resolvers.loaders import load_visible
from entitle.resolvers.mutations import actor_of, attempt, decode, decode_all
from entitle.resolvers.pagination import paginate
from entitle.resolvers.text import contains, equals
from entitle.schema.accounts import (
    Account,
    AccountActivateInput,
    AccountActivatePayload,
    AccountCreateInput,
    AccountCreatePayload,
    AccountDeleteInput,
    AccountDeletePayload,
    AccountDisableInput,
    AccountDisablePayload,
    AccountEnableInput,
    AccountEnablePayload,
    AccountEntitlementsImportInput,
    AccountEntitlementsImportPayload,
    AccountEntitlementsUpdateInput,
    AccountEntitlementsUpdatePayload,
    AccountFilter,
    AccountPayload,
    AccountUpdateInput,
    AccountUpdatePayload,
)
from entitle.schema.node import pk_of
from entitle.schema.pagination import Connection
from entitle.services import accounts, entitlements
from entitle.services.errors import DomainError, Invalid

P = TypeVar("P", bound=AccountPayload)
ACCOUNT_COLUMNS = READ_COLUMNS
_TERMS = re.compile(r'"([^"]*)"|(\S+)')
_EXACT = ("user_id", "email", "first_name", "last_name", "first_name || ' ' || last_name")
# A word (no whitespace) occurs in one of the four exactly when it occurs in them joined by
# spaces: the generated column `lower(user_id || ' ' || email || ' ' || first_name || ' ' ||
# last_name)`, trigram-indexed on PostgreSQL (migration 0015).
_SEARCH_TEXT = "search_text"
MAX_SEARCH_TERMS = 8


async def account_by_pk(info: strawberry.Info, pk: int) -> Account | None:
    return await load_visible(info, info.context.loaders.account_by_id, pk, Account.from_row)


def text_condition(text: str) -> Combinable | None:
    """ACC-8: every word must match user ID, name or email; "quoted" text matches exactly."""
    conditions = []
    for exact, word in _TERMS.findall(text)[:MAX_SEARCH_TERMS]:
        term = (exact or word).strip().lower()
        if not term:
            continue
        # A whole field equal to the text also occurs in the search text (the full name
        # too: first and last name stand side by side there), so the index narrows exact
        # matches as well and the equalities only confirm them.
        found = contains(_SEARCH_TEXT, term, lowered=True)
        if exact:
            found &= reduce(operator.or_, (equals(column, term) for column in _EXACT))
        conditions.append(found)
    return reduce(operator.and_, conditions) if conditions else None


def _pks(info: strawberry.Info, ids: list[strawberry.ID], type_name: str, field: str) -> list[int]:
    pks = []
    for global_id in ids:
        pk = pk_of(global_id, type_name)
        if pk is None:
            raise BadArgument(f"`{field}` takes {type_name} IDs.")
        pks.append(pk)
    return pks


def filter_conditions(info: strawberry.Info, filter: AccountFilter | None) -> list[Combinable]:
    filter = filter or AccountFilter()
    authz, viewer = info.context.authz, info.context.viewer
    statuses = filter.statuses or [AccountStatus.ACTIVE]
    # ACC-8, ACC-9: deleted and machine accounts are searched for only by whoever could
    # read one of their own organization's; asking for them otherwise is refused.
    if AccountStatus.DELETED in statuses and not authz.allows(
        "read", AccountFacts(Relation.SAME_ORG, "DELETED", "HUMAN", "USER")
    ):
        raise ForbiddenField("Only the SAA searches deleted accounts (ACC-8).")
    if any(k.value != "HUMAN" for k in filter.kinds or []) and not authz.allows(
        "read", AccountFacts(Relation.SAME_ORG, "ACTIVE", "M2M", "USER")
    ):
        raise ForbiddenField("Only the SAA searches machine accounts (ACC-9).")
    conditions: list[Combinable] = [AccountTable.status.is_in([s.value for s in statuses])]
    if filter.org_classes:
        if not authz.allows("search_by_org_class", OrganizationFacts(own=True)):
            raise ForbiddenField("Only the SAA filters by organization class (ACC-8).")
        conditions.append(
            AccountTable.organization.is_in(
                Organization.select(Organization.id).where(
                    Organization.org_class.is_in([c.value for c in filter.org_classes])
                )
            )
        )
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
            raise ForbiddenField("You may search only by entitlements you administer.")
        conditions.append(
            AccountTable.id.is_in(Grant.select(Grant.account).where(Grant.privilege == pk))
        )
    for pk in _pks(info, filter.identifier_ids or [], "Identifier", "identifierIds"):
        if not authz.allows("read", IdentifierFacts(own_org=True, held=pk in viewer.identifiers)):
            raise ForbiddenField("You may search only by identifiers assigned to you.")
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
    role_id: int | None = None,
) -> Connection[Account]:
    conditions = filter_conditions(info, filter)
    if organization_id is not None:
        conditions.append(AccountTable.organization == organization_id)
    if role_id is not None:
        conditions.append(
            AccountTable.id.is_in(
                RoleAssignment.select(RoleAssignment.account).where(RoleAssignment.role == role_id)
            )
        )

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
        custom_plans=bool(filter and filter.text),
    )


async def respond(
    info: strawberry.Info,
    payload: type[P],
    operation: Callable[[], Awaitable[object]],
    account_id: strawberry.ID | None = None,
) -> P:
    """Run the operation, then read the account back as the viewer now sees it."""
    result, errors = await attempt(info, operation)
    pk = result if isinstance(result, int) else pk_of(account_id, "Account")
    account = None if errors or pk is None else await account_by_pk(info, pk)
    return payload(account=account, errors=errors)


@strawberry.type
class AccountQuery:
    @field(PUBLIC, description="The signed-in account; null when signed out.")
    async def viewer(self, info: strawberry.Info) -> Account | None:
        account_id = info.context.viewer.account_id
        return None if account_id is None else await account_by_pk(info, account_id)

    @field(SIGNED_IN)
    async def account(self, info: strawberry.Info, id: strawberry.ID) -> Account | None:
        pk = pk_of(id, "Account")
        return None if pk is None else await account_by_pk(info, pk)

    @field(SIGNED_IN, description="Account search over every account the viewer may see (ACC-8).")
    async def accounts(
        self,
        info: strawberry.Info,
        first: int = 20,
        after: str | None = None,
        filter: AccountFilter | None = None,
    ) -> Connection[Account]:
        return await search_accounts(info, first=first, after=after, filter=filter)

    @field(SIGNED_IN, description="ACC-1: a free user ID made from first and last name.")
    async def user_id_suggest(
        self, info: strawberry.Info, first_name: str, last_name: str
    ) -> str | None:
        # Only someone who may create accounts learns which user IDs exist.
        if not info.context.authz.allows("create_account", OrganizationFacts(own=True)):
            raise ForbiddenField("Only account administrators get user ID suggestions.")
        try:
            return await accounts.suggest_user_id(first_name[:100], last_name[:100])
        except DomainError:
            return None


@strawberry.type
class AccountMutation:
    @field(SIGNED_IN, description="ACC-1, ACC-2: create a DRAFT account.")
    async def account_create(
        self, info: strawberry.Info, input: AccountCreateInput
    ) -> AccountCreatePayload:
        def create():
            org = input.organization_id
            return accounts.create_account(
                actor_of(info),
                accounts.NewAccount(
                    organization_id=decode(org, "Organization", "organizationId") if org else None,
                    user_id=input.user_id,
                    kind=enums.AccountKind(input.kind.value),
                    activation_date=input.activation_date,
                    **{f: getattr(input, f) for f in DETAILS},
                ),
            )

        return await respond(info, AccountCreatePayload, create)

    @field(SIGNED_IN, description="ACC-3: activate a draft holding at least one entitlement.")
    async def account_activate(
        self, info: strawberry.Info, input: AccountActivateInput
    ) -> AccountActivatePayload:
        return await respond(
            info,
            AccountActivatePayload,
            lambda: accounts.activate(actor_of(info), _decode_account(input.account_id)),
            input.account_id,
        )

    @field(SIGNED_IN, description="ACC-5: change an account's details.")
    async def account_update(
        self, info: strawberry.Info, input: AccountUpdateInput
    ) -> AccountUpdatePayload:
        given = {f for f in DETAILS if getattr(input, f) is not strawberry.UNSET}
        details = accounts.AccountDetails(**{f: getattr(input, f) for f in given})
        return await respond(
            info,
            AccountUpdatePayload,
            lambda: accounts.update(
                actor_of(info), _decode_account(input.account_id), details, given
            ),
            input.account_id,
        )

    @field(SIGNED_IN, description="ACC-6: disable an account (the operator's disables stick).")
    async def account_disable(
        self, info: strawberry.Info, input: AccountDisableInput
    ) -> AccountDisablePayload:
        return await respond(
            info,
            AccountDisablePayload,
            lambda: accounts.disable(
                actor_of(info), _decode_account(input.account_id), input.reason
            ),
            input.account_id,
        )

    @field(SIGNED_IN, description="ACC-6: enable a disabled account.")
    async def account_enable(
        self, info: strawberry.Info, input: AccountEnableInput
    ) -> AccountEnablePayload:
        return await respond(
            info,
            AccountEnablePayload,
            lambda: accounts.enable(actor_of(info), _decode_account(input.account_id)),
            input.account_id,
        )

    @field(SIGNED_IN, description="ACC-7: delete an account for good, with a reason.")
    async def account_delete(
        self, info: strawberry.Info, input: AccountDeleteInput
    ) -> AccountDeletePayload:
        return await respond(
            info,
            AccountDeletePayload,
            lambda: accounts.delete(
                actor_of(info), _decode_account(input.account_id), input.reason
            ),
            input.account_id,
        )

    @field(SIGNED_IN, description="ENT-2..ENT-5, ENT-9: grants and identifiers, all or nothing.")
    async def account_entitlements_update(
        self, info: strawberry.Info, input: AccountEntitlementsUpdateInput
    ) -> AccountEntitlementsUpdatePayload:
        def change():
            grants = [(decode(g.privilege_id, "Privilege", "grant"), g.level) for g in input.grant]
            if len({p for p, _ in grants}) != len(grants):
                raise Invalid("A privilege appears twice in `grant`.", "grant")
            return entitlements.update(
                actor_of(info),
                _decode_account(input.account_id),
                entitlements.EntitlementChange(
                    grant={p: enums.PrivilegeLevel(level.value) for p, level in grants},
                    revoke=decode_all(input.revoke, "Privilege", "revoke"),
                    assign=decode_all(input.assign_identifiers, "Identifier", "assignIdentifiers"),
                    unassign=decode_all(
                        input.unassign_identifiers, "Identifier", "unassignIdentifiers"
                    ),
                    acknowledge_sensitive=input.acknowledge_sensitive,
                    confirm_revocations=input.confirm_revocations,
                ),
            )

        return await respond(info, AccountEntitlementsUpdatePayload, change, input.account_id)

    @field(SIGNED_IN, description="ENT-6: import entitlements from another account.")
    async def account_entitlements_import(
        self, info: strawberry.Info, input: AccountEntitlementsImportInput
    ) -> AccountEntitlementsImportPayload:
        def run():
            return entitlements.import_from(
                actor_of(info),
                _decode_account(input.account_id),
                decode(input.source_account_id, "Account", "sourceAccountId"),
                privileges=None
                if input.privilege_ids is None
                else decode_all(input.privilege_ids, "Privilege", "privilegeIds"),
                identifiers=None
                if input.identifier_ids is None
                else decode_all(input.identifier_ids, "Identifier", "identifierIds"),
                acknowledge_sensitive=input.acknowledge_sensitive,
            )

        return await respond(info, AccountEntitlementsImportPayload, run, input.account_id)


# The detail fields an admin types, named as the service names them (ACC-1, ACC-5).
DETAILS = tuple(f.name for f in dataclasses.fields(accounts.AccountDetails))


def _decode_account(global_id: strawberry.ID) -> int:
    return decode(global_id, "Account", "accountId")
