"""应急指挥 over HTTP, with the injected clock: declaring, levels, the end; the 预案's limits and ladder on a new
report in its area (and not outside it); 到岗 and its escalation, exactly once; tickets pulled in and released."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from sqlmodel import select

from dispatch import db
from dispatch.emergency.scheduled import checkin_sweep
from dispatch.escalation.models import OutboxMessage
from dispatch.escalation.scheduled import sweep_once
from tests.dispatch.helpers import INTERIOR, at_local, event, report, ticket_of
from tests.helpers import DEFAULT_NOW

FLOOD = {"plan": "flood", "level": 3, "zones": ["xiangyi"], "note": "台风“贝碧嘉”过境，启动防汛三级响应"}
M = timedelta(minutes=1)


def declare(client, headers, body=FLOOD, expect=201):
    answer = client.post("/api/v1/emergencies", json=body, headers=headers)
    assert answer.status_code == expect, answer.get_json()
    return answer.get_json()


def emergency(client, headers, emergency_id):
    answer = client.get(f"/api/v1/emergencies/{emergency_id}", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["emergency"]


def ticket(client, headers, ticket_id):
    return client.get(f"/api/v1/tickets/{ticket_id}", headers=headers).get_json()["ticket"]


def outbox(app, event_name: str) -> list[dict]:
    with app.app_context():
        return [m.payload for m in db.session().exec(select(OutboxMessage)).all()
                if m.payload.get("event") == event_name]


@pytest.fixture
def database_url(both_backends_url):
    """Every test here on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set."""
    return both_backends_url


@pytest.fixture
def city_works(make_user):
    return make_user("cw", "department", department="city_works")[1]


@pytest.mark.parametrize("role", ["inspector", "department"])
def test_only_the_command_center_and_admins_declare(client, make_user, role):
    _, headers = make_user("u", role, department="city_works" if role == "department" else None,
                           zone="xiangyi" if role == "inspector" else None)
    assert declare(client, headers, expect=403)["error"]["code"] == "forbidden"
    _, admin = make_user("root", "admin")
    assert declare(client, admin)["emergency"]["title"] == "防汛防台 Ⅲ级"


@pytest.mark.parametrize("body, code", [
    ({**FLOOD, "plan": "earthquake"}, "unknown_plan"),
    ({**FLOOD, "zones": ["moon"]}, "unknown_zone"),
    ({**FLOOD, "level": 5}, "validation_error"),
    ({**FLOOD, "level": 0}, "validation_error"),
    ({**FLOOD, "zones": []}, "validation_error"),
])
def test_a_declaration_the_plans_do_not_allow_is_refused(client, command, body, code):
    assert declare(client, command, body, expect=422)["error"]["code"] == code


def test_a_new_report_in_its_area_gets_the_plans_limits_and_ladder_and_one_outside_does_not(
        app, client, command, inspector, clock):
    made = declare(client, command)["emergency"]
    assert (made["zone_names"], made["level_name"], made["status"]) == (["香溢片区"], "Ⅲ级", "active")
    inside = ticket_of(report(client, inspector, event("road_flooding", INTERIOR["xiangyi"])))
    outside = ticket_of(report(client, inspector, event("road_flooding", INTERIOR["zhongyuan"])))
    other = ticket_of(report(client, inspector, event("exposed_garbage", INTERIOR["xiangyi"])))
    assert inside["emergency"] == {"id": made["id"], "plan": "flood", "plan_name": "防汛防台"}
    assert outside["emergency"] is None and other["emergency"] is None
    # the 预案's natural-time limits (15 NM, 2 NH) instead of the category's (30 NM, 4 NH)
    assert [inside["deadlines"][k]["limit"] for k in ("response", "resolve")] == ["15 NM", "2 NH"]
    assert [outside["deadlines"][k]["limit"] for k in ("response", "resolve")] == ["30 NM", "4 NH"]
    assert at_local(inside["deadlines"]["resolve"]["due_at"]) == "2026-11-25 12:00"
    assert at_local(outside["deadlines"]["resolve"]["due_at"]) == "2026-11-25 14:00"
    assert ticket(client, command, inside["id"])["timeline"][1]["action"] == "emergency_join"
    # the faster ladder: 督办 15 NM after the deadline (escalation.toml: 1 NH)
    found = sweep_once(app, now=DEFAULT_NOW + timedelta(hours=2, minutes=16))
    levels = {(r["number"], r["deadline"]): r["level"] for r in found}
    assert levels[inside["number"], "resolve"] == 2
    assert (outside["number"], "resolve") not in levels
    found = sweep_once(app, now=DEFAULT_NOW + timedelta(hours=4, minutes=16))
    assert {(r["number"], r["deadline"]): r["level"] for r in found}.get((outside["number"], "resolve")) == 1
    # the emergency's own list shows it, oldest first, with its state
    listed = emergency(client, command, made["id"])
    assert [t["number"] for t in listed["tickets"]] == [inside["number"]]
    assert listed["counts"] == {"total": 1, "handled": 0, "open": 1}


def test_raising_lowering_and_ending_are_on_its_record_and_the_end_stops_new_reports_joining(
        client, command, inspector, clock, app):
    made = declare(client, command, {**FLOOD, "zones": None})["emergency"]
    assert made["zone_names"] == ["全街道"]
    base = f"/api/v1/emergencies/{made['id']}"
    clock.set(DEFAULT_NOW + 10 * M)
    raised = client.post(f"{base}/level", json={"level": 2, "note": "雨量超过 50 mm"}, headers=command)
    assert raised.get_json()["emergency"]["title"] == "防汛防台 Ⅱ级"
    again = client.post(f"{base}/level", json={"level": 2}, headers=command)
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "same_level")
    client.post(f"{base}/level", json={"level": 4}, headers=command)
    assert client.post(f"{base}/level", json={"level": 1}, headers=inspector).status_code == 403
    clock.set(DEFAULT_NOW + 3 * 60 * M)
    ended = client.post(f"{base}/end", json={"note": "降雨结束"}, headers=command).get_json()["emergency"]
    assert (ended["status"], ended["elapsed_minutes"]) == ("ended", 180.0)
    assert [(e["action"], e["level"]) for e in ended["log"]] == [("declare", 3), ("raise", 2), ("lower", 4),
                                                                 ("end", 4)]
    assert client.post(f"{base}/end", json={}, headers=command).status_code == 409
    assert client.post(f"{base}/level", json={"level": 1}, headers=command).status_code == 409
    after = ticket_of(report(client, inspector, event("road_flooding", INTERIOR["xiangyi"])))
    assert after["emergency"] is None and after["deadlines"]["response"]["limit"] == "30 NM"
    # each step went to the outbox at once: the 预案's five departments and the three leaders
    declared = outbox(app, "declared")
    assert sorted(m["recipient"] for m in declared) == sorted(
        ["city_works", "river_office", "station_xiangyi", "station_jiaoxi", "station_zhongyuan",
         "command_center", "command_supervisor", "street_leader"])
    assert len(outbox(app, "raise")) == len(outbox(app, "lower")) == len(outbox(app, "ended")) == 8


def test_late_checkins_escalate_exactly_once_and_a_checkin_in_time_does_not(app, client, command, city_works,
                                                                            make_user, clock):
    made = declare(client, command)["emergency"]
    base = f"/api/v1/emergencies/{made['id']}"
    pending = {c["department"]: c for c in made["checkins"]}
    assert set(pending) == {"city_works", "river_office", "station_xiangyi", "station_jiaoxi", "station_zhongyuan"}
    assert at_local(pending["city_works"]["due_at"]) == "2026-11-25 10:30"
    clock.set(DEFAULT_NOW + 20 * M)
    done = client.post(f"{base}/checkin", headers=city_works)
    assert done.status_code == 200 and done.get_json()["checkin"]["late"] is False
    assert client.post(f"{base}/checkin", headers=city_works).status_code == 409
    _, sanitation = make_user("san", "department", department="sanitation")
    assert client.post(f"{base}/checkin", headers=sanitation).get_json()["error"]["code"] == "not_called"
    assert client.post(f"{base}/checkin", headers=command).status_code == 403
    assert checkin_sweep(app, now=DEFAULT_NOW + 29 * M) == []
    first = checkin_sweep(app, now=DEFAULT_NOW + 31 * M)
    second = checkin_sweep(app, now=DEFAULT_NOW + 45 * M)
    assert sorted(r["department"] for r in first) == ["river_office", "station_jiaoxi", "station_xiangyi",
                                                      "station_zhongyuan"]
    assert second == []
    late = outbox(app, "checkin_late")
    assert len(late) == 4 * 3  # the department, the command center and its supervisor, once each
    clock.set(DEFAULT_NOW + 45 * M)
    shown = emergency(client, command, made["id"])
    assert [e["action"] for e in shown["log"]].count("checkin_late") == 4
    state = {c["department"]: (c["late"], c["escalated_at"] is not None) for c in shown["checkins"]}
    assert state["city_works"] == (False, False) and state["river_office"] == (True, True)
    # a late 到岗 still counts, marked late
    _, river = make_user("river", "department", department="river_office")
    clock.set(DEFAULT_NOW + 50 * M)
    assert client.post(f"{base}/checkin", headers=river).get_json()["checkin"]["late"] is True


def test_a_sweep_after_downtime_catches_up_late_checkins(app, client, command):
    declare(client, command)
    assert len(checkin_sweep(app, now=DEFAULT_NOW + timedelta(hours=6))) == 5
    assert checkin_sweep(app, now=DEFAULT_NOW + timedelta(hours=7)) == []


def test_an_open_ticket_pulled_in_takes_the_plans_limits_and_released_gets_its_normal_ones_back(
        app, client, command, inspector, clock):
    before = ticket_of(report(client, inspector, event("road_flooding", INTERIOR["xiangyi"])))  # 10:00, 30 NM / 4 NH
    garbage = ticket_of(report(client, inspector, event("exposed_garbage", INTERIOR["xiangyi"])))
    clock.set(DEFAULT_NOW + 5 * M)
    made = declare(client, command)["emergency"]
    assert [t["number"] for t in made["candidates"]] == [before["number"]]
    base = f"/api/v1/emergencies/{made['id']}"
    pulled = client.post(f"{base}/tickets", json={"ticket": before["id"]}, headers=command)
    assert pulled.status_code == 200, pulled.get_json()
    shown = ticket(client, command, before["id"])
    # the earlier of each deadline and now + the 预案's limit: 签收 10:05 + 15 NM < 10:30; 处置 10:05 + 2 NH < 14:00
    assert [at_local(shown["deadlines"][k]["due_at"]) for k in ("response", "resolve")] == [
        "2026-11-25 10:20", "2026-11-25 12:05"]
    assert shown["emergency"]["id"] == made["id"]
    assert [c["reason"] for c in shown["deadline_history"]][-2:] == ["emergency", "emergency"]
    assert client.post(f"{base}/tickets", json={"ticket": before["id"]}, headers=command).status_code == 409
    refused = client.post(f"{base}/tickets", json={"ticket": garbage["id"]}, headers=command)
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (422, "not_covered")
    assert client.post(f"{base}/tickets", json={"ticket": before["id"]}, headers=inspector).status_code == 403
    # the 预案's ladder now: 签收预警 and 签收超期 by 10:20 (the normal deadline was 10:30)
    assert [(r["deadline"], r["level"]) for r in sweep_once(app, now=DEFAULT_NOW + 21 * M)] == [
        ("response", 0), ("response", 1)]
    clock.set(DEFAULT_NOW + 25 * M)
    released = client.post(f"{base}/tickets/{before['id']}/release", json={}, headers=command)
    assert released.status_code == 200, released.get_json()
    shown = ticket(client, command, before["id"])
    assert shown["emergency"] is None
    assert [shown["deadlines"][k]["limit"] for k in ("response", "resolve")] == ["30 NM", "4 NH"]
    assert [at_local(shown["deadlines"][k]["due_at"]) for k in ("response", "resolve")] == [
        "2026-11-25 10:30", "2026-11-25 14:00"]
    assert [e["action"] for e in shown["timeline"] if e["action"].startswith("emergency")] == [
        "emergency_join", "emergency_release"]
    assert client.post(f"{base}/tickets/{before['id']}/release", json={}, headers=command).status_code == 409
    member = emergency(client, command, made["id"])["tickets"][0]
    assert (member["how"], member["released_at"] is not None) == ("pulled", True)
    assert [e["action"] for e in emergency(client, command, made["id"])["log"]] == ["declare", "pull_in", "release"]


def test_the_emergencys_record_is_append_only(app, client, command):
    declare(client, command)
    with app.app_context():
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            db.session().execute(sa.text("UPDATE emergency_log SET note = 'rewritten'"))
        db.session().rollback()


def test_the_review_workbook_holds_the_timeline_the_tickets_and_the_checkins(app, client, command, inspector,
                                                                            city_works, clock):
    made = declare(client, command)["emergency"]
    base = f"/api/v1/emergencies/{made['id']}"
    reported = ticket_of(report(client, inspector, event("road_flooding", INTERIOR["xiangyi"])))
    clock.set(DEFAULT_NOW + 12 * M)
    client.post(f"{base}/checkin", headers=city_works)
    checkin_sweep(app, now=DEFAULT_NOW + 31 * M)
    clock.set(DEFAULT_NOW + 2 * 60 * M)
    client.post(f"{base}/end", json={"note": "解除"}, headers=command)
    answer = client.get(f"{base}/review.xlsx", headers=command)
    assert answer.status_code == 200 and answer.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(answer.data))
    assert book.sheetnames == ["概况", "时间线", "工单", "到岗"]
    about = {row[0]: row[1] for row in book["概况"].iter_rows(min_row=2, values_only=True)}
    assert (about["应急事件"], about["范围"], about["持续"], about["工单总数"]) == ("防汛防台 Ⅲ级", "香溢片区", "2小时00分", 1)
    assert about["性质"] == "复盘（最终）"
    log = list(book["时间线"].iter_rows(min_row=2, values_only=True))
    assert [row[1] for row in log] == ["启动应急", "到岗", "到岗超时升级", "到岗超时升级", "到岗超时升级",
                                       "到岗超时升级", "结束应急"]
    tickets = list(book["工单"].iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[1], row[4], row[5]) for row in tickets] == [
        (reported["number"], "道路/小区积水 (防汛)", "应急期间上报", "11-25 10:00")]
    checkins = {row[0]: row[2:4] for row in book["到岗"].iter_rows(min_row=2, values_only=True)}
    assert checkins["城建中心"] == ("11-25 10:12", "按时")
    assert checkins["河长办"] == (None, "未到岗（超时）")
    assert client.get(f"{base}/review.xlsx", headers=inspector).status_code == 403


def test_counting_deadlines_again_keeps_what_pulling_in_took_away(app, client, command, inspector, clock):
    # a holiday-data recount replays each running deadline from the ticket's history: the pull is part of it
    from dispatch.tickets import recompute

    before = ticket_of(report(client, inspector, event("road_flooding", INTERIOR["xiangyi"])))
    clock.set(DEFAULT_NOW + 5 * M)
    made = declare(client, command)["emergency"]
    client.post(f"/api/v1/emergencies/{made['id']}/tickets", json={"ticket": before["id"]}, headers=command)
    reported = ticket_of(report(client, inspector, event("road_flooding", (121.4300, 31.2545), description="又一处积水")))
    with app.app_context():
        changes = recompute.recompute(session=db.session(), config=app.extensions["street_config"],
                                      now=clock(), dry_run=True)
    assert changes == []
    assert at_local(ticket(client, command, before["id"])["deadlines"]["resolve"]["due_at"]) == "2026-11-25 12:05"
    assert at_local(reported["deadlines"]["resolve"]["due_at"]) == "2026-11-25 12:05"
