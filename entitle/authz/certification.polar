# Yearly user accounts certification (CERT-1, CERT-3, CERT-4).

# CERT-1: the operator opens the periods and lists them.
allow(viewer: Profile, "read", _period: CertificationPeriodFacts) if
    viewer.operator;
allow(viewer: Profile, "open", _period: CertificationPeriodFacts) if
    viewer.operator;

# CERT-1: an organization's certification status, for the operator and its admins.
allow(viewer: Profile, "read_certification", _org: OrganizationFacts) if
    viewer.operator;
allow(viewer: Profile, "read_certification", org: OrganizationFacts) if
    org.own and
    viewer.user_type = "SAA";
allow(viewer: Profile, "read_certification", org: OrganizationFacts) if
    org.own and
    viewer.user_type = "AA";

# CERT-3: only the organization's SAA certifies.
allow(viewer: Profile, "certify", org: OrganizationFacts) if
    org.own and
    viewer.user_type = "SAA";

# CERT-4, G 18.2: the operator may suspend all the accounts of a past-due organization, and
# lifts the suspension (certifying does not: a suspended SAA cannot sign in to certify).
# The service refuses the operator's own organization, which would lock out everyone able
# to lift it.
allow(viewer: Profile, "suspend", _org: OrganizationFacts) if
    viewer.operator;
allow(viewer: Profile, "lift_suspension", _org: OrganizationFacts) if
    viewer.operator;

# CERT-4: whether, since when and why an organization is suspended: for the operator and,
# like its certification, for its SAA and AAs.
allow(viewer: Profile, "read_suspension", _org: OrganizationFacts) if
    viewer.operator;
allow(viewer: Profile, "read_suspension", org: OrganizationFacts) if
    org.own and
    viewer.user_type = "SAA";
allow(viewer: Profile, "read_suspension", org: OrganizationFacts) if
    org.own and
    viewer.user_type = "AA";
