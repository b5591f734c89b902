# Grants (a privilege held by an account at USER or ADMIN level): ENT-2, ACC-8.

allow(viewer: Profile, "read", _grant: GrantFacts) if
    viewer.operator;

allow(viewer: Profile, "read", grant: GrantFacts) if
    viewer.signed_in and
    grant.holder = "SELF";

allow(viewer: Profile, "read", grant: GrantFacts) if
    viewer.user_type = "SAA" and
    grant.holder = "SAME_ORG";

# An AA sees only the entitlements they administer (ACC-8, G 5 step 4).
allow(viewer: Profile, "read", grant: GrantFacts) if
    viewer.user_type = "AA" and
    viewer.manages_accounts and
    grant.holder = "SAME_ORG" and
    grant.administered;

# Changing a grant: granting, changing its level or revoking it (ENT-2). Whether the
# viewer may touch the account at all is the account's "manage_entitlements"; a
# privilege must always be available to the account's organization type (ORG-2).
allow(viewer: Profile, "change", change: GrantChangeFacts) if
    viewer.operator and
    change.available;

# The SAA holds ADMIN on every privilege available to the organization (ENT-2).
allow(viewer: Profile, "change", change: GrantChangeFacts) if
    viewer.user_type = "SAA" and
    change.available and
    change.administered;

# An AA changes only what they hold ADMIN on, and only the SAA grants ADMIN level.
allow(viewer: Profile, "change", change: GrantChangeFacts) if
    viewer.user_type = "AA" and
    viewer.manages_accounts and
    change.available and
    change.administered and
    change.level = "USER";
