import os

import pytest

from gateway.settings import Settings, SettingsError


def test_sqlite_secret_is_generated_once_with_0600(tmp_path):
    env = {"PAIRGATE_DATA_DIR": str(tmp_path)}
    first = Settings.from_env(env)
    assert first.database_url == f"sqlite://{tmp_path / 'pairgate.sqlite3'}"
    assert os.stat(tmp_path / "secret_key").st_mode & 0o777 == 0o600
    assert Settings.from_env(env).secret_key == first.secret_key and len(first.secret_key) >= 32


def test_postgres_requires_a_secret_key():
    with pytest.raises(SettingsError, match="PAIRGATE_SECRET_KEY is required"):
        Settings.from_env({"PAIRGATE_DATABASE_URL": "postgresql://u@h/db"})
    settings = Settings.from_env({"PAIRGATE_DATABASE_URL": "postgresql://u@h/db", "PAIRGATE_SECRET_KEY": "k" * 40})
    assert settings.database_url == "postgres://u@h/db"


def test_short_secret_and_bad_proxy_are_refused():
    with pytest.raises(SettingsError, match="at least 32"):
        Settings.from_env({"PAIRGATE_SECRET_KEY": "short", "PAIRGATE_DATABASE_URL": "sqlite://:memory:"})
    with pytest.raises(SettingsError, match="TRUSTED_PROXIES"):
        Settings.from_env({"PAIRGATE_SECRET_KEY": "k" * 40, "PAIRGATE_TRUSTED_PROXIES": "not-an-ip"})


def test_flags_and_public_url():
    settings = Settings.from_env({"PAIRGATE_SECRET_KEY": "k" * 40, "PAIRGATE_INTROSPECTION": "0",
                                  "PAIRGATE_QUERY_STATS": "1", "PAIRGATE_PUBLIC_URL": "https://pos.example/",
                                  "PAIRGATE_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1"})
    assert (settings.introspection, settings.query_stats, settings.public_url) == (False, True, "https://pos.example")
    assert len(settings.trusted_proxies) == 2
