# Saved role views (ROLE-10): each admin's own, seen and changed by no one else.

allow(viewer: Profile, action: String, view: RoleViewFacts) if
    action in ["read", "delete"] and
    viewer.signed_in and
    view.own;

# Who searches roles may save searches: the SAA, and AAs with Assign Roles (ROLE-7).
allow(viewer: Profile, "save_role_view", org: OrganizationFacts) if
    org.own and
    viewer.user_type = "SAA";
allow(viewer: Profile, "save_role_view", org: OrganizationFacts) if
    org.own and
    viewer.user_type = "AA" and
    viewer.assigns_roles;
