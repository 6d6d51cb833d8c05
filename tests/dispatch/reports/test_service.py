"""The monthly report's figures, 环比 and 通报 against hand-computed ones, and the stored snapshot."""
from __future__ import annotations

import pytest

from dispatch.reports import service
from dispatch.tickets.models import Escalation
from tests.dispatch.reports.helpers import build, generate, report_at
from tests.dispatch.stats.dataset import set_fields, sh

DEC_1 = sh(12, 1, 10)  # Tuesday 1 December 2026, 10:00: the first working day after November
NOV_2 = sh(11, 2, 10)


def by_key(rows) -> dict:
    return {row["key"]: row for row in rows}


def test_the_months_figures_are_the_hand_computed_ones(app, dataset):
    # The statistics' dataset (tests/dispatch/stats/dataset.py): A–K reported in November, J in October.
    # On 1 December the deadlines of November's cases stand where they stood on 25 November (PAST passed,
    # FUTURE not yet), so the figures are the ones computed by hand there.
    data = build(app, "2026-11", DEC_1)
    assert (data["from"], data["to"]) == ("2026-11-01T00:00:00+08:00", "2026-12-01T00:00:00+08:00")
    totals = data["totals"]
    assert {k: totals[k] for k in ("reported", "due_to_close", "closed", "closed_on_time", "rework", "supervised")} == {
        "reported": 9, "due_to_close": 3, "closed": 2, "closed_on_time": 1, "rework": 1, "supervised": 1}
    assert (totals["close_rate"], totals["on_time_close_rate"], totals["rework_rate"]) == (0.6667, 0.3333, 0.3333)
    assert totals["composite"] == 51.33  # 50·⅓ + 30·⅔ + 10·⅔ + (10 − 2·1)
    assert totals["avg_handling_hours"] == 4.5  # (2 + 8 + 3.5) / 3 working hours
    assert data["groupings"] == ["zone", "category", "department", "committee"]  # 居民区 with the committee layer
    assert by_key(data["groups"]["zone"])["xiangyi"]["composite"] == 58.0
    assert by_key(data["groups"]["category"])["exposed_garbage"]["reported"] == 3
    departments = data["groups"]["department"]
    assert [d["key"] for d in departments[:2]] == ["sanitation", "chengguan"]  # ranked by composite: 70, 18
    assert (departments[0]["composite"], departments[1]["composite"]) == (70.0, 18.0)


def test_month_over_month_against_the_previous_month(app, dataset):
    # October holds J only: reported 1, closed on time (resolved 21 Oct 09:00, deadline 17:30) → composite 100,
    # handled in 8 working hours (Tue 09:00 → Wed 09:00).
    data = build(app, "2026-11", DEC_1)
    assert data["previous"]["month"] == "2026-10" and data["previous"]["source"] == "computed"
    assert data["previous"]["totals"]["reported"] == 1 and data["previous"]["totals"]["composite"] == 100.0
    changes = data["totals"]["changes"]
    assert changes["reported"] == 8
    assert changes["close_rate"] == pytest.approx(-0.3333)  # 66.7 % − 100 %: 33 points down
    assert changes["composite"] == pytest.approx(-48.67)
    assert changes["avg_handling_hours"] == pytest.approx(-3.5)
    sanitation = by_key(data["groups"]["department"])["sanitation"]
    assert sanitation["changes"]["reported"] == 2  # 3 in November, J in October
    assert by_key(data["groups"]["department"])["chengguan"]["changes"]["reported"] == 4  # none in October


def test_month_over_month_uses_the_previous_months_stored_report(app, dataset):
    october = generate(app, "2026-10", NOV_2)
    assert october["totals"]["reported"] == 1
    set_fields(app, dataset["J"]["id"], {"rework_count": 1})  # changed after October's report was stored
    data = build(app, "2026-11", DEC_1)
    assert data["previous"]["source"] == "snapshot"
    assert data["previous"]["totals"] == october["totals"]  # as stored: J without rework, composite 100
    assert data["totals"]["changes"]["composite"] == pytest.approx(51.33 - 100.0)


def test_the_bulletin_lists_the_overdue_and_returned_tickets_of_each_department(app, street, dataset):
    from dispatch import db
    from tests.dispatch.lifecycle import returned

    with app.app_context():  # what the sweep records: 超期 (level 1) of A's and C's resolve deadline …
        session = db.session()
        for label, level, due in (("A", 1, sh(11, 16, 17, 30)), ("C", 1, sh(11, 20, 17, 30)),
                                  ("C", 0, sh(11, 19, 9)),         # … a 预警 is no 超期 …
                                  ("J", 1, sh(10, 21, 17, 30))):   # … nor a deadline of October
            session.add(Escalation(ticket_id=dataset[label]["id"], deadline="resolve", level=level, round=1,
                                   due_at=due, created_at=due))
        session.commit()
    back = returned(street)  # sanitation returns a ticket (退单) on 25 November
    set_fields(app, back, {"created_at": sh(9, 1, 9)})  # reported in September: out of November's figures
    data = build(app, "2026-11", DEC_1)
    bulletin = data["bulletin"]
    assert [(r["number"], r["department"], r["deadline"]) for r in bulletin["overdue"]] == [
        (dataset["A"]["number"], "sanitation", "resolve"), (dataset["C"]["number"], "chengguan", "resolve")]
    assert [(r["ticket"], r["department"], r["reason"]) for r in bulletin["returned"]] == [
        (back, "sanitation", "建筑垃圾，属城管")]
    rows = {r["department"]: r for r in bulletin["departments"]}
    assert (rows["sanitation"]["overdue"], rows["sanitation"]["returned"]) == (1, 1)
    assert (rows["chengguan"]["overdue"], rows["chengguan"]["returned"]) == (1, 0)
    assert bulletin["departments"][0]["department"] == "sanitation"  # most on the list first
    assert data["totals"]["reported"] == 9  # the returned ticket is September's


def test_the_months_hotspots(app, client, inspector):
    # three reports of one category within 50 m over 12 days of November: a hotspot; one more far away, one
    # of another category close by, and three at another place spread over 31 days: none
    cluster = [report_at(app, client, inspector, east_m=m, created=sh(11, d, 9))
               for m, d in ((0, 3), (20, 8), (40, 15))]
    report_at(app, client, inspector, east_m=300, created=sh(11, 16, 9))
    report_at(app, client, inspector, east_m=10, created=sh(11, 16, 10), category="public_clutter")
    spread = [report_at(app, client, inspector, east_m=-300 + m, created=when, zone="jiaoxi")
              for m, when in ((0, sh(10, 20, 9)), (5, sh(11, 5, 9)), (10, sh(11, 20, 10)))]
    data = build(app, "2026-11", DEC_1)
    [spot] = data["hotspots"]
    assert [t["id"] for t in spot["tickets"]] == [t["id"] for t in cluster]
    assert (spot["category"], spot["category_name"], spot["count"], spot["peak"]) == (
        "exposed_garbage", "暴露垃圾", 3, 3)
    assert spot["zone"] == "jiaoxi"
    assert spread[2]["id"] not in {t["id"] for t in spot["tickets"]}


def test_a_stored_month_is_not_recomputed_after_tickets_change(app, dataset):
    from dispatch import db

    stored = generate(app, "2026-11", DEC_1)
    set_fields(app, dataset["C"]["id"], {"status": "closed", "resolved_at": sh(11, 19, 9), "closed_at": sh(12, 2, 9)})
    assert build(app, "2026-11", sh(12, 3, 10))["totals"]["closed"] == 3  # the figures of today differ …
    with app.app_context():
        again = service.latest(session=db.session(), month="2026-11")
    assert again.data == stored and again.data["totals"]["closed"] == 2  # … the stored month does not


def test_a_month_is_stored_once_unless_a_new_version_is_asked_for_with_a_reason(app, dataset):
    from dispatch import db

    first = generate(app, "2026-11", DEC_1)
    with pytest.raises(service.ReportExists):
        generate(app, "2026-11", sh(12, 2, 10))
    with pytest.raises(service.ReportError, match="reason"):
        generate(app, "2026-11", sh(12, 2, 10), new_version=True)
    second = generate(app, "2026-11", sh(12, 2, 10), new_version=True, reason="补录 11 月漏报案件")
    assert (first["version"], second["version"]) == (1, 2)
    with app.app_context():
        session = db.session()
        assert service.versions(session=session, month="2026-11") == [1, 2]
        assert service.get(session=session, month="2026-11", version=1).data == first


def test_a_month_not_over_yet_is_refused(app):
    with pytest.raises(service.ReportError, match="not over"):
        build(app, "2026-12", DEC_1)


def test_the_stored_report_cannot_be_changed_in_the_database(app, dataset):
    import sqlalchemy as sa

    from dispatch import db

    generate(app, "2026-11", DEC_1)
    with app.app_context(), pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session().execute(sa.text("UPDATE monthly_reports SET version = 9"))


@pytest.mark.parametrize(("text", "ok"), [("2026-11", True), ("2026-13", False), ("26-11", False), ("", False),
                                          ("1999-01", False)])
def test_parse_month(text, ok):
    if ok:
        assert service.month_text(service.parse_month(text)) == text
    else:
        with pytest.raises(service.ReportError):
            service.parse_month(text)


def test_shift_crosses_the_year():
    assert service.shift(service.parse_month("2026-12"), 1).isoformat() == "2027-01-01"
    assert service.shift(service.parse_month("2026-01"), -1).isoformat() == "2025-12-01"
