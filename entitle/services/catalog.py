"""Entitlement catalog facts the rest of the domain leans on (ENT-1, ENT-7, ORG-2)."""

# ENT-7: without it an AA administers nothing in account management.
MANAGE_ACCESS = "AM_MANAGE_ACCESS"
# ENT-7, ROLE-7: lets an AA assign roles.
ASSIGN_ROLES = "AM_ASSIGN_ROLES"
# IND-6: the application whose privileges open individuals' records.
REGISTRATION_APP = "REG"
