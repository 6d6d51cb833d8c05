"""Reference data over HTTP: zones (GeoJSON), categories, departments."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

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
            "after_photo_required": cat.after_photo_required, "keywords": list(cat.keywords)}
