"""The application factory: health check, schema creation and reference data seeded from config/."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from dispatch import create_app
from dispatch.db import SchemaError


def settings(tmp_path, config_dir, db_name: str = "app.sqlite3") -> dict:
    return {"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": f"sqlite:///{tmp_path / db_name}",
            "CONFIG_DIR": str(config_dir), "VAR_DIR": str(tmp_path / "var")}


def counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in ("departments", "categories", "zones")}


def test_healthz(client):
    # The load balancer's probe: 200 and status ok when the database answers.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def test_healthz_reports_a_dead_database(app, client):
    # With the database gone the probe says so (503), instead of a 500 page.
    app.extensions["db_engine"].dispose()
    app.extensions["db_engine"] = sa.create_engine("sqlite:////nonexistent-dir/never.sqlite3")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


def test_first_start_creates_the_schema_and_seeds_reference_data(tmp_path, config_dir):
    # On an empty database the first start creates every table and fills departments, categories
    # and zones from config/ — no separate install step.
    app = create_app(settings(tmp_path, config_dir))
    engine = app.extensions["db_engine"]
    tables = set(sa.inspect(engine).get_table_names())
    assert {"tickets", "timeline", "users", "departments", "categories", "zones", "ticket_counters"} <= tables
    assert counts(engine) == {"departments": 12, "categories": 25, "zones": 3}
    with engine.connect() as conn:
        name = conn.execute(sa.text("SELECT name FROM categories WHERE slug = 'exposed_garbage'")).scalar_one()
        station = conn.execute(sa.text("SELECT station FROM zones WHERE code = 'jiaoxi'")).scalar_one()
    assert (name, station) == ("暴露垃圾", "station_jiaoxi")
    engine.dispose()


def test_restart_updates_reference_data_without_duplicating_it(tmp_path, config_dir):
    # The street renames a department and restarts: the name changes, nothing is doubled or lost.
    create_app(settings(tmp_path, config_dir)).extensions["db_engine"].dispose()
    path = config_dir / "departments.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('name = "派出所"', 'name = "宜川路派出所"'),
                    encoding="utf-8")
    engine = create_app(settings(tmp_path, config_dir)).extensions["db_engine"]
    assert counts(engine) == {"departments": 12, "categories": 25, "zones": 3}
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT name FROM departments WHERE code = 'police'")).scalar_one() == "宜川路派出所"
    engine.dispose()


def test_tickets_survive_a_restart(tmp_path, config_dir):
    # Restarting the server on the same database keeps the tickets and continues the numbering.
    from tests.dispatch.helpers import report, ticket_of
    from dispatch import db
    from dispatch.users import service
    from tests.helpers import Clock, DEFAULT_NOW

    def start():
        app = create_app({**settings(tmp_path, config_dir), "CLOCK": Clock(DEFAULT_NOW)})
        return app, app.test_client()

    app, client = start()
    with app.app_context():
        _, token = service.create(session=db.session(), username="i", role="inspector", now=DEFAULT_NOW)
    headers = {"Authorization": f"Bearer {token}"}
    first = ticket_of(report(client, headers))
    app.extensions["db_engine"].dispose()
    app, client = start()
    second = ticket_of(report(client, headers, category="bin_overflow"))
    assert client.get(f"/api/v1/tickets/{first['id']}", headers=headers).status_code == 200
    assert (first["number"], second["number"]) == ("YC-20261125-0001", "YC-20261125-0002")
    app.extensions["db_engine"].dispose()


def test_a_database_from_an_older_version_stops_start_up_with_the_missing_columns(tmp_path, config_dir):
    # create_all never alters an existing table: without this check the first request would fail instead
    create_app(settings(tmp_path, config_dir)).extensions["db_engine"].dispose()
    engine = sa.create_engine(settings(tmp_path, config_dir)["DATABASE_URL"])
    with engine.begin() as conn:  # as an older release left it
        conn.execute(sa.text("ALTER TABLE tickets DROP COLUMN dispatch_round"))
    engine.dispose()
    with pytest.raises(SchemaError, match=r"missing column\(s\): tickets\.dispatch_round"):
        create_app(settings(tmp_path, config_dir))
