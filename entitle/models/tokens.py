from piccolo.columns import ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.table import Table

from entitle.models.accounts import Account


class AccountToken(Table):
    """A single-use, expiring link sent by email (password activation, later resets)."""

    purpose = Varchar(length=32, help_text="ACTIVATION or PASSWORD_RESET.")
    token_hash = Varchar(length=64, unique=True, help_text="SHA-256 of the token in the link.")
    account = ForeignKey(Account, null=False, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    question = Varchar(length=32, null=True, default=None, help_text="FORGOT: the question.")
