"""宜川路街道 grid-governance event dispatch: the Flask application factory."""
from __future__ import annotations

import logging

from flask import Flask, jsonify

log = logging.getLogger(__name__)


def create_app(test_config: dict | None = None, *, migrate: bool = False) -> Flask:
    """Build the application: settings, street config, database, blueprints, errors, CLI. Nothing runs at import.

    A database behind this version's schema is upgraded only with `migrate` (`python run.py` and
    `init-db` pass it); otherwise — gunicorn workers — start-up refuses it (`python run.py db upgrade`).
    """
    from dispatch import cli, compression, db, errors, files, settings, web
    from dispatch.followup import service as followup_service
    from dispatch.escalation import notify
    from dispatch.street import service as street_service
    from dispatch.tickets import recompute as ticket_recompute
    from dispatch.tickets import service as ticket_service

    files.private_umask()  # every file this process makes (database, photos, backups, secret) is 0600, dirs 0700
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_mapping(settings.from_environment(test_config))
    files.private_dir(app.config["VAR_DIR"])
    app.json.ensure_ascii = False
    street_config = street_service.read_config(app)  # ConfigError names file, key, reason
    app.extensions["street_config"] = street_config
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default config has the key, set to None
        app.config["MAX_CONTENT_LENGTH"] = street_config.intake.photo_max_bytes + 1024 * 1024
    errors.init_app(app)
    db.init_app(app, migrate=migrate)
    with app.app_context():
        street_service.add_guard(app, ticket_service.config_in_use)  # no category/department tickets still use is dropped
        street_service.seed(session=db.session(), config=street_config, guards=app.extensions[street_service.GUARDS])
    street_service.start_following(app)  # and re-read config/ when another process of the deployment reloads
    ticket_recompute.init_app(app)  # deadlines counted again when a year's holiday data changed (now and at reloads)
    followup_service.init_app(app)  # a closing opens its 回访 (follow-up visit) when config/followup.toml selects it
    notify.install()  # 催办 and 改派 queue their notifications in the outbox (escalation.notify)

    @app.before_request
    def _follow_config_reloads():
        street_service.follow(app)
    _register_blueprints(app)
    web.init_app(app)  # sign-in, pages (/m/ …), HTML error page, session-cookie policy
    compression.init_app(app)  # gzip for JSON/HTML answers the client accepts it for
    cli.init_app(app)  # the domains' commands on `flask --app dispatch …`, as on `python run.py …`

    @app.get("/healthz")
    def healthz():
        try:
            ok = db.ping()
        except Exception:  # the database does not answer: report, don't crash
            log.exception("health check failed")
            ok = False
        return jsonify({"status": "ok" if ok else "unavailable", "database": ok}), 200 if ok else 503

    return app


def _register_blueprints(app: Flask) -> None:
    from dispatch.evaluation.views import bp as evaluation_bp
    from dispatch.emergency.views import bp as emergency_bp
    from dispatch.followup.views import bp as followup_bp
    from dispatch.intake.views import bp as intake_bp
    from dispatch.open311.views import bp as open311_bp
    from dispatch.openapi.views import bp as openapi_bp
    from dispatch.reports.views import bp as reports_bp
    from dispatch.stats.views import bp as stats_bp
    from dispatch.street.views import bp as street_bp
    from dispatch.tickets.actions_views import bp as ticket_actions_bp
    from dispatch.tickets.joint_views import bp as assists_bp
    from dispatch.tickets.views import bp as tickets_bp

    for bp in (street_bp, intake_bp, tickets_bp, ticket_actions_bp, evaluation_bp, assists_bp, followup_bp, stats_bp,
               reports_bp, emergency_bp, open311_bp, openapi_bp):
        app.register_blueprint(bp)
