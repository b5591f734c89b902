from piccolo.columns import ForeignKey, OnDelete, Timestamptz, Varchar
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
