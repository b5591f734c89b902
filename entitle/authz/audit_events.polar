# The audit log (REP-2): the SAA reads their organization's, the operator every one.

allow(viewer: Profile, "read", _event: AuditEventFacts) if
    viewer.operator;

allow(viewer: Profile, "read", event: AuditEventFacts) if
    viewer.user_type = "SAA" and
    event.own_org;
