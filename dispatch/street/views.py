"""Reference data over HTTP: zones (GeoJSON), categories, departments."""
from __future__ import annotations

import math

from flask import Blueprint, current_app, jsonify

from dispatch.auth import roles_required
from dispatch.errors import ApiError
from dispatch.query import parse_query
from dispatch.street import service as street_service
from dispatch.street.config import ConfigError
from dispatch.street import committees as committee_config
from dispatch.street.public import CommitteesQuery, ConfigReloaded, LocateQuery, ZoneLocation
from dispatch.users.models import Role
from geo.crs import to_wgs84
from geo.zones import to_feature_collection

bp = Blueprint("street", __name__, url_prefix="/api/v1")


def street_config():
    return current_app.extensions["street_config"]


@bp.get("/zones")
def list_zones():
    """RFC 7946 FeatureCollection of the zones (code, name, station, level, parent)."""
    return current_app.response_class(
        current_app.json.dumps(to_feature_collection(street_config().zones)),
        mimetype="application/geo+json")


@bp.get("/zones/locate")
def locate_zone():
    """?lng=&lat=&crs=: the zone a point falls in, by the same index intake uses (null when out of area)."""
    query = parse_query(LocateQuery)
    wgs_lng, wgs_lat = to_wgs84(query.lng, query.lat, query.crs)
    where = street_config().zone_index.locate(wgs_lng, wgs_lat)
    zone = where.zone
    return jsonify(ZoneLocation(
        zone={"code": zone.code, "name": zone.name, "station": zone.station} if zone else None,
        cell=where.path[-1].code if len(where.path) > 1 else None,
        how=where.how, distance_m=round(where.distance_m, 1) if math.isfinite(where.distance_m) else None,
        location={"lng": wgs_lng, "lat": wgs_lat, "crs": "wgs84"},
    ).model_dump(mode="json"))


@bp.get("/committees")
def list_committees():
    """The street's 居民区 (居委会), all or one 片区's (?zone=): code, name, zone, optional point."""
    cfg = street_config()
    query = parse_query(CommitteesQuery)
    names = cfg.zone_names()
    if query.zone is not None and query.zone not in names:
        raise ApiError(400, "invalid_parameter", f"zone must be one of {', '.join(names)}")
    data = committee_config.public(cfg.committees, zone_names=names, zone=query.zone)
    return jsonify({"data": data, "count": len(data)})


@bp.get("/categories")
def list_categories():
    cfg = street_config()
    data = [category_public(c) for c in cfg.categories.values()]
    return jsonify({"data": data, "count": len(data)})


@bp.get("/departments")
def list_departments():
    cfg = street_config()
    data = [{"code": d.code, "name": d.name, "kind": d.kind, "handles": d.handles}
            for d in cfg.departments.values()]
    return jsonify({"data": data, "count": len(data)})


def category_public(cat) -> dict:
    return {"code": cat.code, "slug": cat.slug, "name": cat.name, "group": cat.group,
            "response_limit": cat.response, "resolve_limit": cat.resolve, "urgent": cat.urgent,
            "after_photo_required": cat.after_photo_required, "keywords": list(cat.keywords),
            "attributes": [a.model_dump(exclude_none=False) for a in cat.attributes]}


@bp.post("/admin/reload-config")
@roles_required(Role.admin)
def reload_config():
    """Re-read config/ (zones, routing, categories, calendar…) without a restart; 422 lists every problem."""
    try:
        cfg = street_service.reload(current_app._get_current_object())
    except ConfigError as exc:
        raise ApiError(422, "invalid_config", f"config/ has {len(exc.problems)} problem(s); nothing was changed",
                       problems=[{"file": p.file, "key": p.key, "reason": p.reason} for p in exc.problems]) from None
    return jsonify(ConfigReloaded(status="reloaded", departments=len(cfg.departments), categories=len(cfg.categories),
                                  routing_rules=len(cfg.routing.rule), zones=len(cfg.zones)).model_dump())
