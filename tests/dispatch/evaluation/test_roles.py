"""The 居委 role: sees the tickets of its 居民区 only, reports 约请, may not act on tickets or evaluate elsewhere."""
from __future__ import annotations

from tests.dispatch.evaluation.cases import XIANGYI_HUACHENG, YICHUAN_SICUN, closed, evaluate, reported
from tests.dispatch.helpers import INTERIOR, event, report, ticket_of
from tests.dispatch.lifecycle import act, get


def test_a_committee_sees_the_tickets_of_its_residential_area_only(street, committees):
    mine = reported(street, XIANGYI_HUACHENG)
    theirs = reported(street, YICHUAN_SICUN)
    none = reported(street, None)
    listed = street.client.get("/api/v1/tickets", headers=committees["huacheng"]).get_json()
    assert [t["id"] for t in listed["data"]] == [mine["id"]]
    assert street.client.get(f"/api/v1/tickets/{mine['id']}", headers=committees["huacheng"]).status_code == 200
    for other in (theirs, none):  # another 居民区's ticket, or one without: not found
        assert street.client.get(f"/api/v1/tickets/{other['id']}", headers=committees["huacheng"]).status_code == 404


def test_a_committee_may_not_dispatch_or_handle(street, committees):
    ticket = reported(street, XIANGYI_HUACHENG, category="other")  # no routing rule: waits for dispatch
    assert ticket["status"] == "pending_dispatch"
    body = act(street, committees["huacheng"], ticket["id"], "dispatch", expect=403, department="sanitation")
    assert body["error"]["code"] == "forbidden"
    assert get(street, ticket["id"])["status"] == "pending_dispatch"


def test_a_committee_report_is_an_invitation_of_its_own_area(street, committees):
    # A 居委's report is an 约请: source "committee", its own 居民区 when it names none, on the timeline too.
    body = event(at=INTERIOR["xiangyi"], description="小区内群租扰民，约请相关部门")
    ticket = ticket_of(report(street.client, committees["huacheng"], body))
    assert (ticket["source"], ticket["committee"], ticket["committee_name"]) == (
        "committee", XIANGYI_HUACHENG, "香溢花城社区居委会")
    first = get(street, ticket["id"])["timeline"][0]
    assert (first["action"], first["actor_role"], first["data"]["source"]) == ("report", "committee", "committee")
    seen = street.client.get(f"/api/v1/tickets/{ticket['id']}", headers=committees["huacheng"])
    assert seen.status_code == 200


def test_a_committee_may_not_evaluate_another_areas_ticket(street, committees):
    ticket = closed(street, YICHUAN_SICUN)
    # not its 居民区: it cannot even see the ticket
    assert evaluate(street, committees["huacheng"], ticket["id"], expect=404)["error"]["code"] == "not_found"
    # the inspector and the command center see it, but only a 居委 evaluates
    assert evaluate(street, street.inspector, ticket["id"], expect=403)["error"]["code"] == "forbidden"
    assert evaluate(street, street.command, ticket["id"], expect=403)["error"]["code"] == "forbidden"
    evaluate(street, committees["sicun"], ticket["id"])
