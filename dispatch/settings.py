"""Settings from the environment, with defaults for the embedded setup; bad values fail fast.

The only module that reads environment variables: the app's config (`from_environment`) and what the
command line needs before or without an app (`serve_address`, `log_level`, `config_dir`, `var_dir`,
`database_url`). An empty variable counts as unset.
"""
from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from dispatch import files

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-only-not-secret"


class SettingsError(ValueError):
    """A setting has a value the system cannot run with."""


def _env(name: str) -> str | None:
    """The variable's value, None when unset or empty."""
    return os.environ.get(name) or None


def _flag(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}={value!r}: expected true/false")


def var_dir() -> Path:
    """DISPATCH_VAR_DIR: database, photos, generated secret (default var/)."""
    return Path(_env("DISPATCH_VAR_DIR") or ROOT / "var")


def config_dir() -> str:
    """DISPATCH_CONFIG_DIR: the street's config folder (default config/)."""
    return _env("DISPATCH_CONFIG_DIR") or str(ROOT / "config")


def database_url(var: Path | None = None) -> str:
    """DATABASE_URL, else SQLite under `var` (default: `var_dir()`)."""
    return _env("DATABASE_URL") or f"sqlite:///{(var or var_dir()) / 'dispatch.sqlite3'}"


def serve_address() -> tuple[str, int]:
    """HOST and PORT for `python run.py serve` (default 127.0.0.1:5000)."""
    port = _env("PORT") or "5000"
    if not port.isdigit() or int(port) > 65535:
        raise SettingsError(f"PORT={port!r}: expected a port number (0-65535)")
    return _env("HOST") or "127.0.0.1", int(port)


def log_level() -> str:
    """LOG_LEVEL for the command line's logging (default INFO)."""
    level = (_env("LOG_LEVEL") or "INFO").upper()
    if level not in logging.getLevelNamesMapping():
        raise SettingsError(f"LOG_LEVEL={level!r}: expected DEBUG, INFO, WARNING, ERROR or CRITICAL")
    return level


def from_environment(overrides: dict | None = None) -> dict:
    """Flask config keys from the environment (DATABASE_URL, DISPATCH_*, SECRET_KEY), then `overrides`."""
    overrides = overrides or {}
    var = Path(overrides.get("VAR_DIR") or var_dir())
    env = _env("DISPATCH_ENV") or "development"
    if env not in ("development", "production"):
        raise SettingsError(f"DISPATCH_ENV={env!r}: expected development or production")
    secret = overrides.get("SECRET_KEY") or _env("SECRET_KEY")
    if not secret:
        if env == "production":
            raise SettingsError("SECRET_KEY must be set when DISPATCH_ENV=production")
        secret = _dev_secret(var)
    return {**{
        "ENV_NAME": env,
        "SECRET_KEY": secret,
        "VAR_DIR": str(var),
        "CONFIG_DIR": config_dir(),
        "DATABASE_URL": database_url(var),
        "SCHEDULER_ENABLED": _flag("DISPATCH_SCHEDULER", True),  # serve runs the scheduler in-process
        "WEBHOOK_URL": _env("DISPATCH_WEBHOOK_URL"),  # overrides config/escalation.toml
        "SMTP_PASSWORD": smtp_password(),  # the mail channel's login ([delivery.smtp] user); never in config/
        # TLS ends at a proxy, so the app cannot see it itself: the session cookie gets `Secure` always
        "SESSION_COOKIE_SECURE": _flag("DISPATCH_COOKIE_SECURE", False),
        "COCKPIT_SNAPSHOT_SECONDS": cockpit_snapshot_seconds(),
    }, **overrides}


def cockpit_snapshot_seconds() -> float:
    """DISPATCH_COCKPIT_SNAPSHOT_SECONDS: how old the cockpit's shared figures may get before one worker
    recomputes them (default 10; 0 recomputes at every poll)."""
    raw = _env("DISPATCH_COCKPIT_SNAPSHOT_SECONDS")
    if raw is None:
        return 10.0
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 3600:
        raise SettingsError(f"DISPATCH_COCKPIT_SNAPSHOT_SECONDS={raw!r}: expected seconds between 0 and 3600")
    return value


def smtp_password() -> str | None:
    """DISPATCH_SMTP_PASSWORD: the password of [delivery.smtp]'s user (the mail channel of the outbox)."""
    return _env("DISPATCH_SMTP_PASSWORD")


def _dev_secret(var: Path) -> str:
    """A per-installation random secret kept under var/, so sessions survive restarts."""
    path = var / "secret_key"
    try:
        return path.read_text().strip() or DEV_SECRET
    except FileNotFoundError:
        files.private_dir(var)
        value = secrets.token_urlsafe(32)
        try:
            files.write_private(path, value)  # 0600: the key that signs every session cookie
        except FileExistsError:  # another process of the deployment made it first
            return path.read_text().strip() or DEV_SECRET
        return value
