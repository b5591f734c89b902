"""What sign-in checks besides the password: security answers, devices, attempts."""

from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from entitle.models.accounts import Account


class SecurityAnswer(Table):
    """AUTH-3: three per account, each answer stored only as an argon2 hash of its
    normalized form."""

    account = ForeignKey(Account, null=False, on_delete=OnDelete.cascade, index=True)
    position = Integer(help_text="1, 2 or 3.")
    question = Varchar(length=32, help_text="A code from the fixed list of questions.")
    answer_hash = Text()
    created_at = Timestamptz()


class Device(Table):
    """A browser or app that keeps a random device token (AUTH-3, AUTH-4, AUTH-10)."""

    token_hash = Varchar(length=64, unique=True, help_text="SHA-256 of the device token.")
    created_at = Timestamptz()
    last_seen_at = Timestamptz()


class DeviceAccount(Table):
    """What one device knows of one account."""

    device = ForeignKey(Device, null=False, on_delete=OnDelete.cascade, index=True)
    account = ForeignKey(Account, null=False, on_delete=OnDelete.cascade, index=True)
    remembered = Boolean(default=False, help_text="In the device's switching list (AUTH-10).")
    trusted = Boolean(default=False, help_text="'Remember this computer' (AUTH-3).")
    question_at = Timestamptz(null=True, default=None, help_text="Last security answer here.")
    mfa_at = Timestamptz(null=True, default=None, help_text="Last TOTP check here (AUTH-4).")
    remembered_at = Timestamptz(null=True, default=None)


class SignInAttempt(Table):
    """Every attempt to sign in or recover a password, by user ID as typed (normalized)
    and client address: throttling and the AUTH-2 count read it, for user IDs that do
    not exist as much as for those that do."""

    at = Timestamptz()
    address = Varchar(length=64)
    user_id = Varchar(length=64)
    kind = Varchar(length=16, help_text="PASSWORD or FORGOT.")
    outcome = Varchar(
        length=16,
        help_text="SUCCEEDED, FAILED, THROTTLED, REFUSED, LOCKOUT (the lock began), CLEARED, "
        "or PENDING (recorded before the password is judged).",
    )
