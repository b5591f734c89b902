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
