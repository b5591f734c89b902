"""GraphQL enums, from the domain vocabularies (values as in RULES.md)."""

import strawberry

from entitle import enums

OrgType = strawberry.enum(enums.OrgType, description="ORG-2: organization types.")
OrgClass = strawberry.enum(enums.OrgClass, description="ORG-2: organization classes.")
AccountKind = strawberry.enum(enums.AccountKind, description="People, and machine accounts.")
AccountStatus = strawberry.enum(enums.AccountStatus, description="ACC-4: account statuses.")
UserType = strawberry.enum(enums.UserType, description="ACC-4: SAA, AA or USER.")
PrivilegeLevel = strawberry.enum(enums.PrivilegeLevel, description="The level of a grant.")
IdentifierKind = strawberry.enum(enums.IdentifierKind, description="ENT-5: identifier kinds.")
CertificationStatus = strawberry.enum(
    enums.CertificationStatus,
    description="CERT-1, CERT-4: an organization's place in the current certification period.",
)
