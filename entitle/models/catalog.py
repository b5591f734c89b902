from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, Text, Varchar
from piccolo.table import Table

from entitle.enums import IdentifierKind, OrgType


class Application(Table):
    """A parent entry of the entitlement catalog (ENT-1)."""

    code = Varchar(length=64, unique=True)
    name = Varchar(length=200)
    description = Text(default="")
    position = Integer(default=0)


class Privilege(Table):
    """A child entry of the catalog, granted to accounts at USER or ADMIN level (ENT-1)."""

    application = ForeignKey(Application, null=False, on_delete=OnDelete.restrict, index=True)
    parent = ForeignKey("self", null=True, on_delete=OnDelete.restrict)
    code = Varchar(length=64, unique=True)
    name = Varchar(length=200)
    description = Text(default="")
    sensitive = Boolean(default=False, help_text="Opens SSN, date of birth, fingerprints or CJI.")
    identifier_kind = Varchar(
        length=16,
        choices=IdentifierKind,
        null=True,
        default=None,
        help_text="Set when the privilege goes with an organization identifier (ENT-5).",
    )
    position = Integer(default=0)


class PrivilegeAvailability(Table):
    """The organization types a privilege is available to (ORG-2)."""

    privilege = ForeignKey(Privilege, null=False, on_delete=OnDelete.cascade, index=True)
    org_type = Varchar(length=32, choices=OrgType)
