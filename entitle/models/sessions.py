from piccolo.columns import ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.table import Table

from entitle.models.accounts import Account


class Session(Table, tablename="account_session"):
    token_hash = Varchar(length=64, unique=True, help_text="SHA-256 of the bearer token.")
    account = ForeignKey(Account, null=False, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz()
    last_seen_at = Timestamptz()
    ended_at = Timestamptz(null=True, default=None)
