# Individuals: IND-6.

allow(viewer: Profile, "read", _individual: IndividualFacts) if
    viewer.operator;

# An organization sees the individuals associated with it, through accounts that
# hold registration privileges.
allow(viewer: Profile, "read", individual: IndividualFacts) if
    viewer.reads_individuals and
    individual.associated;

# SSN and date of birth need the matching sensitive privilege on top of reading the
# record, for the operator too: least privilege has no exception for staff.
allow(viewer: Profile, "read_ssn", individual: IndividualFacts) if
    allow(viewer, "read", individual) and
    "REG_VIEW_SSN" in viewer.sensitive;

allow(viewer: Profile, "read_date_of_birth", individual: IndividualFacts) if
    allow(viewer, "read", individual) and
    "REG_VIEW_DOB" in viewer.sensitive;
