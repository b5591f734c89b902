from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, Timestamptz, Varchar
from piccolo.table import Table

from entitle.models.accounts import Account
from entitle.models.credentials import Device


class Session(Table, tablename="account_session"):
    token_hash = Varchar(length=64, unique=True, help_text="SHA-256 of the bearer token.")
    account = ForeignKey(Account, null=False, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz()
    last_seen_at = Timestamptz()
    ended_at = Timestamptz(null=True, default=None)
    # A sign-in in progress is a session whose token is good only for its next step.
    stage = Varchar(length=32, default="DONE", help_text="The step awaited, or DONE.")
    stage_expires_at = Timestamptz(null=True, default=None)
    device = ForeignKey(Device, null=True, on_delete=OnDelete.set_null)
    question = Varchar(length=32, null=True, default=None, help_text="The question asked.")
    question_passed = Boolean(default=False)
    remember_account = Boolean(default=False)
    failures = Integer(default=0, help_text="Wrong TOTP codes in this sign-in.")
