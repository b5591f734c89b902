from piccolo.columns import Date, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from entitle.enums import AccountKind, AccountStatus, UserType
from entitle.models.organizations import Organization


class Account(Table):
    user_id = Varchar(length=64, unique=True, help_text="Sign-in name, lowercase, platform-wide.")
    organization = ForeignKey(Organization, null=False, on_delete=OnDelete.restrict, index=True)
    first_name = Varchar(length=100)
    middle_name = Varchar(length=100, null=True, default=None)
    last_name = Varchar(length=100)
    email = Varchar(length=254)
    phone = Varchar(length=32)
    cell_phone = Varchar(length=32, null=True, default=None)
    title = Varchar(length=100, null=True, default=None)
    department = Varchar(length=100, null=True, default=None)
    kind = Varchar(length=8, choices=AccountKind, default=AccountKind.HUMAN)
    user_type = Varchar(length=8, choices=UserType, default=UserType.USER)
    status = Varchar(length=32, choices=AccountStatus, default=AccountStatus.DRAFT, index=True)
    password_hash = Text(null=True, default=None, help_text="argon2id; never the password.")
    created_by = ForeignKey("self", null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()
    activation_date = Date(null=True, default=None)
    activated_at = Timestamptz(null=True, default=None)
    last_sign_in_at = Timestamptz(null=True, default=None)
    disabled_by = ForeignKey("self", null=True, on_delete=OnDelete.set_null)
    disabled_at = Timestamptz(null=True, default=None)
    deleted_by = ForeignKey("self", null=True, on_delete=OnDelete.set_null)
    deleted_at = Timestamptz(null=True, default=None)
    deleted_reason = Text(null=True, default=None)
    disabled_reason = Text(null=True, default=None)
    draft_reminders_sent = Integer(default=0, help_text="ACC-2 reminders sent to the creator.")
    dormancy_warnings = Integer(default=0, help_text="AUTH-8 warnings sent since the last use.")
    dormancy_warned_at = Timestamptz(
        null=True, default=None, help_text="AUTH-8: when the latest dormancy warning went out."
    )

    # Sign-in (AUTH-2, AUTH-3, AUTH-4, AUTH-9).
    terms_version = Varchar(length=16, null=True, default=None, help_text="Terms accepted.")
    terms_accepted_at = Timestamptz(null=True, default=None)
    totp_secret = Text(null=True, default=None, help_text="Encrypted; set at enrollment.")
    totp_enrolled_at = Timestamptz(null=True, default=None, help_text="First code verified.")
    totp_step = Integer(null=True, default=None, help_text="Last accepted TOTP time step.")
    locked_until = Timestamptz(null=True, default=None, help_text="End of a PASSWORD_LOCKOUT.")
    answer_failures = Integer(default=0, help_text="Wrong security answers in a row.")


# What every read of an account fetches: all but the secrets, which only sign-in reads.
READ_COLUMNS = tuple(
    Account.all_columns(exclude=[Account.password_hash, Account.totp_secret, Account.totp_step])
)
