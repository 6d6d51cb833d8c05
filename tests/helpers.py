"""Plain helpers for every test folder (no fixtures): the fixed clock, the app a test runs, test passwords.

The fixtures built on them live in tests/conftest.py; test modules import these names from here,
never from a conftest or from another test module.
"""
from __future__ import annotations

import pickle
import tomllib
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


def reuse_parsed_rules() -> None:
    """Parse each URL rule's text once per test process instead of once per app.

    Binding a rule to an app's URL map parses its text into regex parts (`Rule._parse_rule`, a regex match per
    part): each of the app's ~90 rules, a sixth of `create_app` once the builders are reused. The parts depend
    only on the text and on the map's converter classes; the converters themselves are made again for each rule,
    with the arguments the text gave them (so each belongs to its own map, as before). If the private method
    wrapped here changes shape, rules are parsed as before.
    """
    from werkzeug.routing.rules import Rule

    original = getattr(Rule, "_parse_rule", None)
    if original is None or getattr(original, "reused", False):
        return
    parsed: dict = {}

    def _parse_rule(self, rule: str):
        try:
            key = (rule, tuple(sorted(self.map.converters.items())))
            known = parsed.get(key)
        except (AttributeError, TypeError):  # Werkzeug's internals changed
            yield from original(self, rule)
            return
        if known is None:
            made, get_converter = [], self.get_converter

            def recording(variable, name, args, kwargs):
                made.append((variable, name, args, kwargs))
                return get_converter(variable, name, args, kwargs)

            trace_from = len(self._trace)
            self.get_converter = recording
            try:
                parts = list(original(self, rule))
            finally:
                del self.get_converter
            parsed[key] = (parts, self._trace[trace_from:], made)
        else:
            parts, trace, made = known
            self._trace.extend(trace)
            for variable, name, args, kwargs in made:
                self._converters[variable] = self.get_converter(variable, name, args, kwargs)
                self.arguments.add(variable)
        yield from parts

    _parse_rule.reused = True
    Rule._parse_rule = _parse_rule


def share_compiled_sql() -> None:
    """Let every engine a test process makes on the same kind of database reuse one SQL compilation cache.

    SQLAlchemy compiles each statement once per engine and keeps it in that engine's cache, keyed by the
    engine's dialect object. A deployment has one engine per process, so it compiles each statement once; the
    suite makes an engine per test (a fresh database each), which compiled every statement again in every test:
    a fifth of the suite's time. Here each new engine takes over the dialect and the compiled cache of the first
    engine made for the same backend (SQLite: any file; PostgreSQL: the same URL, so the same search_path).
    The engine keeps its own pool, connections and connect-time pragmas. SQLAlchemy's version is pinned by the
    lock; if the attributes used here are missing, engines are left as made.
    """
    from dispatch import db

    original = db.make_engine
    if getattr(original, "shares_compiled_sql", False):
        return
    first: dict = {}

    def make_engine(url: str, **kwargs):
        engine = original(url, **kwargs)
        key = engine.url.drivername if engine.dialect.name == "sqlite" else engine.url.render_as_string()
        donor = first.setdefault(key, engine)
        if donor is not engine and all(hasattr(e, "_compiled_cache") for e in (donor, engine)) \
                and hasattr(engine.pool, "_dialect"):
            engine.dialect = engine.pool._dialect = donor.dialect
            engine._compiled_cache = donor._compiled_cache
        return engine

    make_engine.shares_compiled_sql = True
    db.make_engine = make_engine


class _TomlOnce:
    """`tomllib` as the config readers use it, each distinct text parsed once per test process (a copy of the
    parsed data is handed out, so a reader may change it); a text that is not valid TOML raises as before."""

    TOMLDecodeError = tomllib.TOMLDecodeError

    def __init__(self):
        self._parsed: dict[str, bytes] = {}

    def loads(self, text: str) -> dict:
        if text not in self._parsed:  # kept pickled: unpickling is a cheaper copy than copy.deepcopy
            self._parsed[text] = pickle.dumps(tomllib.loads(text))
        return pickle.loads(self._parsed[text])

    def load(self, handle) -> dict:
        return self.loads(handle.read().decode("utf-8"))


def parse_toml_once() -> None:
    """Each app start reads config/ (13 TOML files, in pure-Python tomllib: about a third of `create_app` once
    the other savings here are made); the suite starts an app per test on the same few texts, so they are parsed
    once per process. Validation (pydantic) and every cross-check still run at each start."""
    from dispatch.deadlines import config as deadlines_config
    from dispatch.street import config as street_config

    shim = _TomlOnce()
    for module in (street_config, deadlines_config):
        if module.tomllib is tomllib:
            module.tomllib = shim


@cache
def password_hash(password: str) -> str:
    """A scrypt hash of `password` made with cheap parameters, once per password and test session.

    For users a test signs in with (the password's check is the real one: werkzeug reads the
    parameters from the hash). Setting a password with the production cost (scrypt N=32768, about
    half a second) is what `users passwd` and `users.service.set_password` are tested with.
    """
    return generate_password_hash(password, method="scrypt:1024:8:1")
