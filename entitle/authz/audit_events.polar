# The audit log (REP-2): the SAA reads their organization's, the operator every one.

allow(viewer: Profile, "read", _event: AuditEventFacts) if
    viewer.operator;

# REQ-9: a Replace SAA request is hidden from the SAA it would replace, so its events are too;
# the SAA reads the requests they may see, with their history, on the requests themselves.
allow(viewer: Profile, "read", event: AuditEventFacts) if
    viewer.user_type = "SAA" and
    event.own_org and
    not event.about_request;
