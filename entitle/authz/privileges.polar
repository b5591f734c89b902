# Privileges: the children of the entitlement catalog (ENT-1, ORG-2).

allow(viewer: Profile, "read", _privilege: PrivilegeFacts) if
    viewer.operator;

# An organization sees the privileges available to its type.
allow(viewer: Profile, "read", privilege: PrivilegeFacts) if
    viewer.signed_in and
    privilege.available;
