# Applications: the parents of the entitlement catalog (ENT-1). The catalog's shape is
# reference data every signed-in account may read.

allow(viewer: Profile, "read", _application: ApplicationFacts) if
    viewer.signed_in;
