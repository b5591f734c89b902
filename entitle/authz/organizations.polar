# Organizations. Python supplies OrganizationFacts relative to the viewer.

# The operator runs the program and sees every organization.
allow(viewer: Profile, "read", _org: OrganizationFacts) if
    viewer.operator;

# Everyone else sees only their own organization.
allow(viewer: Profile, "read", org: OrganizationFacts) if
    viewer.signed_in and
    org.own;
