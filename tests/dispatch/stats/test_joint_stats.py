"""吹哨报到 in the evaluation: 报到率, 按时报到率 and 协办按期完成率 per assisting department, against figures
computed by hand from the tasks below (docs/stats.md gives the formulas)."""
from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import Session

from dispatch.stats import service
from dispatch.tickets.models import AssistTask, Ticket
from tests.dispatch.stats.dataset import PERIOD, sh

NOW = sh(11, 25, 10)  # the test clock: Wed 2026-11-25 10:00

# label: (department, created, 报到 due, checked in, task due, done, closed) — None: not (yet)
TASKS = {
    "P1": ("police", sh(11, 20, 10), sh(11, 20, 12), sh(11, 20, 11), sh(11, 23, 10), sh(11, 24, 9), None),
    "P2": ("police", sh(11, 20, 10), sh(11, 20, 12), sh(11, 20, 13), sh(12, 1, 10), None, None),
    "P3": ("police", sh(11, 25, 9), sh(11, 25, 12), None, sh(11, 30, 9), None, None),      # nothing due yet
    "H1": ("housing", sh(11, 20, 10), sh(11, 20, 12), None, sh(11, 23, 10), None, sh(11, 21, 9)),  # closed late
    "H2": ("housing", sh(11, 24, 9), sh(11, 24, 12), None, sh(11, 27, 9), None, sh(11, 24, 11)),   # closed in time
    "H3": ("housing", sh(11, 20, 10), sh(11, 20, 12), sh(11, 20, 11), sh(11, 23, 10), sh(11, 22, 9), None),
    "old": ("police", sh(10, 20, 10), sh(10, 20, 12), None, sh(10, 23, 10), None, None),  # before the period
}
# By hand:
#   police  — 协办 3 (P1 P2 P3); 应报到 2 (P1 P2: due passed); 报到 2; 按时 1 (P1) → 报到率 1.0, 按时报到率 0.5;
#             应完成 1 (P1: its task deadline passed); 按期完成 0 (done after it) → 协办按期完成率 0.0
#   housing — 协办 3; 应报到 2 (H1: closed after the 报到 deadline still owed it; H3; H2 closed before: waived);
#             报到 1 (H3), 按时 1 → 0.5 and 0.5; 应完成 1 (H3; H1 was closed before its task deadline) → 1.0
EXPECTED = {
    "police": dict(assists=3, due_to_check_in=2, checked_in=2, checked_in_on_time=1, due_to_finish=1,
                   finished_on_time=0, checkin_rate=1.0, on_time_checkin_rate=0.5, on_time_assist_rate=0.0),
    "housing": dict(assists=3, due_to_check_in=2, checked_in=1, checked_in_on_time=1, due_to_finish=1,
                    finished_on_time=1, checkin_rate=0.5, on_time_checkin_rate=0.5, on_time_assist_rate=1.0),
}
TOTALS = dict(assists=6, due_to_check_in=4, checked_in=3, checked_in_on_time=2, due_to_finish=2, finished_on_time=1,
              checkin_rate=0.75, on_time_checkin_rate=0.5, on_time_assist_rate=0.5)


@pytest.fixture
def tasks(app, client, inspector):
    answer = client.post("/api/v1/events", headers=inspector, json={
        "category": "exposed_garbage", "location": {"lng": 121.4288, "lat": 31.2551}, "description": "堆物"})
    ticket_id = answer.get_json()["ticket"]["id"]
    with Session(app.extensions["db_engine"]) as session:
        reporter = session.get(Ticket, ticket_id).reporter_id
        for department, created, checkin_due, checked_in, task_due, done, closed in TASKS.values():
            state = "closed" if closed else "done" if done else "checked_in" if checked_in else "pending"
            session.add(AssistTask(ticket_id=ticket_id, department=department, task="协助", state=state,
                                   created_at=created, created_by=reporter, checkin_limit="2 WH",
                                   checkin_due=checkin_due, checked_in_at=checked_in, task_limit="3 WD",
                                   task_due=task_due, done_at=done, closed_at=closed))
        session.commit()


def _figures(report: dict, key: str) -> dict:
    group = next(g for g in report["groups"] if g["key"] == key)
    return {name: group[name] for name in EXPECTED["police"]}


def test_the_figures_per_assisting_department_are_the_hand_computed_ones(app, tasks):
    with Session(app.extensions["db_engine"]) as session:
        report = service.summary(session=session, config=app.extensions["street_config"], now=NOW,
                                 start=sh(11, 1), end=sh(11, 30), group_by="department")
    assert _figures(report, "police") == EXPECTED["police"]
    assert _figures(report, "housing") == EXPECTED["housing"]
    assert {name: report["totals"][name] for name in TOTALS} == TOTALS
    # the lead's figures are its tickets' as before: 绿化市容所 assisted nothing
    sanitation = next(g for g in report["groups"] if g["key"] == "sanitation")
    assert (sanitation["reported"], sanitation["assists"], sanitation["checkin_rate"]) == (1, 0, None)


def test_a_department_sees_its_own_assist_figures_and_the_export_carries_them(client, make_user, command, tasks):
    police = make_user("police1", "department", department="police")[1]
    own = client.get(f"/api/v1/stats?{PERIOD}", headers=police).get_json()
    assert {name: own["totals"][name] for name in EXPECTED["police"]} == EXPECTED["police"]
    exported = client.get(f"/api/v1/stats?{PERIOD}&group_by=department&format=csv", headers=command)
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    columns = rows[0]
    housing = next(row for row in rows if row[0] == "房管办")
    assert [housing[columns.index(title)] for title in ("协办任务数", "报到率", "按时报到率", "协办按期完成率")] == [
        "3", "50.0%", "50.0%", "100.0%"]


def test_summaries_count_the_assisting_department_as_summary_does(app, tasks):
    from tests.dispatch.stats.views import VIEWS, assert_summaries_are_the_summaries

    assert_summaries_are_the_summaries(app, now=NOW, start=sh(11, 1), end=sh(11, 30), views=VIEWS)
    assert_summaries_are_the_summaries(app, now=NOW, start=sh(11, 1), end=sh(11, 30), views=VIEWS,
                                       department="police")
