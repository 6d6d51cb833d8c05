"""Seed the reference tables from the validated config (upsert; nothing is deleted); reload config/."""
from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask
from sqlmodel import Session, col, func, select

from dispatch.street.config import ConfigError, StreetConfig, load_config
from dispatch.street.models import Category, Department, Zone
from dispatch.tickets.models import Ticket
from geo.problems import Problem
from geo.zones import to_feature_collection

log = logging.getLogger(__name__)


def check_in_use(*, session: Session, config: StreetConfig) -> None:
    """Refuse a config that drops a category or department tickets still use (ConfigError).

    Zone codes may change (the district's real boundaries replace the placeholders): tickets keep
    the zone they were reported in, and a warning is logged.
    """
    problems = []
    for column, known, file, what in ((Ticket.category, config.categories, "categories.toml", "category"),
                                      (Ticket.department, config.departments, "departments.toml", "department")):
        used = session.exec(select(column, func.count()).where(col(column).is_not(None)).group_by(column)).all()
        problems += [Problem(file, what, f"{code!r} is used by {count} ticket(s) and cannot be removed")
                     for code, count in used if code not in known]
    if problems:
        raise ConfigError(problems)
    zone_codes = {z.code for z in config.zones}
    for code, count in session.exec(select(Ticket.zone, func.count()).where(col(Ticket.zone).is_not(None))
                                    .group_by(Ticket.zone)).all():
        if code not in zone_codes:
            log.warning("zone %r is no longer configured; its %d ticket(s) keep it", code, count)


def seed(*, session: Session, config: StreetConfig) -> None:
    """Insert or update departments, categories and zones from config/ (after `check_in_use`)."""
    check_in_use(session=session, config=config)
    for dept in config.departments.values():
        session.merge(Department(code=dept.code, name=dept.name, kind=dept.kind))
    for cat in config.categories.values():
        session.merge(Category(slug=cat.slug, code=cat.code, name=cat.name, group=cat.group,
                               response_limit=cat.response, resolve_limit=cat.resolve, urgent=cat.urgent))
    features = to_feature_collection(config.zones)["features"]
    for zone, feature in zip(config.zones, features):
        session.merge(Zone(code=zone.code, name=zone.name, level=zone.level, parent=zone.parent,
                           station=zone.station, geometry=feature["geometry"]))
    session.commit()
    log.info("seeded %d departments, %d categories, %d zones", len(config.departments),
             len(config.categories), len(config.zones))


RELOAD_LISTENERS = "config_reload_listeners"


def on_reload(app: Flask, listener: Callable[[StreetConfig], None]) -> None:
    """Call `listener(new_config)` after each successful `reload` of this app (e.g. the scheduler re-times)."""
    app.extensions.setdefault(RELOAD_LISTENERS, []).append(listener)


def reload(app: Flask) -> StreetConfig:
    """Read config/ again and swap it in; on ConfigError the running config stays as it was."""
    from dispatch import db

    config = load_config(app.config["CONFIG_DIR"])
    with app.app_context():
        seed(session=db.session(), config=config)
    app.extensions["street_config"] = config  # one reference swap: requests see the old or the new
    log.info("config reloaded from %s", config.directory)
    for listener in app.extensions.get(RELOAD_LISTENERS, []):
        try:
            listener(config)
        except Exception:  # the new config is in use; a listener's failure must not undo or hide that
            log.exception("after the config reload, %r failed", listener)
    return config
