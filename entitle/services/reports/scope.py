"""Whose accounts a report lists and which entitlements it counts.

CERT-2: the certification report covers every account of the organization. REP-1: the
account details report covers the accounts the viewer administers ("report" in
accounts.polar) and only the entitlements they administer.

A scope is plain data (the policy's allowed fact combinations, not a live authorizer),
so an export job later runs the very report its creator was allowed when asking.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from piccolo.querystring import QueryString

from entitle.authz.actor import Viewer
from entitle.authz.engine import RequestAuthz
from entitle.authz.facts import AccountFacts, RoleFacts
from entitle.authz.sqlfilter import ALWAYS, compile_condition
from entitle.enums import UserType
from entitle.models import Account, Role


@dataclass(frozen=True, slots=True)
class Scope:
    organization_id: int
    # The viewer, whom the policy's facts are relative to (SELF, SAME_ORG).
    viewer_account_id: int | None = None
    # AccountFacts combinations the viewer may report on; None: every account (CERT-2).
    allowed: frozenset[tuple] | None = None
    # Privileges counted; None: all of them.
    privileges: frozenset[int] | None = None
    # RoleFacts combinations the viewer may read (ROLE-7: an AA without Assign Roles sees
    # only the roles they hold); None: every role of the organization.
    roles: frozenset[tuple] | None = None

    @classmethod
    def whole_organization(cls, organization_id: int) -> Scope:
        """CERT-2: every account of the organization and every entitlement."""
        return cls(organization_id=organization_id)

    @classmethod
    def administered_by(cls, authz: RequestAuthz) -> Scope:
        """REP-1: the accounts and entitlements the viewer administers."""
        viewer = authz.viewer
        assert viewer.organization_id is not None
        saa = viewer.profile.user_type == UserType.SAA
        return cls(
            organization_id=viewer.organization_id,
            viewer_account_id=viewer.account_id,
            allowed=authz.authorizer.allowed_combinations(authz.profile, "report", AccountFacts),
            # ENT-2: the SAA administers every privilege, so nothing is left out.
            privileges=None if saa else viewer.administered,
            roles=authz.authorizer.allowed_combinations(authz.profile, "read", RoleFacts),
        )

    def accounts(self) -> QueryString | None:
        """The policy's condition as a subquery of account IDs; None when it is the whole
        organization."""
        if self.allowed is None:
            return None
        condition = compile_condition(self.allowed, AccountFacts.dimensions, self._viewer())
        query = Account.select(Account.id)
        if condition is not ALWAYS:
            query = query.where(condition)
        return query.querystrings[0]

    def visible_roles(self) -> QueryString | None:
        """The roles the viewer may read as a subquery of role IDs, for the roles count,
        the roles sub-table and the sources of entitlements; None when they read every one."""
        if self.roles is None:
            return None
        condition = compile_condition(self.roles, RoleFacts.dimensions, self._viewer())
        if condition is ALWAYS:
            return None
        return Role.select(Role.id).where(condition).querystrings[0]

    def within(self, other: Scope) -> bool:
        """Whether this scope covers nothing `other` does not: an export asked for under it
        may still be served to a viewer whose scope is now `other`."""

        def narrower(mine: frozenset | None, theirs: frozenset | None) -> bool:
            return theirs is None or (mine is not None and mine <= theirs)

        return (
            self.organization_id == other.organization_id
            and (other.allowed is None or self.viewer_account_id == other.viewer_account_id)
            and narrower(self.allowed, other.allowed)
            and narrower(self.privileges, other.privileges)
            and narrower(self.roles, other.roles)
        )

    def _viewer(self) -> Viewer:
        return Viewer(account_id=self.viewer_account_id, organization_id=self.organization_id)

    def to_json(self) -> dict[str, Any]:
        return {
            "organizationId": self.organization_id,
            "viewerAccountId": self.viewer_account_id,
            "allowed": None if self.allowed is None else sorted(list(c) for c in self.allowed),
            "privileges": None if self.privileges is None else sorted(self.privileges),
            "roles": None if self.roles is None else sorted(list(c) for c in self.roles),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Scope:
        allowed, privileges, roles = data.get("allowed"), data.get("privileges"), data.get("roles")
        return cls(
            organization_id=data["organizationId"],
            viewer_account_id=data.get("viewerAccountId"),
            allowed=None if allowed is None else frozenset(tuple(c) for c in allowed),
            privileges=None if privileges is None else frozenset(privileges),
            roles=None if roles is None else frozenset(tuple(c) for c in roles),
        )
