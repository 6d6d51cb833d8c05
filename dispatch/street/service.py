"""Seed the reference tables from the validated config (upsert; nothing is deleted)."""
from __future__ import annotations

import logging

from sqlmodel import Session

from dispatch.street.config import StreetConfig
from dispatch.street.models import Category, Department, Zone
from geo.zones import to_feature_collection

log = logging.getLogger(__name__)


def seed(*, session: Session, config: StreetConfig) -> None:
    """Insert or update departments, categories and zones from config/."""
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
