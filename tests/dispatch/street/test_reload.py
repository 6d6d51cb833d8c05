"""Config reload without a restart: POST /api/v1/admin/reload-config (and SIGHUP, which calls the same)."""
from __future__ import annotations

import pytest

from tests.dispatch.helpers import INTERIOR, report, ticket_of


@pytest.fixture
def admin(make_user):
    return make_user("admin1", "admin")[1]


def reload(client, headers):
    return client.post("/api/v1/admin/reload-config", headers=headers)


def test_a_routing_change_applies_to_the_next_report_without_restart(client, admin, inspector, config_dir):
    before = ticket_of(report(client, inspector, category="bike_misparking", at=INTERIOR["xiangyi"]))
    assert before["department"] == "chengguan"
    routing = config_dir / "routing.toml"
    # the street moves 非机动车乱停放 to the zone stations: a new first rule wins
    routing.write_text('[[rule]]\ncategories = ["bike_misparking"]\ndepartment = "@station"\n\n'
                       + routing.read_text(encoding="utf-8"), encoding="utf-8")
    resp = reload(client, admin)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json() == {"status": "reloaded", "departments": 12, "categories": 25, "routing_rules": 8,
                               "zones": 3}
    after = ticket_of(report(client, inspector, category="bike_misparking", at=INTERIOR["jiaoxi"]))
    assert after["department"] == "station_jiaoxi"


def test_a_broken_config_changes_nothing_and_lists_every_problem(client, admin, inspector, config_dir):
    (config_dir / "routing.toml").write_text('[[rule]]\ncategories = ["no_such"]\ndepartment = "nobody"\n',
                                             encoding="utf-8")
    (config_dir / "categories.toml").write_text(
        (config_dir / "categories.toml").read_text(encoding="utf-8").replace('"4 WH"', '"4 XX"', 1), encoding="utf-8")
    resp = reload(client, admin)
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert error["code"] == "invalid_config"
    where = {(p["file"], p["key"]) for p in error["problems"]}
    assert {("routing.toml", "rule.0.department"), ("routing.toml", "rule.0.categories")} <= where
    assert any(f == "categories.toml" and k.endswith(".response") for f, k in where)
    # the running config is untouched: reports still route as before
    assert ticket_of(report(client, inspector, category="exposed_garbage"))["department"] == "sanitation"


def test_a_category_tickets_use_cannot_be_removed(client, admin, inspector, config_dir):
    ticket_of(report(client, inspector, category="group_rental"))
    path = config_dir / "categories.toml"
    blocks = path.read_text(encoding="utf-8").split("[[category]]")
    kept = [b for b in blocks if 'slug = "group_rental"' not in b]
    path.write_text("[[category]]".join(kept), encoding="utf-8")
    routing = config_dir / "routing.toml"
    routing.write_text(routing.read_text(encoding="utf-8").replace('"group_rental", ', ""), encoding="utf-8")
    resp = reload(client, admin)
    assert resp.status_code == 422
    problems = resp.get_json()["error"]["problems"]
    assert problems == [{"file": "categories.toml", "key": "category",
                         "reason": "'group_rental' is used by 1 ticket(s) and cannot be removed"}]


@pytest.mark.parametrize("who", ["command", "inspector"])
def test_only_admins_reload(client, request, who):
    assert reload(client, request.getfixturevalue(who)).status_code == 403
