from piccolo.columns import ForeignKey, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

from entitle.enums import OrgClass, OrgType


class Organization(Table):
    number = Varchar(length=16, unique=True, help_text="Organization ID# (CRD number for firms).")
    name = Varchar(length=200)
    org_type = Varchar(length=32, choices=OrgType)
    org_class = Varchar(length=16, choices=OrgClass, index=True)
    affiliate_of = ForeignKey(
        "self", null=True, on_delete=OnDelete.set_null, help_text="Parent of an affiliate firm."
    )
    created_at = Timestamptz()
    saa_vacated_at = Timestamptz(
        null=True, default=None, help_text="ORG-6: when its SAA was deleted; null once replaced."
    )
    suspended_at = Timestamptz(
        null=True,
        default=None,
        help_text="CERT-4, G 18.2: when the operator suspended all its accounts; null when not.",
    )
    # Lazy: account.organization already refers to this table.
    suspended_by = ForeignKey(
        LazyTableReference("Account", module_path="entitle.models.accounts"),
        null=True,
        default=None,
        on_delete=OnDelete.set_null,
        help_text="CERT-4: the operator who suspended it.",
    )
    suspension_reason = Text(null=True, default=None, help_text="CERT-4: the operator's reason.")
