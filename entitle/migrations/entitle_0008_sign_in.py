"""Sign-in steps, security answers, devices, attempts and lockouts (AUTH-1..10)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

ID = "2026-11-22T02:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sign-in steps, security answers, devices, attempts, lockouts"


# Snapshots of the tables as this migration leaves them: later model changes must not
# change what this migration does.
class Account(Table, tablename="account"):
    pass


class Device(Table, tablename="device"):
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    last_seen_at = Timestamptz()


class SecurityAnswer(Table, tablename="security_answer"):
    account = ForeignKey(Account, null=False, on_delete=OnDelete.cascade, index=True)
    position = Integer()
    question = Varchar(length=32)
    answer_hash = Text()
    created_at = Timestamptz()


class DeviceAccount(Table, tablename="device_account"):
    device = ForeignKey(Device, null=False, on_delete=OnDelete.cascade, index=True)
    account = ForeignKey(Account, null=False, on_delete=OnDelete.cascade, index=True)
    remembered = Boolean(default=False)
    trusted = Boolean(default=False)
    question_at = Timestamptz(null=True, default=None)
    mfa_at = Timestamptz(null=True, default=None)
    remembered_at = Timestamptz(null=True, default=None)


class SignInAttempt(Table, tablename="sign_in_attempt"):
    at = Timestamptz()
    address = Varchar(length=64)
    user_id = Varchar(length=64)
    kind = Varchar(length=16)
    outcome = Varchar(length=16)


class Session(Table, tablename="account_session"):
    pass


class AccountToken(Table, tablename="account_token"):
    pass


NEW_COLUMNS = [
    (Account, "terms_version", Varchar(length=16, null=True, default=None)),
    (Account, "terms_accepted_at", Timestamptz(null=True, default=None)),
    (Account, "totp_secret", Text(null=True, default=None)),
    (Account, "totp_enrolled_at", Timestamptz(null=True, default=None)),
    (Account, "totp_step", Integer(null=True, default=None)),
    (Account, "locked_until", Timestamptz(null=True, default=None)),
    (Account, "answer_failures", Integer(default=0)),
    (Session, "stage", Varchar(length=32, default="DONE")),
    (Session, "stage_expires_at", Timestamptz(null=True, default=None)),
    (Session, "device", ForeignKey(Device, null=True, on_delete=OnDelete.set_null)),
    (Session, "question", Varchar(length=32, null=True, default=None)),
    (Session, "question_passed", Boolean(default=False)),
    (Session, "remember_account", Boolean(default=False)),
    (Session, "failures", Integer(default=0)),
    (AccountToken, "question", Varchar(length=32, null=True, default=None)),
]

INDEXES = [
    # AUTH-3: three different questions in three positions.
    "CREATE UNIQUE INDEX security_answer_position ON security_answer (account, position)",
    "CREATE UNIQUE INDEX security_answer_question ON security_answer (account, question)",
    "CREATE UNIQUE INDEX device_account_pair ON device_account (device, account)",
    # Throttling and lockout count recent attempts per user ID and per address.
    "CREATE INDEX sign_in_attempt_user ON sign_in_attempt (user_id, at)",
    "CREATE INDEX sign_in_attempt_address ON sign_in_attempt (address, at)",
    "CREATE INDEX account_session_device ON account_session (device)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="entitle", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        for table in (Account, Device, SecurityAnswer, DeviceAccount, SignInAttempt, Session,
                      AccountToken):
            table._meta.db = engine
        for table in (Device, SecurityAnswer, DeviceAccount, SignInAttempt):
            await table.create_table().run()
        for table, name, column in NEW_COLUMNS:
            await table.alter().add_column(name, column).run()
        for ddl in INDEXES:
            await engine.run_ddl(ddl)

    manager.add_raw(run)
    return manager
