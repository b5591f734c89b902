"""Roles: reads (ROLE-10), templates (ROLE-4), and the mutations of ROLE-1..ROLE-9."""

from __future__ import annotations

import strawberry
from piccolo.columns.combination import WhereRaw

from entitle.authz.facts import RoleFacts
from entitle.authz.guards import SIGNED_IN, field
from entitle.authz.sqlfilter import ALWAYS
from entitle.enums import PrivilegeLevel
from entitle.errors import BadArgument
from entitle.models import Role as RoleTable
from entitle.models import RoleGrant as RoleGrantTable
from entitle.models import RoleTemplate as RoleTemplateTable
from entitle.models import RoleTemplateGrant
from entitle.models import RoleView as RoleViewTable
from entitle.resolvers.accounts import account_by_pk
from entitle.resolvers.mutations import actor_of, attempt, decode, decode_all
from entitle.resolvers.pagination import paginate_list
from entitle.resolvers.text import contains, equals, escape_like, like
from entitle.schema.accounts import AccountRolesUpdatePayload
from entitle.schema.enums import OrgClass
from entitle.schema.node import pk_of
from entitle.schema.pagination import Connection
from entitle.schema.roles import (
    AccountRolesUpdateInput,
    Role,
    RoleAssignInput,
    RoleAssignPayload,
    RoleCreateInput,
    RoleCreatePayload,
    RoleDeleteInput,
    RoleDeletePayload,
    RoleFilter,
    RoleSort,
    RoleTemplate,
    RoleUnassignInput,
    RoleUnassignPayload,
    RoleUpdateInput,
    RoleUpdatePayload,
    RoleView,
    RoleViewDeleteInput,
    RoleViewDeletePayload,
    RoleViewSaveInput,
    RoleViewSavePayload,
    filter_to_json,
)
from entitle.services import roles
from entitle.services.errors import Invalid

TYPE_ORDER = {"ADMIN": 0, "USER": 1, "INCOMPLETE": 2}


async def _roles(info: strawberry.Info, rows: list[dict]) -> list[Role]:
    grants = await info.context.loaders.grants_by_role.load_many([r["id"] for r in rows])
    viewer = info.context.viewer
    return [Role.from_row(r, g, viewer) for r, g in zip(rows, grants, strict=True)]


async def role_by_pk(info: strawberry.Info, pk: int) -> Role | None:
    row = await info.context.loaders.role_by_id.load(pk)
    if row is None:
        return None
    (role,) = await _roles(info, [row])
    return role if info.context.authz.can("read", role) else None


# Qualified: role searches join the organization, which has a `name` too.
_NAME = '"role"."name"'


def _name_condition(text: str) -> tuple[WhereRaw, str]:
    """ROLE-10: "quoted" is exact, `%` a wildcard, anything else a substring."""
    text = text.strip()
    if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
        exact = text[1:-1].strip().lower()
        return equals(_NAME, exact), exact
    term = text.lower()
    if "%" in term:
        # The user's % stay wildcards; everything else matches itself.
        return like(_NAME, "%".join(escape_like(part) for part in term.split("%"))), term
    return contains(_NAME, term), term


def _relevance(role: Role, term: str | None) -> tuple[int, str]:
    name = role.name.lower()
    if not term:
        return (0, name)
    rank = 0 if name == term.strip("%") else 1 if name.startswith(term.strip("%")) else 2
    return (rank, name)


async def search_roles(
    info: strawberry.Info,
    *,
    first: int,
    after: str | None,
    filter: RoleFilter | None,
    sort: RoleSort,
) -> Connection[Role]:
    filter = filter or RoleFilter()
    statuses = [s.value for s in filter.statuses or []] or ["ACTIVE"]
    query = RoleTable.select(
        *RoleTable.all_columns(), RoleTable.organization.org_class.as_alias("org_class")
    )
    query = query.where(RoleTable.status.is_in(statuses))
    where = info.context.authz.where("read", RoleFacts)
    if where is not ALWAYS:
        query = query.where(where)
    term = None
    if filter.text:
        condition, term = _name_condition(filter.text)
        query = query.where(condition)
    if filter.privilege_id:
        privilege = pk_of(filter.privilege_id, "Privilege")
        if privilege is None:
            raise BadArgument("`privilegeId` takes a Privilege ID.")
        holding = RoleGrantTable.select(RoleGrantTable.role).where(
            RoleGrantTable.privilege == privilege
        )
        if filter.level:
            holding = holding.where(RoleGrantTable.level == filter.level.value)
        query = query.where(RoleTable.id.is_in(holding))
    rows = await query
    found = info.context.authz.visible(await _roles(info, rows))
    if filter.types:
        wanted = {t.value for t in filter.types}
        found = [r for r in found if r.type().value in wanted]
    org_class = {r["id"]: r["org_class"] for r in rows}
    keys = {
        RoleSort.RELEVANCE: lambda r: _relevance(r, term),
        RoleSort.UPDATED: lambda r: (-r.updated_at.timestamp(), r.name.lower()),
        RoleSort.NAME: lambda r: (r.name.lower(), r.pk),
        RoleSort.TYPE: lambda r: (TYPE_ORDER[r.type().value], r.name.lower()),
        RoleSort.ORG_CLASS: lambda r: (org_class[r.pk], r.name.lower()),
    }
    found.sort(key=keys[sort])
    return paginate_list(info, found, first=first, after=after)


@strawberry.type
class RoleQuery:
    @field(SIGNED_IN)
    async def role(self, info: strawberry.Info, id: strawberry.ID) -> Role | None:
        pk = pk_of(id, "Role")
        return None if pk is None else await role_by_pk(info, pk)

    @field(SIGNED_IN, description="ROLE-10: search roles the viewer may see.")
    async def roles(
        self,
        info: strawberry.Info,
        first: int = 20,
        after: str | None = None,
        filter: RoleFilter | None = None,
        sort: RoleSort = RoleSort.RELEVANCE,
    ) -> Connection[Role]:
        return await search_roles(info, first=first, after=after, filter=filter, sort=sort)

    @field(SIGNED_IN, description="ROLE-10: the viewer's saved role searches.")
    async def role_views(self, info: strawberry.Info) -> list[RoleView]:
        rows = (
            await RoleViewTable.select()
            .where(RoleViewTable.account == (info.context.viewer.account_id or 0))
            .order_by(RoleViewTable.name)
        )
        return info.context.authz.visible([RoleView.from_row(r) for r in rows])

    @field(SIGNED_IN, description="ROLE-4: templates for the viewer's organization class.")
    async def role_templates(
        self, info: strawberry.Info, org_class: OrgClass | None = None
    ) -> list[RoleTemplate]:
        query = RoleTemplateTable.select().order_by(RoleTemplateTable.id)
        if org_class:
            query = query.where(RoleTemplateTable.org_class == org_class.value)
        rows = await query
        grants = await RoleTemplateGrant.select().where(
            RoleTemplateGrant.template.is_in([r["id"] for r in rows] or [0])
        )
        templates = [
            RoleTemplate(
                pk=r["id"],
                name=r["name"],
                description=r["description"],
                org_class=OrgClass(r["org_class"]),
                grant_rows=[g for g in grants if g["template"] == r["id"]],
            )
            for r in rows
        ]
        return info.context.authz.visible(templates)


def _grants(inputs) -> dict[int, PrivilegeLevel]:
    grants = [(decode(g.privilege_id, "Privilege", "grant"), g.level) for g in inputs]
    if len({p for p, _ in grants}) != len(grants):
        raise Invalid("A privilege appears twice in `grant`.", "grant")
    return {p: PrivilegeLevel(level.value) for p, level in grants}


async def _respond(info, payload, operation, role_id=None):
    result, errors = await attempt(info, operation)
    pk = result if isinstance(result, int) else role_id
    role = None if errors or pk is None else await role_by_pk(info, pk)
    return payload(role=role, errors=errors)


async def role_view_by_pk(info: strawberry.Info, pk: int) -> RoleView | None:
    row = await RoleViewTable.select().where(RoleViewTable.id == pk).first()
    if row is None:
        return None
    view = RoleView.from_row(row)
    return view if info.context.authz.can("read", view) else None


@strawberry.type
class RoleMutation:
    @field(SIGNED_IN, description="ROLE-10: save a role search under a name (replaces one).")
    async def role_view_save(
        self, info: strawberry.Info, input: RoleViewSaveInput
    ) -> RoleViewSavePayload:
        def save():
            # Checked here, as the search would check it: a view stored with a bad ID fails
            # every later read of the viewer's views (`roleViews`) as bad input.
            if input.filter and input.filter.privilege_id:
                decode(input.filter.privilege_id, "Privilege", "privilegeId")
            return roles.save_view(
                actor_of(info), input.name, filter_to_json(input.filter), input.sort.value
            )

        pk, errors = await attempt(info, save)
        view = None if errors else await role_view_by_pk(info, pk)
        return RoleViewSavePayload(view=view, errors=errors)

    @field(SIGNED_IN, description="ROLE-10: forget a saved role search.")
    async def role_view_delete(
        self, info: strawberry.Info, input: RoleViewDeleteInput
    ) -> RoleViewDeletePayload:
        _, errors = await attempt(
            info,
            lambda: roles.delete_view(actor_of(info), decode(input.view_id, "RoleView", "viewId")),
        )
        return RoleViewDeletePayload(errors=errors)

    @field(SIGNED_IN, description="ROLE-1, ROLE-4: only the SAA creates roles.")
    async def role_create(self, info: strawberry.Info, input: RoleCreateInput) -> RoleCreatePayload:
        def run():
            template = input.template_id
            return roles.create(
                actor_of(info),
                input.name,
                input.description,
                roles.RoleGrants(
                    grant=_grants(input.grant),
                    template_id=decode(template, "RoleTemplate", "templateId")
                    if template
                    else None,
                    subset=None
                    if input.template_privilege_ids is None
                    else decode_all(
                        input.template_privilege_ids, "Privilege", "templatePrivilegeIds"
                    ),
                    acknowledge_sensitive=input.acknowledge_sensitive,
                ),
            )

        return await _respond(info, RoleCreatePayload, run)

    @field(SIGNED_IN, description="ROLE-1, ROLE-8: edit description and grants; the name stays.")
    async def role_update(self, info: strawberry.Info, input: RoleUpdateInput) -> RoleUpdatePayload:
        def run():
            source, template = input.import_from_role_id, input.import_from_template_id
            return roles.update(
                actor_of(info),
                decode(input.role_id, "Role", "roleId"),
                None if input.description is strawberry.UNSET else input.description,
                roles.RoleGrants(
                    grant=_grants(input.grant),
                    revoke=decode_all(input.revoke, "Privilege", "revoke"),
                    source_role_id=decode(source, "Role", "importFromRoleId") if source else None,
                    template_id=decode(template, "RoleTemplate", "importFromTemplateId")
                    if template
                    else None,
                    subset=None
                    if input.import_privilege_ids is None
                    else decode_all(input.import_privilege_ids, "Privilege", "importPrivilegeIds"),
                    acknowledge_sensitive=input.acknowledge_sensitive,
                ),
                change_description=input.description is not strawberry.UNSET,
            )

        return await _respond(info, RoleUpdatePayload, run, pk_of(input.role_id, "Role"))

    @field(SIGNED_IN, description="ROLE-9: delete a role nobody holds, with a reason.")
    async def role_delete(self, info: strawberry.Info, input: RoleDeleteInput) -> RoleDeletePayload:
        return await _respond(
            info,
            RoleDeletePayload,
            lambda: roles.delete(
                actor_of(info), decode(input.role_id, "Role", "roleId"), input.reason
            ),
            pk_of(input.role_id, "Role"),
        )

    @field(SIGNED_IN, description="ROLE-3, ROLE-6, ROLE-7: assign a role to accounts.")
    async def role_assign(self, info: strawberry.Info, input: RoleAssignInput) -> RoleAssignPayload:
        def run():
            role = decode(input.role_id, "Role", "roleId")
            accounts = decode_all(input.account_ids, "Account", "accountIds")
            return roles.assign(
                actor_of(info),
                {(role, a) for a in accounts},
                set(),
                acknowledge_sensitive=input.acknowledge_sensitive,
            )

        return await _respond(info, RoleAssignPayload, run, pk_of(input.role_id, "Role"))

    @field(SIGNED_IN, description="ROLE-6, ROLE-7: take a role back from accounts.")
    async def role_unassign(
        self, info: strawberry.Info, input: RoleUnassignInput
    ) -> RoleUnassignPayload:
        def run():
            role = decode(input.role_id, "Role", "roleId")
            accounts = decode_all(input.account_ids, "Account", "accountIds")
            return roles.assign(
                actor_of(info), set(), {(role, a) for a in accounts}, acknowledge_sensitive=False
            )

        return await _respond(info, RoleUnassignPayload, run, pk_of(input.role_id, "Role"))

    @field(SIGNED_IN, description="ROLE-3, ROLE-6, ROLE-7: an account's roles, all or nothing.")
    async def account_roles_update(
        self, info: strawberry.Info, input: AccountRolesUpdateInput
    ) -> AccountRolesUpdatePayload:
        def run():
            account = decode(input.account_id, "Account", "accountId")
            return roles.assign(
                actor_of(info),
                {(r, account) for r in decode_all(input.assign, "Role", "assign")},
                {(r, account) for r in decode_all(input.unassign, "Role", "unassign")},
                acknowledge_sensitive=input.acknowledge_sensitive,
            )

        _, errors = await attempt(info, run)
        account = None
        if not errors:
            account = await account_by_pk(info, pk_of(input.account_id, "Account"))
        return AccountRolesUpdatePayload(account=account, errors=errors)
