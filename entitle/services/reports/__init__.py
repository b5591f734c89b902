"""Account reports: the accounts certification report (CERT-2) and the account details
report with saved "My Reports" (REP-1), over one SQL query builder, and their CSV exports.

A report is a definition (columns, filters, grouping; `definition.py`) run over a scope
(whose accounts and which entitlements; `scope.py`) by `query.py`.
"""
