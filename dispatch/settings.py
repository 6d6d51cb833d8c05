"""Settings from the environment, with defaults for the embedded setup; bad values fail fast."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-only-not-secret"


class SettingsError(ValueError):
    """A setting has a value the system cannot run with."""


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}={value!r}: expected true/false")


def from_environment(overrides: dict | None = None) -> dict:
    """Flask config keys from the environment (DATABASE_URL, DISPATCH_*, SECRET_KEY), then `overrides`."""
    overrides = overrides or {}
    var_dir = Path(overrides.get("VAR_DIR") or os.environ.get("DISPATCH_VAR_DIR", ROOT / "var"))
    env = os.environ.get("DISPATCH_ENV", "development")
    if env not in ("development", "production"):
        raise SettingsError(f"DISPATCH_ENV={env!r}: expected development or production")
    secret = overrides.get("SECRET_KEY") or os.environ.get("SECRET_KEY", "")
    if not secret:
        if env == "production":
            raise SettingsError("SECRET_KEY must be set when DISPATCH_ENV=production")
        secret = _dev_secret(var_dir)
    return {**{
        "ENV_NAME": env,
        "SECRET_KEY": secret,
        "VAR_DIR": str(var_dir),
        "CONFIG_DIR": os.environ.get("DISPATCH_CONFIG_DIR", str(ROOT / "config")),
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{var_dir / 'dispatch.sqlite3'}",
        "SCHEDULER_ENABLED": _flag("DISPATCH_SCHEDULER", True),  # serve runs the scheduler in-process
        "WEBHOOK_URL": os.environ.get("DISPATCH_WEBHOOK_URL"),
    }, **overrides}


def _dev_secret(var_dir: Path) -> str:
    """A per-installation random secret kept under var/, so sessions survive restarts."""
    path = var_dir / "secret_key"
    try:
        return path.read_text().strip() or DEV_SECRET
    except FileNotFoundError:
        var_dir.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(32)
        path.write_text(value)
        return value
