"""A ticket's 居民区 at intake: the report's committee must be one of the point's zone; none stays none."""
from __future__ import annotations

from tests.dispatch.evaluation.cases import XIANGYI_HUACHENG, ZHONGYUAN_1, reported
from tests.dispatch.helpers import event, report


def test_the_report_names_a_committee_of_its_zone(street):
    ticket = reported(street, XIANGYI_HUACHENG)
    assert (ticket["zone"], ticket["committee"], ticket["committee_name"]) == (
        "xiangyi", XIANGYI_HUACHENG, "香溢花城社区居委会")
    listed = street.client.get(f"/api/v1/tickets?committee={XIANGYI_HUACHENG}", headers=street.command).get_json()
    assert [t["id"] for t in listed["data"]] == [ticket["id"]]


def test_a_committee_of_another_zone_is_refused_and_nothing_is_made(street):
    body = event(at=street.point(), committee=ZHONGYUAN_1)  # the point lies in xiangyi
    response = report(street.client, street.inspector, body, expect=422)
    error = response.get_json()["error"]
    assert error["code"] == "committee_not_in_zone"
    assert "310107020020 is not a committee of zone xiangyi" in error["message"]
    assert street.client.get("/api/v1/tickets", headers=street.command).get_json()["count"] == 0


def test_a_report_without_committee_has_none(street):
    assert reported(street, None)["committee"] is None


def test_the_list_filter_refuses_an_unknown_committee(street):
    response = street.client.get("/api/v1/tickets?committee=310107020999", headers=street.command)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_filter"
