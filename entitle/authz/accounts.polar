# Accounts: ACC-7, ACC-8, ACC-9, ENT-7.

allow(viewer: Profile, "read", _account: AccountFacts) if
    viewer.operator;

# Everyone reads their own account, whatever its status.
allow(viewer: Profile, "read", account: AccountFacts) if
    viewer.signed_in and
    account.relation = "SELF";

# The SAA sees every account of the organization, deleted and machine ones included.
allow(viewer: Profile, "read", account: AccountFacts) if
    viewer.user_type = "SAA" and
    account.relation = "SAME_ORG";

# An AA who may use account management sees the organization's accounts, except
# deleted ones (ACC-7) and machine accounts (ACC-9).
allow(viewer: Profile, "read", account: AccountFacts) if
    viewer.user_type = "AA" and
    viewer.manages_accounts and
    account.relation = "SAME_ORG" and
    account.status != "DELETED" and
    account.kind = "HUMAN";
