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
