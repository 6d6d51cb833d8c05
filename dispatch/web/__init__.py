"""Browser front ends: sign-in, the inspector's phone page (/m/), shared page plumbing.

`init_app(app)` sets the session-cookie policy, registers the page blueprints, `/favicon.ico`, the Chinese HTML
error page (`HTML_ERROR_HANDLER`, used by dispatch.errors for browser page requests), the template
context (`current_user`, `csrf_token()`, `role_label()`, `page_labels()` — the Chinese names of the API's codes,
rendered into every page by base.html, see web.labels) and security headers.
"""
from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app, request, send_from_directory
from flask.sessions import SecureCookieSessionInterface

from dispatch.auth import csrf_token
from dispatch.web.guard import render_error_page, role_label, signed_in_user

# Pages in these blueprints get a strict Content-Security-Policy (no inline script, same-origin only).
# Another front end opts in with app.config["CSP_BLUEPRINTS"].add("<blueprint name>").
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


class _SessionInterface(SecureCookieSessionInterface):
    """The session cookie gets `Secure` when the request came over TLS, or always when configured."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def should_set_cookie(self, app: Flask, session) -> bool:
        """Never on a static file's answer (web/static_files.py): the pages and the API refresh the session."""
        return request.endpoint != "static" and super().should_set_cookie(app, session)


def init_app(app: Flask) -> None:
    """Cookie policy, page blueprints, the HTML error page, template helpers, security headers."""
    from dispatch.web import static_files
    from dispatch.web.admin import bp as admin_bp
    from dispatch.web.auth_views import bp as auth_bp
    from dispatch.web.basemap import bp as basemap_bp
    from dispatch.web.cockpit import bp as cockpit_bp
    from dispatch.web.desk import bp as desk_bp
    from dispatch.web.labels import page_labels
    from dispatch.web.mobile import bp as mobile_bp
    from dispatch.web.reports import bp as reports_bp

    # Flask's defaults exist (SAMESITE None, lifetime 31 days), so set ours unless a test or deployment did.
    app.config["SESSION_COOKIE_HTTPONLY"] = True  # SESSION_COOKIE_SECURE: settings (DISPATCH_COOKIE_SECURE)
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    if app.config.get("PERMANENT_SESSION_LIFETIME") == timedelta(days=31):
        app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=12)
    app.config.setdefault("CSP_BLUEPRINTS", {"web_auth", "m"})
    app.session_interface = _SessionInterface()
    static_files.init_app(app)  # ?v=<hash> on static URLs, kept a year by the browser
    app.config["HTML_ERROR_HANDLER"] = render_error_page
    app.register_blueprint(auth_bp)
    app.register_blueprint(mobile_bp)
    app.register_blueprint(desk_bp)
    app.register_blueprint(cockpit_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(basemap_bp)

    @app.get("/favicon.ico")
    def favicon():
        """The site icon, for browsers that ask for /favicon.ico directly (pages link static/favicon.svg too)."""
        return send_from_directory(app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                                   max_age=7 * 24 * 3600)

    @app.context_processor
    def _template_helpers():
        return {"current_user": signed_in_user(), "csrf_token": csrf_token, "role_label": role_label,
                "department_name": _department_name, "zone_name": _zone_name, "page_labels": page_labels,
                "basemap": _basemap}

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype == "text/html":
            response.headers.setdefault("X-Frame-Options", "DENY")
            if request.blueprint in app.config["CSP_BLUEPRINTS"] or response.status_code >= 400:
                response.headers.setdefault("Content-Security-Policy", _csp())
                response.headers.setdefault("Cache-Control", "no-store")
        return response


def _csp() -> str:
    """CSP, with the base map's tile servers allowed as image sources when config/map.toml names one."""
    from dispatch.street import basemap

    origins = basemap.tile_origins(current_app.extensions["street_config"])
    return CSP.replace("img-src 'self'", " ".join(["img-src 'self'", *origins])) if origins else CSP


def _basemap() -> dict:
    """What the zone maps draw under the zones (street/basemap.py): off unless config/map.toml names it."""
    from dispatch.street import basemap

    return basemap.page_config(current_app.extensions["street_config"])


def _department_name(code: str | None) -> str:
    department = current_app.extensions["street_config"].departments.get(code) if code else None
    return department.name if department else (code or "")


def _zone_name(code: str | None) -> str:
    zone = current_app.extensions["street_config"].zone(code) if code else None
    return zone.name if zone else (code or "")
