"""Seed the reference tables from the validated config (upsert; nothing is deleted); reload config/."""
from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from sqlalchemy import Engine, insert, update
from sqlmodel import Session, select

from dispatch import clock, db
from dispatch.street import guards as street_guards
from dispatch.street.config import ConfigError, StreetConfig, load_config
from dispatch.street.models import Category, ConfigState, Department, Zone
from geo.problems import Problem
from geo.zones import to_feature_collection

log = logging.getLogger(__name__)


GUARDS = "config_guards"
Guard = Callable[..., list[Problem]]  # guard(session=, config=) -> problems; e.g. tickets still using a category


def add_guard(app: Flask, guard: Guard) -> None:
    """Have `guard` check every config this app seeds (at start and at each reload) before it is used.

    The domains that refer to the street's data (tickets use categories and departments) register here,
    so the street package needs none of them.
    """
    app.extensions.setdefault(GUARDS, []).append(guard)


def check(*, session: Session, config: StreetConfig, guards: list[Guard]) -> None:
    """ConfigError with every problem the guards find in `config` (nothing when all agree)."""
    problems = [problem for guard in guards for problem in guard(session=session, config=config)]
    if problems:
        raise ConfigError(problems)


def seed(*, session: Session, config: StreetConfig, guards: list[Guard] = ()) -> None:
    """Insert or update departments, categories and zones from config/, once the guards accept it.

    The street's own guard runs first: zones in 高德/百度 map coordinates instead of WGS-84 are refused.
    """
    check(session=session, config=config, guards=[street_guards.zones_in_map_coordinates, *guards])
    db.upsert(session, Department, "code", [{"code": d.code, "name": d.name, "kind": d.kind}
                                            for d in config.departments.values()])
    db.upsert(session, Category, "slug", [{"slug": c.slug, "code": c.code, "name": c.name, "group": c.group,
                                           "response_limit": c.response, "resolve_limit": c.resolve,
                                           "urgent": c.urgent} for c in config.categories.values()])
    features = to_feature_collection(config.zones)["features"]
    db.upsert(session, Zone, "code", [{"code": z.code, "name": z.name, "level": z.level, "parent": z.parent,
                                       "station": z.station, "geometry": f["geometry"]}
                                      for z, f in zip(config.zones, features)])
    session.commit()
    log.debug("seeded %d departments, %d categories, %d zones", len(config.departments),
             len(config.categories), len(config.zones))


def read_config(app: Flask) -> StreetConfig:
    """The app's config/ read and validated (ConfigError names file, key, reason); a zones file validated
    before is read from its pack in var/cache (dispatch.street.config.read_zones)."""
    return load_config(app.config["CONFIG_DIR"], cache_dir=Path(app.config["VAR_DIR"]) / "cache")


RELOAD_LISTENERS = "config_reload_listeners"


def on_reload(app: Flask, listener: Callable[[StreetConfig], None]) -> None:
    """Call `listener(new_config)` after each successful `reload` of this app (e.g. the scheduler re-times)."""
    app.extensions.setdefault(RELOAD_LISTENERS, []).append(listener)


def reload(app: Flask, *, publish: bool = True) -> StreetConfig:
    """Read config/ again and swap it in; on ConfigError the running config stays as it was.

    `publish` (a reload asked for here: admin API, SIGHUP) raises the deployment's generation, so the
    other processes follow (`follow`); a process following one does not publish again.
    """
    config = read_config(app)
    with app.app_context():
        seed(session=db.session(), config=config, guards=app.extensions.get(GUARDS, []))
    app.extensions["street_config"] = config  # one reference swap: requests see the old or the new
    if publish:
        app.extensions[GENERATION] = _publish(app, digest=config_digest(config.directory))
    log.info("config reloaded from %s (generation %s)", config.directory, app.extensions.get(GENERATION))
    for listener in app.extensions.get(RELOAD_LISTENERS, []):
        try:
            listener(config)
        except Exception:  # the new config is in use; a listener's failure must not undo or hide that
            log.exception("after the config reload, %r failed", listener)
    return config


# --- every process of a deployment follows a reload ------------------------------------------------------
# gunicorn workers and `python run.py scheduler` are separate processes: a reload asked of one of them
# raises `config_state.generation`; each process compares it with its own at most every
# CONFIG_FOLLOW_SECONDS (before a request, before a scheduled job) and re-reads config/ when behind.

GENERATION = "config_generation"
_FOLLOW = "config_follow"


def config_digest(directory: str | Path) -> str:
    """sha256 over the config folder's files (names and bytes): which config a process read."""
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(directory).iterdir() if p.is_file()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def current_generation(engine: Engine) -> int:
    """The deployment's config generation (0 before the first reload)."""
    with engine.connect() as conn:
        return conn.execute(select(ConfigState.generation).where(ConfigState.id == 1)).scalar() or 0


def _publish(app: Flask, *, digest: str) -> int:
    """Raise the generation by one (atomically: two reloads at once both count); the new generation."""
    values = {"digest": digest, "reloaded_at": clock.now(app),
              "reloaded_by": f"{socket.gethostname()}:{os.getpid()}"[:200]}
    engine = app.extensions["db_engine"]
    with engine.begin() as conn:
        bumped = conn.execute(update(ConfigState).where(ConfigState.id == 1)
                              .values(generation=ConfigState.generation + 1, **values))
        if bumped.rowcount == 0:
            conn.execute(insert(ConfigState).values(id=1, generation=1, **values))
    return current_generation(engine)


def start_following(app: Flask) -> None:
    """At start: this process has the config of the deployment's current generation."""
    app.extensions[GENERATION] = current_generation(app.extensions["db_engine"])
    app.extensions[_FOLLOW] = {"checked": time.monotonic(), "lock": threading.Lock()}


def follow(app: Flask) -> bool:
    """Re-read config/ when another process reloaded since (cheap: one indexed read, at most every
    CONFIG_FOLLOW_SECONDS); True when this call reloaded. A broken config/ here is logged, once per generation."""
    state = app.extensions.get(_FOLLOW)
    if state is None or time.monotonic() - state["checked"] < app.config.get("CONFIG_FOLLOW_SECONDS", 5):
        return False
    if not state["lock"].acquire(blocking=False):
        return False  # another thread of this process is checking
    try:
        state["checked"] = time.monotonic()
        newest = current_generation(app.extensions["db_engine"])
        if newest <= app.extensions.get(GENERATION, 0):
            return False
        app.extensions[GENERATION] = newest  # also on failure: retry at the next generation, not every few seconds
        try:
            reload(app, publish=False)
        except ConfigError as exc:
            log.error("another process reloaded the config (generation %d), but config/ here is broken; "
                      "keeping the running config: %s", newest, exc)
            return False
        return True
    finally:
        state["lock"].release()
