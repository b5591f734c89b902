# Authorized signatories (ORG-5): the operator keeps each organization's list up to date
# from its filings; requesters choose from their own organization's list.

allow(viewer: Profile, "read", _signatory: SignatoryFacts) if
    viewer.operator;
allow(viewer: Profile, "read", signatory: SignatoryFacts) if
    viewer.signed_in and
    signatory.own_org;

allow(viewer: Profile, "manage", _signatory: SignatoryFacts) if
    viewer.operator;
