from piccolo.columns import ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.table import Table

from entitle.enums import IdentifierKind
from entitle.models.accounts import Account
from entitle.models.organizations import Organization


class Identifier(Table):
    """An organization identifier: TRACE MPID, EQUITY MPID or MSRB (ENT-5)."""

    organization = ForeignKey(Organization, null=False, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=16, choices=IdentifierKind)
    value = Varchar(length=32)


class IdentifierAssignment(Table):
    identifier = ForeignKey(Identifier, null=False, on_delete=OnDelete.cascade, index=True)
    account = ForeignKey(Account, null=False, on_delete=OnDelete.cascade, index=True)
    assigned_by = ForeignKey(Account, null=True, on_delete=OnDelete.set_null)
    assigned_at = Timestamptz()
