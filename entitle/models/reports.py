"""Saved account details reports ("My Reports", REP-1) and report exports (CERT-2, REP-1)."""

from piccolo.columns import JSON, BigInt, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from entitle.models.accounts import Account
from entitle.models.organizations import Organization


class SavedReport(Table, tablename="saved_report"):
    """REP-1: an admin's saved report definition; opening it runs it on current data."""

    owner = ForeignKey(Account, null=False, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=100, help_text="Unique per owner, enforced by the database.")
    definition = JSON(help_text="Columns, filters, grouping: never the data.")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ReportExport(Table, tablename="report_export"):
    """A CSV export of a report, written by the exports job into a zip file, downloadable
    by its owner until it expires."""

    owner = ForeignKey(Account, null=False, on_delete=OnDelete.cascade, index=True)
    organization = ForeignKey(Organization, null=False, on_delete=OnDelete.cascade)
    report = Varchar(length=24, help_text="CERTIFICATION (CERT-2) or ACCOUNT_DETAILS (REP-1).")
    format = Varchar(length=16, help_text="QUICK, or ADVANCED with one sub-table.")
    sub_table = Varchar(length=32, null=True, default=None)
    definition = JSON(help_text="The report definition exported.")
    scope = JSON(help_text="The accounts and entitlements its owner could report on.")
    status = Varchar(length=16, default="PREPARING", index=True)
    file_name = Varchar(length=200)
    row_count = Integer(null=True, default=None)
    byte_size = BigInt(null=True, default=None)
    failure = Text(null=True, default=None)
    created_at = Timestamptz()
    ready_at = Timestamptz(null=True, default=None)
    expires_at = Timestamptz(null=True, default=None)
    downloaded_at = Timestamptz(null=True, default=None)
