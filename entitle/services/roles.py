"""Roles: SAA-built bundles of grants (ROLE-1..ROLE-9, ENT-3, ENT-8)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from piccolo.columns.combination import WhereRaw

from entitle.authz.facts import OrganizationFacts, PrivilegeFacts, RoleFacts, RoleViewFacts
from entitle.db import UNIQUE_VIOLATIONS, write_transaction
from entitle.enums import AccountStatus, PrivilegeLevel
from entitle.models import (
    Account,
    Organization,
    Privilege,
    PrivilegeAvailability,
    Role,
    RoleAssignment,
    RoleGrant,
    RoleTemplate,
    RoleTemplateGrant,
    RoleView,
)
from entitle.services import certification, grant_sets, outbox, user_types, validation
from entitle.services.accounts import load_all_for
from entitle.services.actor import Actor
from entitle.services.errors import ConfirmationRequired, Conflict, Forbidden, Invalid, NotFound


def role_type(levels) -> str:
    """ROLE-2: INCOMPLETE without grants, ADMIN with any ADMIN grant, USER otherwise."""
    levels = list(levels)
    if not levels:
        return "INCOMPLETE"
    return "ADMIN" if PrivilegeLevel.ADMIN in levels else "USER"


def role_facts(actor_viewer, role: dict, grants: dict[int, str], held: bool) -> RoleFacts:
    """`grants`: the role's privileges and their levels."""
    return RoleFacts(
        own_org=role["organization"] == actor_viewer.organization_id,
        status=role["status"],
        held=held,
        administered_all=set(grants) <= actor_viewer.administered,
        grants_admin=PrivilegeLevel.ADMIN in grants.values(),
    )


async def _grants_of(role_id: int) -> dict[int, str]:
    rows = await RoleGrant.select(RoleGrant.privilege, RoleGrant.level).where(
        RoleGrant.role == role_id
    )
    return {r["privilege"]: r["level"] for r in rows}


async def load_role(actor: Actor, role_id: int, action: str, field: str = "roleId"):
    """(role row, its grants), once the policy allows `action`; hidden reads as missing."""
    role = await Role.select().where(Role.id == role_id).first()
    if role is None:
        raise NotFound("No such role.", field)
    grants = await _grants_of(role_id)
    held = await RoleAssignment.exists().where(
        (RoleAssignment.role == role_id)
        & (RoleAssignment.account == (actor.viewer.account_id or 0))
    )
    facts = role_facts(actor.viewer, role, grants, held)
    if not actor.authz.allows("read", facts):
        raise NotFound("No such role.", field)
    if not actor.authz.allows(action, facts):
        if role["status"] != "ACTIVE":
            raise Forbidden("A deleted role can only be read (ROLE-9).", field)
        raise Forbidden(f"You may not {action} this role.", field)
    return role, grants


@dataclass
class RoleGrants:
    """The grants asked for; `template`/`source_role` contribute all or a chosen subset."""

    grant: dict[int, PrivilegeLevel] = field(default_factory=dict)
    revoke: set[int] = field(default_factory=set)
    template_id: int | None = None
    source_role_id: int | None = None
    subset: set[int] | None = None  # of the template's or source role's privileges
    acknowledge_sensitive: bool = False


async def _resolve(actor: Actor, organization_id: int, current: dict[int, str], ask: RoleGrants):
    """The role's grants after `ask`, checked against ROLE-5, ENT-2 and ENT-3."""
    catalog = {p["id"]: p for p in await Privilege.select()}
    org = await Organization.select().where(Organization.id == organization_id).first()
    available = {
        a["privilege"]
        for a in await PrivilegeAvailability.select(PrivilegeAvailability.privilege).where(
            PrivilegeAvailability.org_type == org["org_type"]
        )
    }
    imported: dict[int, str] = {}
    if ask.template_id is not None:
        template = await RoleTemplate.select().where(RoleTemplate.id == ask.template_id).first()
        if template is None or template["org_class"] != org["org_class"]:
            raise NotFound("No such role template for this organization class.", "templateId")
        rows = await RoleTemplateGrant.select().where(RoleTemplateGrant.template == template["id"])
        imported = {r["privilege"]: r["level"] for r in rows}
    elif ask.source_role_id is not None:
        source, imported = await load_role(actor, ask.source_role_id, "read", "sourceRoleId")
        if source["organization"] != organization_id:
            raise NotFound("No such role.", "sourceRoleId")
    if ask.subset is not None:
        if ask.subset - imported.keys():
            raise Invalid("Choose only privileges the template or role has.", "privilegeIds")
        imported = {p: lvl for p, lvl in imported.items() if p in ask.subset}
    after = {**current, **imported, **{p: str(lvl) for p, lvl in ask.grant.items()}}
    for privilege_id in ask.revoke:
        if privilege_id not in current:
            raise Invalid("The role does not have that privilege.", "revoke")
        after.pop(privilege_id)
    for privilege_id in after.keys() - current.keys() | ask.grant.keys():
        privilege = catalog.get(privilege_id)
        if (
            privilege is None
            or not actor.authz.allows(
                "read", PrivilegeFacts(available=privilege_id in actor.viewer.available)
            )
            or privilege_id not in available
        ):
            raise NotFound("No such privilege for this organization.", "grant")
        if privilege["identifier_kind"]:
            raise Invalid(
                f"{privilege['code']} goes with an identifier; roles cannot hold it (ROLE-5).",
                "grant",
            )
    new_sensitive = sorted(
        catalog[p]["code"] for p in after.keys() - current.keys() if catalog[p]["sensitive"]
    )
    if new_sensitive and not ask.acknowledge_sensitive:
        raise ConfirmationRequired(
            f"{', '.join(new_sensitive)} open sensitive data; acknowledge to add (ENT-3).",
            "acknowledgeSensitive",
        )
    codes = {p: catalog[p]["code"] for p in after.keys() | current.keys()}
    return after, codes, new_sensitive


async def _write_grants(role_id: int, before: dict[int, str], after: dict[int, str]) -> None:
    await grant_sets.write(
        RoleGrant.role,
        role_id,
        before,
        after,
        lambda p, level: RoleGrant(role=role_id, privilege=p, level=level),
    )


def _record(codes: dict[int, str], grants: dict[int, str]) -> dict[str, str]:
    return {codes[p]: level for p, level in sorted(grants.items(), key=lambda kv: codes[kv[0]])}


async def create(actor: Actor, name: str, description: str | None, ask: RoleGrants) -> int:
    """ROLE-1, ROLE-4: a role of the viewer's organization, from scratch or a template."""
    await certification.check_not_past_due(actor)  # CERT-4
    name = validation.text(name, "name", required=True, max_length=50)
    description = validation.text(description, "description", required=False, max_length=250)
    organization_id = actor.viewer.organization_id
    if not actor.authz.allows("create_role", OrganizationFacts(own=True)):
        raise Forbidden("Only the SAA creates roles (ROLE-1).", None)
    async with write_transaction():
        taken = await Role.exists().where(
            (Role.organization == organization_id)
            & (Role.status == "ACTIVE")
            & WhereRaw("lower(name) = {}", name.lower())
        )
        if taken:
            raise Conflict("The organization has a role of that name (ROLE-1).", "name")
        after, codes, sensitive = await _resolve(actor, organization_id, {}, ask)
        try:
            role_id = (
                await Role.insert(
                    Role(
                        organization=organization_id,
                        name=name,
                        description=description or "",
                        created_by=actor.viewer.account_id,
                        created_at=actor.now,
                        updated_at=actor.now,
                    )
                ).returning(Role.id)
            )[0]["id"]
        except UNIQUE_VIOLATIONS as exc:
            raise Conflict("The organization has a role of that name (ROLE-1).", "name") from exc
        await _write_grants(role_id, {}, after)
        await actor.audit(
            "role.create",
            target_type="Role",
            target_id=role_id,
            organization_id=organization_id,
            after={"name": name, "description": description, "grants": _record(codes, after)}
            | ({"acknowledged_sensitive": sensitive} if sensitive else {}),
        )
        return role_id


async def _notify_holders(role: dict, now) -> None:
    """ROLE-8: a role's holders learn that their access changed with it."""
    holders = await Account.select(Account.email, Account.first_name).where(
        Account.id.is_in(
            RoleAssignment.select(RoleAssignment.account).where(RoleAssignment.role == role["id"])
        )
        & (Account.status != "DELETED")
    )
    await outbox.enqueue_many(
        [
            (
                h["email"],
                f"Your access changed: role {role['name']}",
                f"Hello {h['first_name']},\n\nThe privileges of your role {role['name']} "
                "changed, and with them your access. Sign in to review it.",
            )
            for h in holders
        ],
        kind="role.changed",
        now=now,
    )


async def update(
    actor: Actor,
    role_id: int,
    description: str | None,
    ask: RoleGrants,
    *,
    change_description: bool,
) -> None:
    """ROLE-1, ROLE-8: description and grants; every holder's entitlements follow at once."""
    await certification.check_not_past_due(actor)  # CERT-4
    if change_description:
        description = validation.text(description, "description", required=False, max_length=250)
    async with write_transaction():
        role, before = await load_role(actor, role_id, "update")
        after, codes, sensitive = await _resolve(actor, role["organization"], before, ask)
        if after == before and not change_description:
            raise Invalid("Nothing to change.", None)
        await _write_grants(role_id, before, after)
        values = {Role.updated_at: actor.now}
        if change_description:
            values[Role.description] = description or ""
        await Role.update(values).where(Role.id == role_id)
        await user_types.refresh_holders(role_id, now=actor.now)
        if after != before:
            await _notify_holders(role, actor.now)
        await actor.audit(
            "role.update",
            target_type="Role",
            target_id=role_id,
            organization_id=role["organization"],
            before={"description": role["description"], "grants": _record(codes, before)},
            after={
                "description": description if change_description else role["description"],
                "grants": _record(codes, after),
            }
            | ({"acknowledged_sensitive": sensitive} if sensitive else {}),
        )


async def delete(actor: Actor, role_id: int, reason: str | None) -> None:
    """ROLE-9: only a role nobody holds, with a reason; it stays listable as DELETED."""
    await certification.check_not_past_due(actor)  # CERT-4
    reason = validation.text(reason, "reason", required=True, max_length=500)
    async with write_transaction():
        role, _ = await load_role(actor, role_id, "delete")
        # A deleted account keeps its assignments for the record (ACC-7) and can no longer
        # be unassigned (ACC-11): it does not hold the role up.
        holders = await RoleAssignment.count().where(
            (RoleAssignment.role == role_id)
            & (RoleAssignment.account.status != AccountStatus.DELETED)
        )
        if holders:
            raise Invalid(
                f"{holders} accounts hold this role; unassign it first (ROLE-9).", "roleId"
            )
        await Role.update(
            {
                Role.status: "DELETED",
                Role.deleted_at: actor.now,
                Role.deleted_reason: reason,
                Role.updated_at: actor.now,
            }
        ).where(Role.id == role_id)
        await actor.audit(
            "role.delete",
            target_type="Role",
            target_id=role_id,
            organization_id=role["organization"],
            before={"status": "ACTIVE"},
            after={"status": "DELETED", "reason": reason},
        )


async def assign(
    actor: Actor,
    add: set[tuple[int, int]],
    remove: set[tuple[int, int]],
    *,
    acknowledge_sensitive: bool,
) -> None:
    """ROLE-3, ROLE-6, ROLE-7, ENT-3: (role, account) pairs to assign and unassign."""
    await certification.check_not_past_due(actor)  # CERT-4
    if not add and not remove:
        raise Invalid("Nothing to change.", None)
    try:
        await _assign(actor, add, remove, acknowledge_sensitive=acknowledge_sensitive)
    except UNIQUE_VIOLATIONS as error:
        # Two requests assigning the same role to the same account at once (PostgreSQL):
        # the one that came second is told, rather than failing as a fault.
        raise Conflict(
            "The account's roles changed while you assigned; reload and try again.", "roleId"
        ) from error


async def _assign(
    actor: Actor,
    add: set[tuple[int, int]],
    remove: set[tuple[int, int]],
    *,
    acknowledge_sensitive: bool,
) -> None:
    async with write_transaction():
        catalog = {
            p["id"]: p
            for p in await Privilege.select(Privilege.id, Privilege.code, Privilege.sensitive)
        }
        roles: dict[int, tuple[dict, dict[int, str]]] = {}
        for role_id, _ in add | remove:
            if role_id not in roles:
                roles[role_id] = await load_role(actor, role_id, "assign")
        accounts = await load_all_for(
            actor, sorted({a for _, a in add | remove}), "manage_entitlements"
        )
        current = defaultdict(set)
        sensitive_of: dict[int, list[str]] = {}  # ENT-3: acknowledged, and so recorded
        for row in await RoleAssignment.select(RoleAssignment.role, RoleAssignment.account).where(
            RoleAssignment.account.is_in(list(accounts))
        ):
            current[row["account"]].add(row["role"])
        for role_id, account_id in add:
            role, grants = roles[role_id]
            if role["organization"] != accounts[account_id]["organization"]:
                raise NotFound("No such role in the account's organization.", "roleId")
            if role["status"] != "ACTIVE" or not grants:
                raise Invalid(
                    f"Only an active role with grants can be assigned; {role['name']} is "
                    f"{'DELETED' if role['status'] != 'ACTIVE' else 'INCOMPLETE'} (ROLE-3).",
                    "roleId",
                )
            sensitive = [catalog[p]["code"] for p in grants if catalog[p]["sensitive"]]
            sensitive_of[role_id] = sensitive
            if sensitive and not acknowledge_sensitive:
                raise ConfirmationRequired(
                    f"{role['name']} opens sensitive data ({', '.join(sorted(sensitive))}); "
                    "acknowledge to assign (ENT-3).",
                    "acknowledgeSensitive",
                )
        for role_id, account_id in remove:
            if role_id not in current[account_id]:
                raise Invalid("The account does not hold that role.", "unassign")
        new = [(r, a) for r, a in add if r not in current[a]]
        if new:
            await RoleAssignment.insert(
                *[
                    RoleAssignment(
                        role=r,
                        account=a,
                        assigned_by=actor.viewer.account_id,
                        assigned_at=actor.now,
                    )
                    for r, a in new
                ]
            )
        for role_id in {r for r, _ in remove}:
            await RoleAssignment.delete().where(
                (RoleAssignment.role == role_id)
                & RoleAssignment.account.is_in([a for r, a in remove if r == role_id])
            )
        await user_types.refresh_accounts(sorted(accounts), now=actor.now)
        emails, events = [], []
        for account_id in sorted(accounts):
            added = sorted(roles[r][0]["name"] for r, a in new if a == account_id)
            acknowledged = sorted({c for r, a in new if a == account_id for c in sensitive_of[r]})
            removed = sorted(roles[r][0]["name"] for r, a in remove if a == account_id)
            if not (added or removed):
                continue
            account = accounts[account_id]
            events.append(
                actor.entry(
                    "account.roles_update",
                    target_type="Account",
                    target_id=account_id,
                    organization_id=account["organization"],
                    after={"assigned": added, "unassigned": removed}
                    | ({"acknowledged_sensitive": acknowledged} if acknowledged else {}),
                )
            )
            changes = [f"assigned {n}" for n in added] + [f"removed {n}" for n in removed]
            emails.append(
                (
                    account["email"],
                    "Your roles changed",
                    f"Hello {account['first_name']},\n\nYour roles changed: "
                    f"{'; '.join(changes)}. Sign in to review your access.",
                )
            )
        await actor.audit_all(events)
        await outbox.enqueue_many(emails, kind="account.roles_changed", now=actor.now)


async def save_view(actor: Actor, name: str, filter: dict, sort: str) -> int:
    """ROLE-10: save (or replace) one of the viewer's own role searches by name."""
    name = validation.text(name, "name", required=True, max_length=50)
    if not actor.authz.allows("save_role_view", OrganizationFacts(own=True)):
        raise Forbidden("Only admins who search roles save role views.", None)
    async with write_transaction():
        mine = (RoleView.account == actor.viewer.account_id) & WhereRaw(
            "lower(name) = {}", name.lower()
        )
        existing = await RoleView.select(RoleView.id).where(mine).first()
        if existing:
            await RoleView.update({RoleView.filter: filter, RoleView.sort: sort}).where(
                RoleView.id == existing["id"]
            )
            return existing["id"]
        try:
            rows = await RoleView.insert(
                RoleView(
                    account=actor.viewer.account_id,
                    name=name,
                    filter=filter,
                    sort=sort,
                    created_at=actor.now,
                )
            ).returning(RoleView.id)
        except UNIQUE_VIOLATIONS as exc:
            raise Conflict("You saved a view of that name at the same moment.", "name") from exc
        return rows[0]["id"]


async def delete_view(actor: Actor, view_id: int) -> None:
    async with write_transaction():
        view = await RoleView.select().where(RoleView.id == view_id).first()
        facts = RoleViewFacts(own=view is not None and view["account"] == actor.viewer.account_id)
        if view is None or not actor.authz.allows("delete", facts):
            raise NotFound("No such view.", "viewId")
        await RoleView.delete().where(RoleView.id == view_id)
