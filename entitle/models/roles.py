from piccolo.columns import JSON, ForeignKey, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from entitle.enums import OrgClass, PrivilegeLevel
from entitle.models.accounts import Account
from entitle.models.catalog import Privilege
from entitle.models.organizations import Organization


class Role(Table):
    """A bundle of grants the SAA builds and assigns (ROLE-1); its type is derived (ROLE-2)."""

    organization = ForeignKey(Organization, null=False, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=50, help_text="Unique per organization ignoring case; never changes.")
    description = Varchar(length=250, default="")
    status = Varchar(length=8, default="ACTIVE", help_text="ACTIVE or DELETED (ROLE-2).")
    created_by = ForeignKey(Account, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    deleted_at = Timestamptz(null=True, default=None)
    deleted_reason = Text(null=True, default=None)


class RoleGrant(Table):
    role = ForeignKey(Role, null=False, on_delete=OnDelete.cascade, index=True)
    privilege = ForeignKey(Privilege, null=False, on_delete=OnDelete.restrict, index=True)
    level = Varchar(length=8, choices=PrivilegeLevel)


class RoleAssignment(Table):
    role = ForeignKey(Role, null=False, on_delete=OnDelete.restrict, index=True)
    account = ForeignKey(Account, null=False, on_delete=OnDelete.cascade, index=True)
    assigned_by = ForeignKey(Account, null=True, on_delete=OnDelete.set_null)
    assigned_at = Timestamptz()


class RoleTemplate(Table):
    """An operator-defined starting point for roles, per organization class (ROLE-4)."""

    org_class = Varchar(length=16, choices=OrgClass, index=True)
    name = Varchar(length=50)
    description = Varchar(length=250, default="")


class RoleTemplateGrant(Table):
    template = ForeignKey(RoleTemplate, null=False, on_delete=OnDelete.cascade, index=True)
    privilege = ForeignKey(Privilege, null=False, on_delete=OnDelete.restrict)
    level = Varchar(length=8, choices=PrivilegeLevel)


class RoleView(Table):
    """A role search an admin saved (ROLE-10); it stores the question, never the answer."""

    account = ForeignKey(Account, null=False, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=50)
    filter = JSON(default="{}")
    sort = Varchar(length=16, default="RELEVANCE")
    created_at = Timestamptz()
