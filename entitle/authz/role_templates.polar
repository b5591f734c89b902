# Role templates (ROLE-4): defined by the operator per organization class.

allow(viewer: Profile, "read", _template: RoleTemplateFacts) if
    viewer.operator;

allow(viewer: Profile, "read", template: RoleTemplateFacts) if
    viewer.user_type = "SAA" and
    template.own_class;
