"""Plain helpers for every test folder (no fixtures): the fixed clock, the app a test runs, test passwords.

The fixtures built on them live in tests/conftest.py; test modules import these names from here,
never from a conftest or from another test module.
"""
from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from werkzeug.security import generate_password_hash

from dispatch import create_app

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = ROOT / "config"
# A Wednesday, 10:00 in Shanghai: a plain working day.
DEFAULT_NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
# Settings every test app gets: no fsync for the throw-away SQLite database (see dispatch.db.make_engine).
TEST_SETTINGS = {"TESTING": True, "SCHEDULER_ENABLED": False, "SQLITE_SYNCHRONOUS": "OFF"}


class Clock:
    """A settable clock for the app: tests move time instead of sleeping."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        assert now.tzinfo is not None
        self.now = now


def make_test_app(database_url: str, *, tmp_path: Path, clock: Clock, config_dir: Path):
    """An app on `database_url` with a private var/ and config/ copy, the settable clock, no scheduler."""
    return create_app({
        **TEST_SETTINGS,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "CONFIG_DIR": str(config_dir),
        "VAR_DIR": str(tmp_path / "var"),
        "CLOCK": clock,
    })


def reuse_url_builders() -> None:
    """Compile each URL rule's builder once per test process instead of once per app.

    Werkzeug turns every rule into two small builder functions (an AST compiled with `compile()`) each time an
    app registers it: about half of `create_app`'s time, and the suite makes an app per test (a fresh app on
    a fresh database keeps the tests independent). A builder is a pure function of the rule's text, its parsed
    parts, its defaults and converter types (it reaches the converters through the rule it is bound to), so
    the same rule gets the same function. Werkzeug's version is pinned by the lock; if the private method it
    wraps changes shape, nothing is wrapped and apps are made as before.
    """
    from werkzeug.routing.rules import Rule

    original = getattr(Rule, "_compile_builder", None)
    if original is None or getattr(original, "reused", False):
        return
    compiled: dict = {}

    def _compile_builder(self, append_unknown: bool = True):
        try:
            key = (self.rule, self.host, self.subdomain, tuple(self._trace), append_unknown,
                   tuple(sorted((self.defaults or {}).items())),
                   tuple(sorted((name, type(conv)) for name, conv in self._converters.items())))
            builder = compiled.get(key)
        except (AttributeError, TypeError):  # unhashable defaults, or Werkzeug's internals changed
            return original(self, append_unknown)
        if builder is None:
            builder = compiled[key] = original(self, append_unknown)
        return builder

    _compile_builder.reused = True
    Rule._compile_builder = _compile_builder


@cache
def password_hash(password: str) -> str:
    """A scrypt hash of `password` made with cheap parameters, once per password and test session.

    For users a test signs in with (the password's check is the real one: werkzeug reads the
    parameters from the hash). Setting a password with the production cost (scrypt N=32768, about
    half a second) is what `users passwd` and `users.service.set_password` are tested with.
    """
    return generate_password_hash(password, method="scrypt:1024:8:1")
