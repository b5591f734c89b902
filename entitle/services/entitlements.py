"""Grants and identifiers on an account: ENT-2..ENT-9, ACC-9 (imports), all or nothing."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from entitle.authz.facts import (
    GrantChangeFacts,
    GrantFacts,
    IdentifierFacts,
    PrivilegeFacts,
    relation_of,
)
from entitle.db import UNIQUE_VIOLATIONS, write_transaction
from entitle.enums import AccountKind, OrgClass, PrivilegeLevel
from entitle.models import (
    Grant,
    Identifier,
    IdentifierAssignment,
    Organization,
    Privilege,
    PrivilegeAvailability,
)
from entitle.services import certification, grant_sets, user_types
from entitle.services.accounts import load_for
from entitle.services.actor import Actor
from entitle.services.errors import (
    ConfirmationRequired,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
)

RANK = {PrivilegeLevel.USER: 1, PrivilegeLevel.ADMIN: 2}


@dataclass
class EntitlementChange:
    """What an admin asks for in one request; applied whole or not at all."""

    grant: dict[int, PrivilegeLevel] = field(default_factory=dict)  # privilege -> new level
    revoke: set[int] = field(default_factory=set)
    assign: set[int] = field(default_factory=set)  # identifiers
    unassign: set[int] = field(default_factory=set)
    acknowledge_sensitive: bool = False
    confirm_revocations: bool = False

    def is_empty(self) -> bool:
        return not (self.grant or self.revoke or self.assign or self.unassign)


@dataclass
class _State:
    """The account's entitlements and the catalog facts needed to judge a change."""

    account: dict
    org_type: str
    grants: dict[int, str]
    identifiers: dict[int, dict]  # assigned: identifier id -> row
    catalog: dict[int, dict]
    children: dict[int, set[int]]
    available: set[int]


async def _state(account: dict) -> _State:
    org = (
        await Organization.select(Organization.org_type)
        .where(Organization.id == account["organization"])
        .first()
    )
    grants = await Grant.select(Grant.privilege, Grant.level).where(Grant.account == account["id"])
    assigned = await IdentifierAssignment.select(
        IdentifierAssignment.identifier.id.as_alias("id"),
        IdentifierAssignment.identifier.kind.as_alias("kind"),
        IdentifierAssignment.identifier.value.as_alias("value"),
        IdentifierAssignment.identifier.organization.as_alias("organization"),
    ).where(IdentifierAssignment.account == account["id"])
    catalog = {p["id"]: p for p in await Privilege.select()}
    available = await PrivilegeAvailability.select(PrivilegeAvailability.privilege).where(
        PrivilegeAvailability.org_type == org["org_type"]
    )
    children: dict[int, set[int]] = defaultdict(set)
    for privilege in catalog.values():
        if privilege["parent"] is not None:
            children[privilege["parent"]].add(privilege["id"])
    return _State(
        account=account,
        org_type=org["org_type"],
        grants={g["privilege"]: g["level"] for g in grants},
        identifiers={i["id"]: i for i in assigned},
        catalog=catalog,
        children=children,
        available={a["privilege"] for a in available},
    )


def _may_change(actor: Actor, state: _State, privilege_id: int, level: str) -> bool:
    return actor.authz.allows(
        "change",
        GrantChangeFacts(
            administered=privilege_id in actor.viewer.administered,
            available=privilege_id in state.available,
            level=level,
        ),
    )


def _codes(state: _State, ids) -> list[str]:
    return sorted(state.catalog[i]["code"] for i in ids)


def _sees_grant(actor: Actor, account: dict, privilege_id: int) -> bool:
    """ACC-8: whether the actor may see that `account` holds the privilege (an AA only
    what they administer); a refusal never names a grant the actor may not see."""
    return actor.authz.allows(
        "read",
        GrantFacts(
            holder=relation_of(actor.viewer, account["id"], account["organization"]),
            administered=privilege_id in actor.viewer.administered,
        ),
    )


def _identifier_facts(actor: Actor, row: dict) -> IdentifierFacts:
    return IdentifierFacts(
        own_org=row["organization"] == actor.viewer.organization_id,
        held=row["id"] in actor.viewer.identifiers,
    )


async def _identifier_rows(
    actor: Actor, state: _State, ids: set[int], field: str
) -> dict[int, dict]:
    rows = {
        r["id"]: r for r in await Identifier.select().where(Identifier.id.is_in(list(ids) or [0]))
    }
    for identifier_id in ids:
        row = rows.get(identifier_id)
        if row is None or row["organization"] != state.account["organization"]:
            raise NotFound("No such identifier in this organization.", field)
        facts = _identifier_facts(actor, row)
        if not actor.authz.allows("read", facts):
            raise NotFound("No such identifier in this organization.", field)
        if not actor.authz.allows("assign", facts):
            raise Forbidden("You may assign only identifiers assigned to you (ENT-5).", field)
    return rows


async def _apply(actor: Actor, state: _State, change: EntitlementChange) -> dict:
    """Check every rule against the whole change, then write it; returns the audit record."""
    viewer = actor.viewer
    before = dict(state.grants)
    for privilege_id, level in change.grant.items():
        if privilege_id not in state.catalog or not actor.authz.allows(
            "read", PrivilegeFacts(available=privilege_id in viewer.available)
        ):
            raise NotFound("No such privilege.", "grant")
        if privilege_id in change.revoke:
            raise Invalid("A privilege cannot be granted and revoked at once.", "revoke")
        current = before.get(privilege_id)
        if not _may_change(actor, state, privilege_id, level) or (
            current is not None and not _may_change(actor, state, privilege_id, current)
        ):
            raise Forbidden(
                f"You may not grant {state.catalog[privilege_id]['code']} at {level} level "
                "(ENT-2: only where you hold ADMIN, and only the SAA grants ADMIN).",
                "grant",
            )
    for privilege_id in change.revoke:
        # ACC-8: what the actor may not revoke is refused whether or not the account holds
        # it, so a refusal does not tell them which hidden grants the account has.
        if privilege_id in state.catalog and not _may_change(
            actor, state, privilege_id, before.get(privilege_id, PrivilegeLevel.USER)
        ):
            raise Forbidden(
                f"You may not revoke {state.catalog[privilege_id]['code']} (ENT-2).", "revoke"
            )
        if privilege_id not in before:
            raise Invalid("The account does not hold that privilege.", "revoke")

    after = {**before, **{p: str(level) for p, level in change.grant.items()}}
    for privilege_id in change.revoke:
        after.pop(privilege_id)
    # ENT-4: removing a parent removes its children, once the caller confirms.
    # A child granted in this very change stays in `after`, to be refused below as an orphan.
    cascaded = {
        child
        for parent in change.revoke
        for child in state.children.get(parent, ())
        if child in after and child in before
    }
    for child in cascaded:
        after.pop(child)
    if any(not _may_change(actor, state, p, before[p]) for p in cascaded):
        # ACC-8: the children may be grants the actor cannot see; name none of them.
        raise Forbidden(
            "Revoking this would also remove entitlements you do not administer (ENT-2, ENT-4).",
            "revoke",
        )
    orphaned_parents = [
        parent
        for parent, kids in state.children.items()
        if parent in after and kids & before.keys() and not kids & after.keys()
    ]
    # Judge only what this change grants: an unrelated change must not fail on old data.
    for privilege_id in change.grant:
        parent = state.catalog[privilege_id]["parent"]
        if parent is not None and parent not in after:
            raise Invalid(
                f"{state.catalog[privilege_id]['code']} needs its parent "
                f"{state.catalog[parent]['code']} (ENT-4).",
                "grant",
            )
    # ENT-5: identifiers whose related privilege this change removes go with it, but an AA
    # removes only identifiers assigned to them, and never learns of the others (ACC-8).
    kinds_before = {state.catalog[p]["identifier_kind"] for p in before} - {None}
    kinds_after = {state.catalog[p]["identifier_kind"] for p in after} - {None}
    stranded = {
        i for i, row in state.identifiers.items() if row["kind"] in kinds_before - kinds_after
    } - change.unassign
    if any(
        not actor.authz.allows("assign", _identifier_facts(actor, state.identifiers[i]))
        for i in stranded
    ):
        raise Forbidden(
            "The account holds identifiers of this privilege that you do not administer (ENT-5).",
            "revoke",
        )
    if (cascaded or orphaned_parents) and not change.confirm_revocations:
        # Cascaded children passed the check above, so the actor sees them; a parent left
        # childless is named only if the actor sees it (ACC-8).
        seen_parents = [p for p in orphaned_parents if _sees_grant(actor, state.account, p)]
        detail = (
            f"revoking also removes {', '.join(_codes(state, cascaded))}"
            if cascaded
            else f"this removes every child of {', '.join(_codes(state, seen_parents))}"
            if seen_parents
            else "this removes every child of a privilege the account keeps"
        )
        raise ConfirmationRequired(f"Confirm: {detail} (ENT-4).", "confirmRevocations")

    # ENT-3: new access to sensitive data needs an explicit acknowledgement.
    new_sensitive = [p for p in change.grant if p not in before and state.catalog[p]["sensitive"]]
    if new_sensitive and not change.acknowledge_sensitive:
        raise ConfirmationRequired(
            f"{', '.join(_codes(state, new_sensitive))} open sensitive data; "
            "acknowledge to grant (ENT-3).",
            "acknowledgeSensitive",
        )

    # ENT-5: identifiers go with their related privileges.
    to_assign = await _identifier_rows(
        actor, state, change.assign - state.identifiers.keys(), "assignIdentifiers"
    )
    for identifier_id in change.unassign:
        if identifier_id not in state.identifiers:
            raise Invalid("The account does not hold that identifier.", "unassignIdentifiers")
    await _identifier_rows(actor, state, change.unassign, "unassignIdentifiers")
    for row in to_assign.values():
        if row["kind"] not in kinds_after:
            raise Invalid(
                f"Assign {row['value']} together with a {row['kind']} privilege (ENT-5).",
                "assignIdentifiers",
            )
    if stranded and not change.confirm_revocations:
        values = sorted(state.identifiers[i]["value"] for i in stranded)
        raise ConfirmationRequired(
            f"Confirm: this also unassigns {', '.join(values)} (ENT-5).", "confirmRevocations"
        )

    await _write(actor, state, before, after, to_assign, change.unassign | stranded)
    identifiers_after = (state.identifiers.keys() - change.unassign - stranded) | to_assign.keys()
    values_by_id = {
        **{i: r["value"] for i, r in state.identifiers.items()},
        **{i: r["value"] for i, r in to_assign.items()},
    }
    return {
        "before": {
            "grants": {state.catalog[p]["code"]: lvl for p, lvl in sorted(before.items())},
            "identifiers": sorted(r["value"] for r in state.identifiers.values()),
        },
        "after": {
            "grants": {state.catalog[p]["code"]: lvl for p, lvl in sorted(after.items())},
            "identifiers": sorted(values_by_id[i] for i in identifiers_after),
            **({"acknowledged_sensitive": _codes(state, new_sensitive)} if new_sensitive else {}),
        },
    }


async def _write(actor, state, before, after, to_assign, to_unassign) -> None:
    account_id = state.account["id"]
    try:
        await grant_sets.write(
            Grant.account,
            account_id,
            before,
            after,
            lambda p, level: Grant(
                account=account_id,
                privilege=p,
                level=level,
                granted_by=actor.viewer.account_id,
                granted_at=actor.now,
            ),
            granted_by=actor.viewer.account_id,
        )
        if to_unassign:
            await IdentifierAssignment.delete().where(
                (IdentifierAssignment.account == account_id)
                & IdentifierAssignment.identifier.is_in(list(to_unassign))
            )
        if to_assign:
            await IdentifierAssignment.insert(
                *[
                    IdentifierAssignment(
                        identifier=i,
                        account=account_id,
                        assigned_by=actor.viewer.account_id,
                        assigned_at=actor.now,
                    )
                    for i in to_assign
                ]
            )
    except UNIQUE_VIOLATIONS as exc:
        # PostgreSQL (READ COMMITTED): a concurrent request granted or assigned the same
        # thing after this one read the account; its row stands, this change is undone whole.
        raise Conflict(
            "The account's entitlements changed at the same time; reload and try again.",
            None,
        ) from exc
    await user_types.refresh_accounts([account_id], now=actor.now)


async def update(actor: Actor, account_id: int, change: EntitlementChange) -> None:
    """Grant, re-level and revoke privileges and (un)assign identifiers, all or nothing."""
    await certification.check_not_past_due(actor)  # CERT-4
    if change.is_empty():
        raise Invalid("Nothing to change.", None)
    async with write_transaction():
        account = await load_for(actor, account_id, "manage_entitlements")
        state = await _state(account)
        record = await _apply(actor, state, change)
        await actor.audit(
            "account.entitlements_update",
            target_type="Account",
            target_id=account_id,
            organization_id=account["organization"],
            **record,
        )


async def import_from(
    actor: Actor,
    account_id: int,
    source_id: int,
    *,
    privileges: set[int] | None,
    identifiers: set[int] | None,
    acknowledge_sensitive: bool,
) -> None:
    """ENT-6: copy a chosen subset of another same-organization account's entitlements."""
    await certification.check_not_past_due(actor)  # CERT-4
    async with write_transaction():
        account = await load_for(actor, account_id, "manage_entitlements")
        source = await load_for(actor, source_id, "read", field="sourceAccountId")
        if source["organization"] != account["organization"] or source_id == account_id:
            raise NotFound("No such account in this organization.", "sourceAccountId")
        org_class = (
            await Organization.select(Organization.org_class)
            .where(Organization.id == account["organization"])
            .first()
        )["org_class"]
        if account["kind"] == AccountKind.FTP and org_class in (OrgClass.FIRM, OrgClass.OTHER):
            raise Forbidden(
                "Firms cannot import entitlements into FTP accounts (ACC-9).", "accountId"
            )
        target, origin = await _state(account), await _state(source)
        # ACC-8, ENT-5: the actor imports from what they see on the source (an AA, the
        # grants they administer and the identifiers assigned to them): by default all of
        # it, and a chosen item they may not see is refused before asking whether the
        # source holds it, so that no refusal tells them of a hidden grant or identifier.
        seen = {p for p in origin.grants if _sees_grant(actor, source, p)}
        seen_identifiers = {
            i
            for i, row in origin.identifiers.items()
            if actor.authz.allows("read", _identifier_facts(actor, row))
        }
        chosen = seen if privileges is None else privileges
        if any(not _sees_grant(actor, source, p) for p in chosen):
            raise Forbidden(
                "You may import only entitlements you administer (ENT-2, ENT-6).", "privilegeIds"
            )
        if chosen - origin.grants.keys():
            raise Invalid(
                "The source account does not hold every chosen privilege.", "privilegeIds"
            )
        chosen_identifiers = seen_identifiers if identifiers is None else identifiers
        if chosen_identifiers - seen_identifiers:  # the same answer for a hidden one
            raise Invalid(
                "The source account does not hold every chosen identifier.", "identifierIds"
            )
        # An import adds; it never lowers a level the account already holds.
        grant = {
            p: PrivilegeLevel(origin.grants[p])
            for p in chosen
            if RANK[PrivilegeLevel(origin.grants[p])] > RANK.get(target.grants.get(p), 0)
        }
        change = EntitlementChange(
            grant=grant, assign=chosen_identifiers, acknowledge_sensitive=acknowledge_sensitive
        )
        if change.is_empty():
            raise Invalid("The account already holds everything chosen.", "privilegeIds")
        record = await _apply(actor, target, change)
        await actor.audit(
            "account.entitlements_import",
            target_type="Account",
            target_id=account_id,
            organization_id=account["organization"],
            before=record["before"],
            after={**record["after"], "source_account_id": source_id},
        )
