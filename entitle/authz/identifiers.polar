# Organization identifiers (TRACE MPID, EQUITY MPID, MSRB): ENT-5.

allow(viewer: Profile, "read", _identifier: IdentifierFacts) if
    viewer.operator;

# Anyone sees the identifiers assigned to them; an AA sees only those (ENT-5).
allow(viewer: Profile, "read", identifier: IdentifierFacts) if
    viewer.signed_in and
    identifier.held;

allow(viewer: Profile, "read", identifier: IdentifierFacts) if
    viewer.user_type = "SAA" and
    identifier.own_org;

# Assigning or unassigning an identifier (ENT-5): an AA only those assigned to them.
allow(viewer: Profile, "assign", _identifier: IdentifierFacts) if
    viewer.operator;
allow(viewer: Profile, "assign", identifier: IdentifierFacts) if
    viewer.user_type = "SAA" and
    identifier.own_org;
allow(viewer: Profile, "assign", identifier: IdentifierFacts) if
    viewer.user_type = "AA" and
    viewer.manages_accounts and
    identifier.own_org and
    identifier.held;
