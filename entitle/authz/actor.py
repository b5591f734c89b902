"""The actor as the policy sees it (Profile) and as Python sees it (Viewer)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Profile:
    """Everything the policy may know about the actor.

    Frozen and hashable because decisions are memoized on it: two viewers with the
    same profile get the same answer for the same facts, by construction.
    """

    signed_in: bool = False
    operator: bool = False
    user_type: str = ""
    # ENT-7: an AA without "Manage Access to New Account Management Application"
    # administers nothing.
    manages_accounts: bool = False
    # ENT-7, ROLE-7: holds "Assign Roles".
    assigns_roles: bool = False
    # IND-6: holds any privilege of the registration application.
    reads_individuals: bool = False
    # Codes of the sensitive privileges held (ENT-1, IND-6).
    sensitive: tuple[str, ...] = ()


ANONYMOUS = Profile()


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in account, and what Python needs to turn objects into relative facts."""

    profile: Profile = ANONYMOUS
    account_id: int | None = None
    organization_id: int | None = None
    org_type: str | None = None
    org_class: str | None = None
    user_id: str | None = None
    session_id: int | None = None
    # Privileges the viewer may administer: ADMIN grants, or every privilege for the SAA (ENT-2).
    administered: frozenset[int] = field(default_factory=frozenset)
    # Identifiers assigned to the viewer (ENT-5).
    identifiers: frozenset[int] = field(default_factory=frozenset)
    # Active roles assigned to the viewer.
    roles: frozenset[int] = field(default_factory=frozenset)
    # Privileges available to the viewer's organization type (ORG-2).
    available: frozenset[int] = field(default_factory=frozenset)

    @property
    def signed_in(self) -> bool:
        return self.account_id is not None


ANONYMOUS_VIEWER = Viewer()
