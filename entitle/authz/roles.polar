# Roles: ROLE-1, ROLE-3, ROLE-7.

allow(viewer: Profile, "read", _role: RoleFacts) if
    viewer.operator;

allow(viewer: Profile, "read", role: RoleFacts) if
    viewer.user_type = "SAA" and
    role.own_org;

# ROLE-7: an AA with Assign Roles views every role of the organization.
allow(viewer: Profile, "read", role: RoleFacts) if
    viewer.user_type = "AA" and
    viewer.assigns_roles and
    role.own_org;

# Anyone sees the roles they hold.
allow(viewer: Profile, "read", role: RoleFacts) if
    viewer.signed_in and
    role.held;

# ROLE-1: only the SAA edits and deletes roles; a deleted role is read-only.
allow(viewer: Profile, action: String, role: RoleFacts) if
    action in ["update", "delete"] and
    viewer.user_type = "SAA" and
    role.own_org and
    role.status = "ACTIVE";

# Assigning or unassigning (ROLE-7). Whether the viewer may change the account itself is
# the account's "manage_entitlements", which keeps an AA to USER accounts not their own.
allow(viewer: Profile, "assign", role: RoleFacts) if
    viewer.user_type = "SAA" and
    role.own_org;

# ENT-2: only the SAA grants ADMIN level, so an AA assigns only roles whose grants are all
# at USER level (ROLE-6: an ADMIN role would make its holder an AA).
allow(viewer: Profile, "assign", role: RoleFacts) if
    viewer.user_type = "AA" and
    viewer.manages_accounts and
    viewer.assigns_roles and
    role.own_org and
    role.administered_all and
    not role.grants_admin;
