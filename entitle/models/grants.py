from piccolo.columns import ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.table import Table

from entitle.enums import PrivilegeLevel
from entitle.models.accounts import Account
from entitle.models.catalog import Privilege


class Grant(Table, tablename="account_grant"):
    """A privilege held directly by an account; one per (account, privilege)."""

    account = ForeignKey(Account, null=False, on_delete=OnDelete.cascade, index=True)
    privilege = ForeignKey(Privilege, null=False, on_delete=OnDelete.restrict, index=True)
    level = Varchar(length=8, choices=PrivilegeLevel)
    granted_by = ForeignKey(Account, null=True, on_delete=OnDelete.set_null)
    granted_at = Timestamptz()
