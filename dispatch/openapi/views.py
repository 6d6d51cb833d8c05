"""GET /api/v1/openapi.json (generated) and GET /api/docs (Swagger UI, vendored under static/vendor/)."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from flask import Blueprint, current_app, jsonify, render_template_string, url_for

from dispatch.openapi.routes import document

bp = Blueprint("openapi", __name__)

DOCS_PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>宜川路街道 event dispatch API — /api/v1</title>
  <link rel="stylesheet" href="{{ css }}">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{{ js }}"></script>
  <script>
    window.ui = SwaggerUIBundle({url: {{ spec | tojson }}, dom_id: "#swagger-ui", deepLinking: true});
  </script>
</body>
</html>
"""


def _version() -> str:
    try:
        return version("yichuan-dispatch")
    except PackageNotFoundError:
        return "0"


@bp.get("/api/v1/openapi.json")
def openapi_json():
    """The OpenAPI 3.1 document, built once per app from the models and the street's config."""
    doc = current_app.extensions.get("openapi_document")
    if doc is None:
        doc = current_app.extensions["openapi_document"] = document(
            current_app.extensions["street_config"], version=_version())
    return jsonify(doc)


@bp.get("/api/docs")
def docs():
    """Swagger UI over /api/v1/openapi.json."""
    return render_template_string(
        DOCS_PAGE, spec=url_for("openapi.openapi_json"),
        css=url_for("static", filename="vendor/swagger-ui/swagger-ui.css"),
        js=url_for("static", filename="vendor/swagger-ui/swagger-ui-bundle.js"))
