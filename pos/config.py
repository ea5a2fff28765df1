"""Settings from the environment. Nothing secret is a constant in the code."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ROLES = ("outlet", "central", "all")
LANGUAGES = ("id", "en")


class ConfigError(RuntimeError):
    pass


def _secret_key(instance_path: Path) -> str:
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_environment(instance_path: Path) -> dict[str, object]:
    role = os.environ.get("POS_ROLE", "all")
    if role not in ROLES:
        raise ConfigError(f"POS_ROLE must be one of {', '.join(ROLES)}, not {role!r}")
    language = os.environ.get("POS_LANGUAGE", "id")
    if language not in LANGUAGES:
        raise ConfigError(f"POS_LANGUAGE must be one of {', '.join(LANGUAGES)}")
    timezone = os.environ.get("POS_TIMEZONE", "Asia/Jakarta")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"POS_TIMEZONE {timezone!r} is not a known time zone") from exc
    limits = os.environ.get("POS_RATELIMIT_STORAGE") or "memory://"
    if not limits.startswith(("memory://", "redis://", "rediss://")):
        raise ConfigError("POS_RATELIMIT_STORAGE must be memory:// or a redis:// (rediss://) address")
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'kmp-pos.sqlite3'}"
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    return {
        "POS_ROLE": role,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": _secret_key(instance_path),
        "POS_TIMEZONE": timezone,
        "BABEL_DEFAULT_LOCALE": language,
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "POS_OUTLET_CODE": os.environ.get("POS_OUTLET_CODE") or None,
        "SESSION_COOKIE_SECURE": _flag("POS_SECURE_COOKIES", False),
        "RATELIMIT_ENABLED": _flag("POS_RATELIMIT", True),
        # one store for every worker: central runs several gunicorn workers, so its limits live in Redis
        "RATELIMIT_STORAGE_URI": limits,
        "POS_CENTRAL_URL": os.environ.get("POS_CENTRAL_URL") or None,
        # Where customers open their receipts (/r/<token>): central's public address; else POS_CENTRAL_URL, else
        # this server's own address as the browser reached it.
        "POS_RECEIPT_URL": os.environ.get("POS_RECEIPT_URL") or None,
        "POS_SYNC_TOKEN": os.environ.get("POS_SYNC_TOKEN") or _read(instance_path / "sync_token"),
        "POS_SYNC_STALE_MINUTES": int(os.environ.get("POS_SYNC_STALE_MINUTES") or 60),
        "POS_BACKUP_DIR": os.environ.get("POS_BACKUP_DIR") or str(instance_path / "backups"),
        "POS_BACKUP_KEEP": int(os.environ.get("POS_BACKUP_KEEP") or 48),
        "POS_BACKUP_MINUTES": int(os.environ.get("POS_BACKUP_MINUTES") or 15),
    }


def instance_path() -> Path:
    return Path(os.environ.get("POS_INSTANCE_PATH") or Path(__file__).resolve().parent.parent / "instance")


def settings() -> dict[str, object]:
    """The settings the app would be built with, read without building it (``kmp-pos serve``'s master)."""
    return {**DEFAULTS, **from_environment(instance_path())}


def _read(path: Path) -> str | None:
    if not path.exists():
        return None
    return path.read_text().strip() or None


DEFAULTS: dict[str, object] = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "kmp_session",
    "MAX_CONTENT_LENGTH": 3 * 1024 * 1024,  # a catalogue file (2 MB) and its form
    "WTF_CSRF_TIME_LIMIT": None,
    "WTF_CSRF_SSL_STRICT": False,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    "POS_LOGIN_MAX_FAILURES": 5,
    "POS_LOGIN_LOCK_MINUTES": 15,
    "POS_SESSION_HOURS": 12,
}
