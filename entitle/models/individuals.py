from piccolo.columns import ForeignKey, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from entitle.models.organizations import Organization


class Individual(Table):
    """A natural person with a CRD record (IND-1); SSN and date of birth are encrypted."""

    crd_number = Varchar(length=16, unique=True)
    first_name = Varchar(length=100)
    middle_name = Varchar(length=100, null=True, default=None)
    last_name = Varchar(length=100)
    ssn_ciphertext = Text(null=True, default=None)
    ssn_digest = Varchar(
        length=64,
        null=True,
        default=None,
        unique=True,
        help_text="Keyed HMAC of the SSN, to match a sign-up without decrypting every row.",
    )
    date_of_birth_ciphertext = Text(null=True, default=None)
    created_at = Timestamptz()


class IndividualAssociation(Table):
    """An individual's association with an organization (employment or registration)."""

    individual = ForeignKey(Individual, null=False, on_delete=OnDelete.cascade, index=True)
    organization = ForeignKey(Organization, null=False, on_delete=OnDelete.cascade, index=True)
    started_at = Timestamptz()
