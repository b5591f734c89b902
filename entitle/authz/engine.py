"""The single Oso instance and the memoized decisions built on it.

Every oso call in the code base goes through this module, so the engine could be
replaced without touching resolvers or services.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from oso import Oso

from entitle.authz.actor import Profile, Viewer
from entitle.authz.facts import FACT_CLASSES
from entitle.authz.sqlfilter import SqlCondition, compile_condition

POLICY_DIR = Path(__file__).parent


def load_oso(paths: list[Path] | None = None) -> Oso:
    oso = Oso()
    oso.register_class(Profile)
    for cls in FACT_CLASSES:
        oso.register_class(cls)
    oso.load_files([str(p) for p in paths or sorted(POLICY_DIR.glob("*.polar"))])
    return oso


class Authorizer:
    """Process-wide decisions: a pure function of (profile, action, facts), memoized.

    Safe to keep across requests because the policy is loaded once at start-up and
    reads nothing but its arguments; the memo is bounded and safe to lose.
    """

    def __init__(self, oso: Oso | None = None) -> None:
        self._oso = oso or load_oso()
        self.evaluations = 0
        self.is_allowed = lru_cache(maxsize=65_536)(self._is_allowed)
        self.allowed_combinations = lru_cache(maxsize=4_096)(self._allowed_combinations)

    def _is_allowed(self, profile: Profile, action: str, facts: Any) -> bool:
        self.evaluations += 1
        return self._oso.is_allowed(profile, action, facts)

    def _allowed_combinations(self, profile: Profile, action: str, cls: type) -> frozenset[tuple]:
        dims = cls.dimensions
        names = [d.name for d in dims]
        return frozenset(
            combo
            for combo in itertools.product(*(d.values for d in dims))
            if self.is_allowed(profile, action, cls(**dict(zip(names, combo, strict=True))))
        )


@dataclass
class RequestAuthz:
    """One request's view of the authorizer: the viewer, plus a per-request decision cache."""

    authorizer: Authorizer
    viewer: Viewer
    _cache: dict[tuple[str, Any], bool] = field(default_factory=dict)

    @property
    def profile(self) -> Profile:
        return self.viewer.profile

    def allows(self, action: str, facts: Any) -> bool:
        key = (action, facts)
        decision = self._cache.get(key)
        if decision is None:
            decision = self._cache[key] = self.authorizer.is_allowed(self.profile, action, facts)
        return decision

    def can(self, action: str, resource: Any) -> bool:
        """May the viewer do `action` on a loaded resource (anything with authz_facts)."""
        # Every guarded field of an object asks; its facts are worked out once. Objects
        # live for one request, so a cache on the object is a cache for this viewer.
        facts = getattr(resource, "_authz_facts", None)
        if facts is None or facts[0] is not self.viewer:
            facts = (self.viewer, resource.authz_facts(self.viewer))
            object.__setattr__(resource, "_authz_facts", facts)
        return self.allows(action, facts[1])

    def visible(self, resources: list[Any], action: str = "read") -> list[Any]:
        return [r for r in resources if self.can(action, r)]

    def where(self, action: str, facts_cls: type) -> SqlCondition:
        """The SQL condition selecting exactly the rows the viewer may `action`."""
        allowed = self.authorizer.allowed_combinations(self.profile, action, facts_cls)
        return compile_condition(allowed, facts_cls.dimensions, self.viewer)
