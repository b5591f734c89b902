"""Yearly user accounts certification (CERT-1, CERT-3, CERT-4)."""

from piccolo.columns import JSON, Boolean, ForeignKey, Integer, OnDelete, Timestamptz, Varchar
from piccolo.table import Table

from entitle.models.accounts import Account
from entitle.models.organizations import Organization


class CertificationPeriod(Table, tablename="certification_period"):
    """CERT-1: one period a year, opened by the operator with a due date."""

    year = Integer(unique=True, help_text="One period per year, enforced by the database.")
    starts_at = Timestamptz()
    due_at = Timestamptz()
    opened_by = ForeignKey(Account, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()


class Certification(Table, tablename="certification"):
    """CERT-3: an organization's certification for a period; immutable once written (the
    database refuses updates and deletes), so the snapshot stays what was certified."""

    # No index of its own: piccolo would name it certification_period, the period table's
    # name; the unique (period, organization) index serves lookups by period.
    period = ForeignKey(CertificationPeriod, null=False, on_delete=OnDelete.restrict)
    organization = ForeignKey(Organization, null=False, on_delete=OnDelete.restrict, index=True)
    certified_by = ForeignKey(Account, null=True, on_delete=OnDelete.restrict)
    certified_at = Timestamptz()
    terms_accepted = Boolean(default=False)
    snapshot = JSON(help_text="The accounts report as certified.")


class CertificationNotice(Table, tablename="certification_notice"):
    """Reminders and past-due notices already sent: each (period, organization, kind) once."""

    period = ForeignKey(CertificationPeriod, null=False, on_delete=OnDelete.cascade, index=True)
    organization = ForeignKey(Organization, null=False, on_delete=OnDelete.cascade)
    kind = Varchar(length=16, help_text="DAYS_30, DAYS_14, DAYS_7 or PAST_DUE.")
    sent_at = Timestamptz()
