"""Settings come from the environment only; production has no secret defaults."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from entitle.services.crypto import DataCipher
from entitle.settings import Env, SettingsError, load_settings


def test_development_defaults_serve_a_local_sqlite_file():
    settings = load_settings({})
    assert settings.env is Env.DEVELOPMENT
    assert settings.database_url == "sqlite:///entitle.sqlite"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.session_idle_seconds == 27 * 60  # AUTH-5


def test_links_point_at_the_server_as_started_unless_a_public_url_is_set():
    assert load_settings({"ENTITLE_PORT": "8765"}).public_url == "http://127.0.0.1:8765"
    behind_proxy = {"ENTITLE_PORT": "8765", "ENTITLE_PUBLIC_URL": "https://entitle.example/"}
    assert load_settings(behind_proxy).public_url == "https://entitle.example"


def test_production_refuses_to_start_without_data_keys():
    with pytest.raises(SettingsError, match="ENTITLE_DATA_KEYS"):
        load_settings({"ENTITLE_ENV": "production"})


def test_production_with_keys_starts():
    key = Fernet.generate_key().decode()
    settings = load_settings({"ENTITLE_ENV": "production", "ENTITLE_DATA_KEYS": key})
    assert settings.is_production
    assert str(settings.data_keys[0]) == key
    assert key not in repr(settings)  # secrets do not leak through repr


@pytest.mark.parametrize(
    "environ",
    [
        {"ENTITLE_ENV": "staging"},
        {"ENTITLE_DATABASE_URL": "mysql://x"},
        {"ENTITLE_PORT": "eighty"},
    ],
)
def test_malformed_settings_fail_at_start_up(environ):
    with pytest.raises((SettingsError, ValueError)):
        load_settings(environ)


def test_data_keys_rotate_new_key_encrypts_old_key_still_decrypts():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    ciphertext = DataCipher(load_settings({"ENTITLE_DATA_KEYS": old}).data_keys).encrypt("x")
    rotated = DataCipher(load_settings({"ENTITLE_DATA_KEYS": f"{new},{old}"}).data_keys)
    assert rotated.decrypt(ciphertext) == "x"


def test_several_workers_need_postgresql():
    with pytest.raises(SettingsError, match="PostgreSQL"):
        load_settings({"ENTITLE_WORKERS": "2"})
    with pytest.raises(SettingsError, match="at least 1"):
        load_settings({"ENTITLE_WORKERS": "0"})
    settings = load_settings(
        {"ENTITLE_WORKERS": "2", "ENTITLE_DATABASE_URL": "postgresql://db.example/entitle"}
    )
    assert settings.workers == 2


def test_auth_8_dormancy_defaults_to_180_days_with_warnings_at_14_and_7():
    settings = load_settings({})
    assert settings.dormancy_days == 180
    assert settings.dormancy_warning_days == (7, 14)


def test_auth_8_dormancy_warning_days_are_parsed_and_sorted():
    settings = load_settings(
        {"ENTITLE_DORMANCY_DAYS": "90", "ENTITLE_DORMANCY_WARNING_DAYS": " 3, 30,10 "}
    )
    assert (settings.dormancy_days, settings.dormancy_warning_days) == (90, (3, 10, 30))


@pytest.mark.parametrize(
    "environ",
    [
        {"ENTITLE_DORMANCY_DAYS": "half a year"},
        {"ENTITLE_DORMANCY_DAYS": "1"},
        {"ENTITLE_DORMANCY_WARNING_DAYS": "14,seven"},
        {"ENTITLE_DORMANCY_WARNING_DAYS": " , "},
        {"ENTITLE_DORMANCY_WARNING_DAYS": "0,7"},
        {"ENTITLE_DORMANCY_WARNING_DAYS": "-1"},
        {"ENTITLE_DORMANCY_DAYS": "10", "ENTITLE_DORMANCY_WARNING_DAYS": "10"},
    ],
)
def test_auth_8_malformed_dormancy_settings_fail_at_start_up(environ):
    with pytest.raises(SettingsError, match="ENTITLE_DORMANCY"):
        load_settings(environ)


def test_export_lifetime_is_at_least_an_hour():
    assert load_settings({"ENTITLE_EXPORT_HOURS": "2"}).export_hours == 2
    with pytest.raises(SettingsError, match="ENTITLE_EXPORT_HOURS"):
        load_settings({"ENTITLE_EXPORT_HOURS": "0"})


@pytest.mark.parametrize(
    "environ",
    [
        {"ENTITLE_WORKERS": "abc"},
        {"ENTITLE_GRAPHIQL": "maybe"},
        {"ENTITLE_SESSION_IDLE_SECONDS": "-5"},
        {"ENTITLE_MAX_PAGE_SIZE": "0"},
        {"ENTITLE_MAX_QUERY_DEPTH": "-1"},
        {"ENTITLE_JOBS_INTERVAL_SECONDS": "-3"},
        {"ENTITLE_PORT": "99999"},
    ],
)
def test_nonsense_numbers_are_refused_as_settings_errors(environ):
    # A SettingsError is what the CLI reports in one line; anything else was a traceback.
    with pytest.raises(SettingsError, match=next(iter(environ))):
        load_settings(environ)
