# Organizations. Python supplies OrganizationFacts relative to the viewer.

# The operator runs the program and sees every organization.
allow(viewer: Profile, "read", _org: OrganizationFacts) if
    viewer.operator;

# Everyone else sees only their own organization.
allow(viewer: Profile, "read", org: OrganizationFacts) if
    viewer.signed_in and
    org.own;

# ACC-1: SAAs and AAs create accounts in their own organization.
allow(viewer: Profile, "create_account", org: OrganizationFacts) if
    org.own and
    viewer.user_type = "SAA";
allow(viewer: Profile, "create_account", org: OrganizationFacts) if
    org.own and
    viewer.user_type = "AA" and
    viewer.manages_accounts;

# ACC-9: machine accounts are created only by the operator.
allow(viewer: Profile, "create_machine_account", _org: OrganizationFacts) if
    viewer.operator;

# ACC-8: filtering a search by organization class is for the SAA (and the operator).
allow(viewer: Profile, "search_by_org_class", org: OrganizationFacts) if
    org.own and
    viewer.user_type = "SAA";
allow(viewer: Profile, "search_by_org_class", _org: OrganizationFacts) if
    viewer.operator;

# ROLE-1: only the SAA creates roles.
allow(viewer: Profile, "create_role", org: OrganizationFacts) if
    org.own and
    viewer.user_type = "SAA";

# ORG-6: after an SAA is deleted, only the operator establishes the organization's next SAA.
allow(viewer: Profile, "set_saa", _org: OrganizationFacts) if
    viewer.operator;

# ORG-7: the operator follows organizations without an SAA and how long they have been so.
allow(viewer: Profile, "read_saa_vacancy", _org: OrganizationFacts) if
    viewer.operator;
