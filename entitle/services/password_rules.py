"""AUTH-1: what a new password must be (NIST SP 800-63B, section 5.1.1.2)."""

from __future__ import annotations

import functools

from zxcvbn.frequency_lists import FREQUENCY_LISTS

from entitle.services.errors import Invalid
from entitle.services.passwords import MAX_PASSWORD_LENGTH, normalize

MIN_PASSWORD_LENGTH = 12


@functools.cache
def _common() -> frozenset[str]:
    # The 30,000 most common passwords of real breaches, as the zxcvbn project keeps them.
    return frozenset(FREQUENCY_LISTS["passwords"])


def check(password: str, *, user_id: str) -> str:
    """The password to store, or Invalid saying which rule it breaks. NIST: length counts
    characters after Unicode normalization, every character is allowed, and there are no
    composition rules; known-bad choices are refused instead."""
    if len(password) > MAX_PASSWORD_LENGTH:
        raise Invalid(f"A password has at most {MAX_PASSWORD_LENGTH} characters.", "password")
    normalized = normalize(password)
    if len(normalized) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"A password has at least {MIN_PASSWORD_LENGTH} characters.", "password")
    folded = normalized.casefold()
    if folded.strip() == user_id.casefold():
        raise Invalid("The password may not be the user ID.", "password")
    if folded in _common() or folded.replace(" ", "") in _common():
        raise Invalid("That password is among the most common ones; choose another.", "password")
    return normalized
