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
