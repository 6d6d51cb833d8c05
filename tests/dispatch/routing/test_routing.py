"""Routing (派遣规则): every category reaches its department; the rules' semantics in isolation."""
from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from dispatch.routing.service import route
from dispatch.street.schemas import RoutingRule
from tests.dispatch.helpers import INTERIOR, STATIONS, report, ticket_of

# The category table of docs/domain.md "Categories and routing": slug → department ("@station" = the station
# of the report's zone, None = no department, the command center dispatches by hand).
DOMAIN_TABLE = {
    "illegal_construction": "chengguan",
    "exposed_garbage": "sanitation",
    "bin_overflow": "sanitation",
    "road_unclean": "sanitation",
    "public_clutter": "chengguan",
    "street_vending": "chengguan",
    "shopfront_overflow": "chengguan",
    "bike_misparking": "chengguan",
    "fire_lane_blocked": "fire_safety",
    "stairwell_clutter": "@station",
    "ebike_indoor_charging": "@station",
    "group_rental": "housing",
    "illegal_flyers": "sanitation",
    "illegal_outdoor_ad": "chengguan",
    "noise_nuisance": "chengguan",
    "fallen_cable": "city_works",
    "three_in_one": "fire_safety",
    "residential_to_commercial": "chengguan",
    "garbage_sorting_violation": "sanitation",
    "road_flooding": "city_works",
    "river_litter": "river_office",
    "elevator_hazard": "housing",
    "falling_object_risk": "@station",
    "construction_dust": "chengguan",
    "other": None,
}


def test_the_table_covers_every_configured_category(app):
    # The table above is docs/domain.md's; if config/ gains or loses a category this test says so.
    assert set(DOMAIN_TABLE) == set(app.extensions["street_config"].categories)
    assert len(DOMAIN_TABLE) == 25


ROUTED = [(slug, zone) for slug, dept in DOMAIN_TABLE.items() if dept not in ("@station", None)
          for zone in ["xiangyi"]] + \
         [(slug, zone) for slug, dept in DOMAIN_TABLE.items() if dept == "@station" for zone in STATIONS]


@pytest.mark.parametrize("category, zone", ROUTED)
def test_each_category_reaches_its_department(client, inspector, category, zone):
    # A report of each kind lands on the desk docs/domain.md names; 楼道 problems go to the zone's own station.
    expected = DOMAIN_TABLE[category]
    expected = STATIONS[zone] if expected == "@station" else expected
    ticket = ticket_of(report(client, inspector, category=category, at=INTERIOR[zone]))
    assert ticket["status"] == "dispatched"
    assert ticket["zone"] == zone
    assert ticket["department"] == expected
    assert ticket["deadlines"]["response"]["due_at"] is not None


def test_other_waits_for_the_command_center(client, inspector, command):
    # 其他: no rule matches, so the ticket waits in pending_dispatch for 城运中心 to dispatch by hand.
    ticket = ticket_of(report(client, inspector, category="other"))
    assert ticket["status"] == "pending_dispatch"
    assert ticket["department"] is None
    assert ticket["zone"] == "xiangyi"
    timeline = client.get(f"/api/v1/tickets/{ticket['id']}", headers=command).get_json()["ticket"]["timeline"]
    assert timeline[-1]["data"] == {"reason": "no_routing_rule"}


# --- route() on its own ----------------------------------------------------------------------------------

NIGHT_NOISE = RoutingRule(categories=["noise_nuisance"], hours=("22:00", "06:00"), department="police")
JIAOXI_VENDING = RoutingRule(categories=["street_vending"], zones=["jiaoxi"], department="market")
STATION_RULE = RoutingRule(categories=["stairwell_clutter"], department="@station")
CHENGGUAN = RoutingRule(categories=["noise_nuisance", "street_vending", "stairwell_clutter"], department="chengguan")
CATCH_ALL = RoutingRule(department="command_center")
RULES = [NIGHT_NOISE, JIAOXI_VENDING, STATION_RULE, CHENGGUAN]


@pytest.mark.parametrize("rules, category, zone, station, at, expected", [
    # a time-of-day rule that wraps midnight: 22:00–06:00 is the police's
    (RULES, "noise_nuisance", "xiangyi", "station_xiangyi", time(22, 0), "police"),    # start is inside
    (RULES, "noise_nuisance", "xiangyi", "station_xiangyi", time(23, 30), "police"),   # before midnight
    (RULES, "noise_nuisance", "xiangyi", "station_xiangyi", time(0, 0), "police"),     # midnight
    (RULES, "noise_nuisance", "xiangyi", "station_xiangyi", time(5, 59), "police"),    # just before the end
    (RULES, "noise_nuisance", "xiangyi", "station_xiangyi", time(6, 0), "chengguan"),  # end is outside
    (RULES, "noise_nuisance", "xiangyi", "station_xiangyi", time(21, 59), "chengguan"),  # daytime
    # a zone-restricted rule: street vending in jiaoxi goes to 市场监管所, elsewhere to 城管
    (RULES, "street_vending", "jiaoxi", "station_jiaoxi", time(10, 0), "market"),
    (RULES, "street_vending", "zhongyuan", "station_zhongyuan", time(10, 0), "chengguan"),
    # first match wins: the station rule comes before the chengguan rule that also names the category
    (RULES, "stairwell_clutter", "zhongyuan", "station_zhongyuan", time(10, 0), "station_zhongyuan"),
    (list(reversed(RULES)), "stairwell_clutter", "zhongyuan", "station_zhongyuan", time(10, 0), "chengguan"),
    # "@station" in a zone without a station does not match: the next rule decides
    (RULES, "stairwell_clutter", "zhongyuan", None, time(10, 0), "chengguan"),
    ([STATION_RULE], "stairwell_clutter", "zhongyuan", None, time(10, 0), None),
    # no rule names the category → None (pending_dispatch)
    (RULES, "other", "xiangyi", "station_xiangyi", time(10, 0), None),
    # a rule with no conditions catches everything after the ones before it
    (RULES + [CATCH_ALL], "other", "xiangyi", "station_xiangyi", time(10, 0), "command_center"),
    # out of area (no zone) is never routed, not even by a catch-all
    ([CATCH_ALL], "other", None, None, time(10, 0), None),
    # no rules at all
    ([], "exposed_garbage", "xiangyi", "station_xiangyi", time(10, 0), None),
])
def test_route(rules, category, zone, station, at, expected):
    assert route(rules=rules, category=category, zone=zone, station=station, local_time=at) == expected


def test_daytime_rule_that_does_not_wrap():
    # 08:30–17:30 is a plain daytime window: [start, end).
    rule = RoutingRule(hours=("08:30", "17:30"), department="chengguan")
    at = {t: route(rules=[rule], category="x", zone="z", station=None, local_time=t)
          for t in (time(8, 29), time(8, 30), time(17, 29), time(17, 30))}
    assert at == {time(8, 29): None, time(8, 30): "chengguan", time(17, 29): "chengguan", time(17, 30): None}


def test_night_rule_from_config_routes_by_shanghai_time(tmp_path, config_dir, clock):
    # The street adds a night rule in config/routing.toml: a noise report at 23:00 Shanghai time
    # (15:00 UTC) goes to the police, the same report at 10:00 to 城管. The local clock decides.
    from dispatch import create_app
    from dispatch import db
    from dispatch.users import service

    routing = config_dir / "routing.toml"
    routing.write_text('[[rule]]\ncategories = ["noise_nuisance"]\nhours = ["22:00", "06:00"]\n'
                       'department = "police"\n\n' + routing.read_text(encoding="utf-8"), encoding="utf-8")
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": f"sqlite:///{tmp_path / 'night.db'}",
                      "CONFIG_DIR": str(config_dir), "VAR_DIR": str(tmp_path / "var"), "CLOCK": clock})
    with app.app_context():
        _, token = service.create(session=db.session(), username="i", role="inspector", now=clock(),
                                  zone="xiangyi", zones={"xiangyi"})
    client, headers = app.test_client(), {"Authorization": f"Bearer {token}"}
    clock.set(datetime(2026, 11, 25, 15, 0, tzinfo=UTC))  # 23:00 in Shanghai
    night = ticket_of(report(client, headers, category="noise_nuisance", at=INTERIOR["xiangyi"]))
    clock.set(datetime(2026, 11, 26, 2, 0, tzinfo=UTC))   # 10:00 in Shanghai, next day
    day = ticket_of(report(client, headers, category="noise_nuisance", at=INTERIOR["jiaoxi"]))
    app.extensions["db_engine"].dispose()
    assert night["department"] == "police"
    assert day["department"] == "chengguan"
