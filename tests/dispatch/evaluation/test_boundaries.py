"""A committee boundary (config/committees.toml `boundary`) gives a report inside it its 居民区 at intake."""
from __future__ import annotations

import pytest

from tests.dispatch.evaluation.cases import XIANGYI_HUACHENG, YICHUAN_SICUN
from tests.dispatch.helpers import INTERIOR, event, offset, report, ticket_of

LNG, LAT = INTERIOR["xiangyi"]
# a square of ~190 m around the interior point of xiangyi, given to 香溢花城
RING = [[LNG - 0.001, LAT - 0.001], [LNG + 0.001, LAT - 0.001], [LNG + 0.001, LAT + 0.001], [LNG - 0.001, LAT + 0.001]]


@pytest.fixture
def config_dir(config_dir):
    """config/ with a boundary for 香溢花城社区居委会 (the app of these tests is made from it)."""
    path = config_dir / "committees.toml"
    text = path.read_text(encoding="utf-8")
    old = 'name = "香溢花城社区居委会"\nzone = "xiangyi"\n'
    assert old in text
    path.write_text(text.replace(old, old + f"boundary = {RING}\n"), encoding="utf-8")
    return config_dir


def test_a_point_inside_a_boundary_gets_its_committee_whatever_the_report_names(client, inspector):
    for named in (None, YICHUAN_SICUN):  # the boundary decides; a named committee of the zone is not asked
        body = event(at=(LNG, LAT), description=f"垃圾 {named}", **({"committee": named} if named else {}))
        ticket = ticket_of(report(client, inspector, body))
        assert ticket["committee"] == XIANGYI_HUACHENG, named


def test_a_point_outside_every_boundary_takes_the_named_committee_or_none(client, inspector):
    outside = offset(LNG, LAT, east_m=400)
    assert ticket_of(report(client, inspector, event(at=outside)))["committee"] is None
    named = ticket_of(report(client, inspector, event(at=offset(LNG, LAT, north_m=-400), committee=YICHUAN_SICUN)))
    assert named["committee"] == YICHUAN_SICUN


def test_the_committees_list_shows_the_boundary(client):
    rows = client.get("/api/v1/committees?zone=xiangyi").get_json()["data"]
    by_code = {row["code"]: row for row in rows}
    assert by_code[XIANGYI_HUACHENG]["boundary"] == RING
    assert by_code[YICHUAN_SICUN]["boundary"] is None
