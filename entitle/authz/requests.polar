# SAA requests (REQ-1..REQ-10). Python supplies RequestFacts relative to the viewer.

# REQ-9 (stricter reading): a Replace SAA request is read by its requester, the operator
# and, through the passcode, its signatory.
allow(viewer: Profile, "read", _request: RequestFacts) if
    viewer.operator;
allow(_viewer: Profile, "read", request: RequestFacts) if
    request.by_passcode;
allow(viewer: Profile, "read", request: RequestFacts) if
    viewer.signed_in and
    request.mine and
    request.request_type = "REPLACE_SAA";
# REQ-9: an Update SAA request by the SAA who made it, while they are the SAA.
allow(viewer: Profile, "read", request: RequestFacts) if
    viewer.signed_in and
    request.mine and
    request.request_type = "UPDATE_SAA" and
    viewer.user_type = "SAA";

# REQ-1, REQ-2, REQ-3: the requester edits, sends, recalls and cancels their own request.
allow(viewer: Profile, "edit", request: RequestFacts) if
    viewer.signed_in and
    request.mine and
    request.request_type = "REPLACE_SAA";
allow(viewer: Profile, "edit", request: RequestFacts) if
    viewer.signed_in and
    request.mine and
    request.request_type = "UPDATE_SAA" and
    viewer.user_type = "SAA";

# REQ-4: the signatory decides with the passcode alone.
allow(_viewer: Profile, "sign", request: RequestFacts) if
    request.by_passcode;

# REQ-6: the operator reviews what the signatory approved.
allow(viewer: Profile, "review", _request: RequestFacts) if
    viewer.operator;

# REQ-1: any ACTIVE account of the organization may ask to replace its SAA (only ACTIVE
# accounts are signed in).
allow(viewer: Profile, "request_replace_saa", org: OrganizationFacts) if
    viewer.signed_in and
    org.own;

# REQ-2: only the SAA, for their own account.
allow(viewer: Profile, "request_update_saa", org: OrganizationFacts) if
    org.own and
    viewer.user_type = "SAA";
