"""Every setting, read from environment variables only."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from starlette.config import Config
from starlette.datastructures import Secret


class Env(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class SettingsError(RuntimeError):
    """A setting is missing or malformed; raised at start-up, never mid-request."""


# Development and test data never leave the machine, so a fixed key is acceptable there;
# production refuses to start without ENTITLE_DATA_KEYS (no secret has a default).
_DEV_DATA_KEY = base64.urlsafe_b64encode(
    hashlib.sha256(b"entitle development data key - never use in production").digest()
).decode()


@dataclass(frozen=True)
class Settings:
    env: Env
    database_url: str
    host: str
    port: int
    demo_password: Secret | None
    data_keys: tuple[Secret, ...]
    session_idle_seconds: int = 27 * 60
    graphiql: bool = True
    max_query_depth: int = 12
    max_page_size: int = 500
    max_query_nodes: int = 50_000
    log_level: str = "INFO"
    public_url: str = "http://127.0.0.1:8000"
    smtp_url: Secret | None = None
    mail_from: str = "entitle@localhost"
    activation_link_hours: int = 72
    jobs_interval_seconds: int = 60
    workers: int = 1
    terms_version: str = "2026-11"
    question_interval_days: int = 30
    sign_in_step_minutes: int = 10
    reset_link_hours: int = 24
    sign_in_per_address_per_minute: int = 30
    sign_in_per_user_per_minute: int = 10
    # AUTH-8: an account unused this long is deleted; warnings go out this many days before.
    dormancy_days: int = 180
    dormancy_warning_days: tuple[int, ...] = (7, 14)
    # Report exports: where their zip files are written, and how long each may be downloaded.
    export_dir: str = "var/exports"
    export_hours: int = 24

    @property
    def is_production(self) -> bool:
        return self.env is Env.PRODUCTION

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> str:
        return self.database_url.removeprefix("sqlite:///")


class _Config(Config):
    # starlette raises a bare ValueError for a value its cast refuses; the CLI reports only
    # SettingsError in one line, so ENTITLE_WORKERS=abc used to end in a traceback.
    def _perform_cast(self, key, value, cast=None):
        try:
            return super()._perform_cast(key, value, cast)
        except ValueError as exc:
            raise SettingsError(str(exc)) from exc


# Whole-number settings and their least (and greatest) sensible value: a negative idle time
# would expire every session at once, a page size of 0 empties every list, a negative depth
# refuses every query, and a negative jobs interval was taken as "off" without a word.
_BOUNDS: dict[str, tuple[str, int, int | None]] = {
    "port": ("ENTITLE_PORT", 1, 65535),
    "session_idle_seconds": ("ENTITLE_SESSION_IDLE_SECONDS", 60, None),
    "max_query_depth": ("ENTITLE_MAX_QUERY_DEPTH", 1, None),
    "max_page_size": ("ENTITLE_MAX_PAGE_SIZE", 1, None),
    "max_query_nodes": ("ENTITLE_MAX_QUERY_NODES", 1, None),
    "activation_link_hours": ("ENTITLE_ACTIVATION_LINK_HOURS", 1, None),
    "jobs_interval_seconds": ("ENTITLE_JOBS_INTERVAL_SECONDS", 0, None),  # 0: timer off
    "question_interval_days": ("ENTITLE_QUESTION_INTERVAL_DAYS", 1, None),
    "sign_in_step_minutes": ("ENTITLE_SIGN_IN_STEP_MINUTES", 1, None),
    "reset_link_hours": ("ENTITLE_RESET_LINK_HOURS", 1, None),
    "sign_in_per_address_per_minute": ("ENTITLE_SIGN_IN_PER_ADDRESS_PER_MINUTE", 1, None),
    "sign_in_per_user_per_minute": ("ENTITLE_SIGN_IN_PER_USER_PER_MINUTE", 1, None),
}


def _check_bounds(settings: Settings) -> Settings:
    for field, (name, least, most) in _BOUNDS.items():
        value = getattr(settings, field)
        if value < least or (most is not None and value > most):
            upper = f" and at most {most}" if most is not None else ""
            raise SettingsError(f"{name} must be at least {least}{upper} (got {value})")
    return settings


def _dormancy(raw_days: str, raw_warnings: str) -> tuple[int, tuple[int, ...]]:
    """AUTH-8: the dormancy period and the warning days before it, ascending."""
    try:
        days = int(raw_days)
    except ValueError as exc:
        raise SettingsError("ENTITLE_DORMANCY_DAYS must be a whole number of days") from exc
    if days < 2:
        # A shorter period leaves no day before deletion for the warning AUTH-8 promises.
        raise SettingsError("ENTITLE_DORMANCY_DAYS must be at least 2")
    try:
        warnings = tuple(sorted({int(part) for part in raw_warnings.split(",") if part.strip()}))
    except ValueError as exc:
        raise SettingsError(
            "ENTITLE_DORMANCY_WARNING_DAYS must be comma-separated whole days, such as 14,7"
        ) from exc
    # AUTH-8 promises warnings before deletion, so at least one, and each one inside the
    # dormancy period: a warning due before the account's last use could never be sent.
    if not warnings:
        raise SettingsError("ENTITLE_DORMANCY_WARNING_DAYS needs at least one day")
    if warnings[0] < 1 or warnings[-1] >= days:
        raise SettingsError(
            f"ENTITLE_DORMANCY_WARNING_DAYS must lie between 1 and {days - 1} "
            "(less than ENTITLE_DORMANCY_DAYS)"
        )
    return days, warnings


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings from `environ` (default: the process environment)."""
    config = _Config(environ=dict(os.environ if environ is None else environ))
    try:
        env = Env(config("ENTITLE_ENV", default="development").lower())
    except ValueError as exc:
        raise SettingsError(f"ENTITLE_ENV must be one of {[e.value for e in Env]}") from exc

    database_url = config("ENTITLE_DATABASE_URL", default="sqlite:///entitle.sqlite")
    if not database_url.startswith(("sqlite:///", "postgresql://", "postgres://")):
        raise SettingsError("ENTITLE_DATABASE_URL must be sqlite:///path or postgresql://...")

    raw_keys = config("ENTITLE_DATA_KEYS", cast=Secret, default=None)
    if raw_keys is None:
        if env is Env.PRODUCTION:
            raise SettingsError("ENTITLE_DATA_KEYS is required in production")
        data_keys: tuple[Secret, ...] = (Secret(_DEV_DATA_KEY),)
    else:
        data_keys = tuple(Secret(k.strip()) for k in str(raw_keys).split(",") if k.strip())

    workers = config("ENTITLE_WORKERS", cast=int, default=1)
    if workers < 1:
        raise SettingsError("ENTITLE_WORKERS must be at least 1")
    if workers > 1 and database_url.startswith("sqlite"):
        # One process owns a SQLite file: its connection pool and its job scheduler assume so.
        raise SettingsError("ENTITLE_WORKERS > 1 needs PostgreSQL")

    dormancy_days, dormancy_warning_days = _dormancy(
        config("ENTITLE_DORMANCY_DAYS", default="180"),
        config("ENTITLE_DORMANCY_WARNING_DAYS", default="14,7"),
    )

    export_hours = config("ENTITLE_EXPORT_HOURS", cast=int, default=24)
    if export_hours < 1:
        raise SettingsError("ENTITLE_EXPORT_HOURS must be at least 1")

    host = config("ENTITLE_HOST", default="127.0.0.1")
    port = config("ENTITLE_PORT", cast=int, default=8000)
    settings = Settings(
        env=env,
        database_url=database_url,
        host=host,
        port=port,
        demo_password=config("ENTITLE_DEMO_PASSWORD", cast=Secret, default=None),
        data_keys=data_keys,
        session_idle_seconds=config("ENTITLE_SESSION_IDLE_SECONDS", cast=int, default=27 * 60),
        graphiql=config("ENTITLE_GRAPHIQL", cast=bool, default=True),
        max_query_depth=config("ENTITLE_MAX_QUERY_DEPTH", cast=int, default=12),
        max_page_size=config("ENTITLE_MAX_PAGE_SIZE", cast=int, default=500),
        max_query_nodes=config("ENTITLE_MAX_QUERY_NODES", cast=int, default=50_000),
        log_level=config("ENTITLE_LOG_LEVEL", default="INFO"),
        # Links in emails and export downloads reach the server as started, unless it sits
        # behind a proxy with an address of its own.
        public_url=config("ENTITLE_PUBLIC_URL", default=f"http://{host}:{port}").rstrip("/"),
        smtp_url=config("ENTITLE_SMTP_URL", cast=Secret, default=None),
        mail_from=config("ENTITLE_MAIL_FROM", default="entitle@localhost"),
        activation_link_hours=config("ENTITLE_ACTIVATION_LINK_HOURS", cast=int, default=72),
        jobs_interval_seconds=config("ENTITLE_JOBS_INTERVAL_SECONDS", cast=int, default=60),
        workers=workers,
        terms_version=config("ENTITLE_TERMS_VERSION", default="2026-11"),
        question_interval_days=config("ENTITLE_QUESTION_INTERVAL_DAYS", cast=int, default=30),
        sign_in_step_minutes=config("ENTITLE_SIGN_IN_STEP_MINUTES", cast=int, default=10),
        reset_link_hours=config("ENTITLE_RESET_LINK_HOURS", cast=int, default=24),
        sign_in_per_address_per_minute=config(
            "ENTITLE_SIGN_IN_PER_ADDRESS_PER_MINUTE", cast=int, default=30
        ),
        sign_in_per_user_per_minute=config(
            "ENTITLE_SIGN_IN_PER_USER_PER_MINUTE", cast=int, default=10
        ),
        dormancy_days=dormancy_days,
        dormancy_warning_days=dormancy_warning_days,
        export_dir=config("ENTITLE_EXPORT_DIR", default="var/exports"),
        export_hours=export_hours,
    )
    return _check_bounds(settings)
