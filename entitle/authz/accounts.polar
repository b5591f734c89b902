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

# Administering another account of the organization (ACC-5, ACC-6, ACC-11, ENT-2).
# Nobody administers their own account this way (SAME_ORG excludes SELF), and a deleted
# account is read-only for everyone (ACC-11).
administers(viewer: Profile, account: AccountFacts) if
    viewer.user_type = "SAA" and
    account.relation = "SAME_ORG" and
    account.status != "DELETED";

# An AA administers only USER accounts: never another AA or the SAA (ACC-5, ACC-6, ENT-2),
# and never machine accounts, which they cannot see (ACC-9).
administers(viewer: Profile, account: AccountFacts) if
    viewer.user_type = "AA" and
    viewer.manages_accounts and
    account.relation = "SAME_ORG" and
    account.user_type = "USER" and
    account.kind = "HUMAN" and
    account.status != "DELETED";

allow(viewer: Profile, "update", account: AccountFacts) if
    administers(viewer, account);

# REP-1: the account details report lists the accounts its viewer administers. The SAA's
# lists every account of the organization, their own (its "SAA equals Y" row) and deleted
# ones included; an AA's, the USER accounts they administer.
allow(viewer: Profile, "report", account: AccountFacts) if
    viewer.user_type = "SAA" and
    account.relation in ["SELF", "SAME_ORG"];
allow(viewer: Profile, "report", account: AccountFacts) if
    viewer.user_type = "AA" and
    administers(viewer, account);

# ACC-5: the SAA edits only phone numbers, title and department on their own account.
allow(viewer: Profile, "update_contact", account: AccountFacts) if
    administers(viewer, account);
allow(viewer: Profile, "update_contact", account: AccountFacts) if
    viewer.user_type = "SAA" and
    account.relation = "SELF" and
    account.status != "DELETED";

allow(viewer: Profile, "activate", account: AccountFacts) if
    administers(viewer, account);
allow(viewer: Profile, "disable", account: AccountFacts) if
    administers(viewer, account);
allow(viewer: Profile, "delete", account: AccountFacts) if
    administers(viewer, account);
allow(viewer: Profile, "manage_entitlements", account: AccountFacts) if
    administers(viewer, account);

# ACC-6: an account the operator disabled is enabled only by the operator.
allow(viewer: Profile, "enable", account: AccountFacts) if
    administers(viewer, account) and
    account.status != "DISABLED_BY_OPERATOR";

# The operator disables and enables any account, and sets up the machine accounts it
# creates (ACC-9).
allow(viewer: Profile, action: String, account: AccountFacts) if
    viewer.operator and
    action in ["disable", "enable"] and
    account.relation != "SELF" and
    account.status != "DELETED";
allow(viewer: Profile, action: String, account: AccountFacts) if
    viewer.operator and
    action in ["activate", "manage_entitlements", "update", "update_contact", "delete"] and
    account.kind != "HUMAN" and
    account.status != "DELETED";

# AUTH-2, AUTH-3, AUTH-6: resetting a password or the security questions and lifting a
# lockout. Never on one's own account (SAME_ORG excludes SELF); an AA only for USER
# accounts (administers). An SAA's credentials are the operator's alone: the operator
# acts on any other account, the SAA's included.
allow(viewer: Profile, action: String, account: AccountFacts) if
    action in ["reset_credentials", "unlock"] and
    not viewer.operator and
    administers(viewer, account) and
    account.user_type != "SAA";
allow(viewer: Profile, action: String, account: AccountFacts) if
    viewer.operator and
    action in ["reset_credentials", "unlock"] and
    account.relation != "SELF" and
    account.status != "DELETED";
