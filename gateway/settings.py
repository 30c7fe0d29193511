"""One Settings object, read from the environment."""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import secrets
from pathlib import Path
from typing import Mapping

DEFAULT_DATA_DIR = Path("var")
SECRET_FILE_NAME = "secret_key"
LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(Exception):
    """A setting is missing or wrong; the message says which and how to fix it."""


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclasses.dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: bytes
    public_url: str = "http://127.0.0.1:8080"
    introspection: bool = True
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    query_stats: bool = False
    plugins: tuple[str, ...] = ()
    disable_plugins: tuple[str, ...] = ()
    cors_origins: tuple[str, ...] = ()
    # Earlier secret keys: PINs stored under one still log in, and are stored again under the current key.
    previous_secret_keys: tuple[bytes, ...] = ()
    log_format: str = "text"  # or "json"
    log_level: str = "INFO"
    metrics_token: str | None = None  # when set, /metrics wants "Authorization: Bearer <token>"

    @property
    def pin_keys(self) -> tuple[bytes, ...]:
        """Every key a stored PIN may be under: the current one first."""
        return (self.secret_key, *self.previous_secret_keys)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> "Settings":
        env = os.environ if env is None else env
        data_dir = Path(env.get("PAIRGATE_DATA_DIR") or DEFAULT_DATA_DIR)
        database_url = overrides.pop("database_url", None) or env.get("PAIRGATE_DATABASE_URL")
        if not database_url:
            database_url = f"sqlite://{data_dir / 'pairgate.sqlite3'}"
        database_url = _normalise_db_url(database_url)

        secret = overrides.pop("secret_key", None) or env.get("PAIRGATE_SECRET_KEY")
        if secret:
            secret_key = secret.encode() if isinstance(secret, str) else secret
        elif database_url.startswith("sqlite"):
            secret_key = _secret_beside(database_url, data_dir)
        else:
            raise SettingsError(
                "PAIRGATE_SECRET_KEY is required with PostgreSQL: every gateway process "
                "must share it (generate one with: python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))')"
            )
        if len(secret_key) < 32:
            raise SettingsError("PAIRGATE_SECRET_KEY must be at least 32 characters long")
        previous = tuple(key.encode() for key in _names(env.get("PAIRGATE_PREVIOUS_SECRET_KEYS", "")))
        if any(len(key) < 32 for key in previous):
            raise SettingsError("PAIRGATE_PREVIOUS_SECRET_KEYS: each key is at least 32 characters long "
                                "(give the earlier keys exactly as they were, separated by commas)")
        log_format = (env.get("PAIRGATE_LOG_FORMAT") or "text").strip().lower()
        if log_format not in LOG_FORMATS:
            raise SettingsError(f"PAIRGATE_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}")
        log_level = (env.get("PAIRGATE_LOG_LEVEL") or "INFO").strip().upper()
        if log_level not in LOG_LEVELS:
            raise SettingsError(f"PAIRGATE_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {log_level!r}")

        values = dict(
            database_url=database_url,
            secret_key=secret_key,
            public_url=(env.get("PAIRGATE_PUBLIC_URL") or cls.public_url).rstrip("/"),
            introspection=_flag(env.get("PAIRGATE_INTROSPECTION"), True),
            trusted_proxies=_networks(env.get("PAIRGATE_TRUSTED_PROXIES", "")),
            query_stats=_flag(env.get("PAIRGATE_QUERY_STATS"), False),
            plugins=_names(env.get("PAIRGATE_PLUGINS", "")),
            disable_plugins=_names(env.get("PAIRGATE_DISABLE_PLUGINS", "")),
            cors_origins=tuple(origin.rstrip("/") for origin in _names(env.get("PAIRGATE_CORS_ORIGINS", ""))),
            # The current key is not an earlier one, whatever the list says.
            previous_secret_keys=tuple(key for key in dict.fromkeys(previous) if key != secret_key),
            log_format=log_format,
            log_level=log_level,
            metrics_token=env.get("PAIRGATE_METRICS_TOKEN") or None,
        )
        values.update(overrides)
        return cls(**values)


def _normalise_db_url(url: str) -> str:
    # Tortoise spells the scheme "postgres"; accept the other common spellings.
    for prefix in ("postgresql+asyncpg://", "postgresql://"):
        if url.startswith(prefix):
            return "postgres://" + url[len(prefix):]
    return url


def _names(raw: str) -> tuple[str, ...]:
    return tuple(filter(None, (part.strip() for part in raw.split(","))))


def _networks(raw: str):
    networks = []
    for item in filter(None, (part.strip() for part in raw.split(","))):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise SettingsError(f"PAIRGATE_TRUSTED_PROXIES: {item!r} is not an address or network") from exc
    return tuple(networks)


def _secret_beside(database_url: str, data_dir: Path) -> bytes:
    """Read, or create once, a 0600 secret file next to the SQLite database."""
    path = database_url.split("://", 1)[1]
    folder = data_dir if path in ("", ":memory:") else Path(path).parent
    folder.mkdir(parents=True, exist_ok=True)
    secret_file = folder / SECRET_FILE_NAME
    try:
        # O_EXCL: two processes starting at once agree on one key.
        fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return secret_file.read_bytes().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    return secret_file.read_bytes().strip()
