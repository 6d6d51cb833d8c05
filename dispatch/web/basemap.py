"""The base map's local GeoJSON layers (config/map.toml `[[layer]]`), served to the zone maps of every page.

`GET /basemap/<name>.geojson`: the layer as config/ holds it (validated at start and reload, street/basemap.py);
like the zones, public and cacheable for a short while — roads and buildings of the street say nothing of tickets.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app

bp = Blueprint("basemap", __name__)


@bp.get("/basemap/<name>.geojson")
def layer(name: str):
    """One base layer as GeoJSON (404 for a name map.toml does not list)."""
    data = current_app.extensions["street_config"].basemap_layers.get(name)
    if data is None:
        abort(404)
    response = current_app.response_class(current_app.json.dumps(data), mimetype="application/geo+json")
    response.cache_control.max_age = 300
    return response
