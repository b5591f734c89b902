# Account reports: the certification report (CERT-2), the account details report and its
# saved "My Reports" (REP-1), and their exports.

# REP-1: SAAs, and AAs who may use account management, run the account details report of
# their organization (over the accounts they administer: "report" in accounts.polar).
allow(viewer: Profile, "report_accounts", org: OrganizationFacts) if
    org.own and
    viewer.user_type = "SAA";
allow(viewer: Profile, "report_accounts", org: OrganizationFacts) if
    org.own and
    viewer.user_type = "AA" and
    viewer.manages_accounts;

# CERT-2: the accounts certification report is the SAA's, who certifies (CERT-3); the
# operator reads any organization's, to follow up on certifications.
allow(viewer: Profile, "certification_report", org: OrganizationFacts) if
    org.own and
    viewer.user_type = "SAA";
allow(viewer: Profile, "certification_report", _org: OrganizationFacts) if
    viewer.operator;

# A saved report is its owner's alone: nobody else reads, changes or deletes it.
allow(viewer: Profile, action: String, report: SavedReportFacts) if
    action in ["read", "update", "delete"] and
    viewer.signed_in and
    report.owned;

# An export is its owner's alone, to list and download.
allow(viewer: Profile, action: String, export: ReportExportFacts) if
    action in ["read", "download"] and
    viewer.signed_in and
    export.owned;
