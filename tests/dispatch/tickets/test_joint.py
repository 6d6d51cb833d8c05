"""吹哨报到 over the API: the whistle, 报到, 协办完成, 关闭协办, the blocked 处置完成, who may do what, the timeline."""
from __future__ import annotations

from datetime import datetime

import pytest

from dispatch.tickets.models import Status
from tests.dispatch.helpers import local
from tests.dispatch.lifecycle import act, get, new_report, ticket_in, upload

WHISTLE_AT = local(2026, 11, 25, 10, 0)  # Wednesday 10:00: 报到 2 WH → 12:00; task 3 WD → Monday 10:00


@pytest.fixture
def cast(street, make_user):
    """The street's cast plus 派出所, 房管办 and 城管 users; the clock at the whistle."""
    street.police = make_user("police1", "department", department="police")[1]
    street.housing = make_user("housing1", "department", department="housing")[1]
    street.clock.set(WHISTLE_AT)
    return street


ASSISTS = [{"department": "police", "task": "核查租住人员身份"}, {"department": "housing", "task": "核查房屋租赁备案"}]


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def whistled(s, **extra) -> dict:
    """A ticket waiting for dispatch, whistled on: 城管 leads, 派出所 and 房管办 assist."""
    tid = ticket_in(s, Status.pending_dispatch)["id"]
    return act(s, s.command, tid, "whistle", department="chengguan", assists=ASSISTS, **extra)["ticket"]


def test_the_whistle_dispatches_to_the_lead_and_gives_each_assisting_department_its_task(cast):
    ticket = whistled(cast, note="群租整治")
    assert (ticket["status"], ticket["department"]) == ("dispatched", "chengguan")
    assert ticket["deadlines"]["response"]["due_at"] is not None  # the lead's normal ticket deadlines
    tasks = get(cast, ticket["id"])["assists"]
    assert [(t["department_name"], t["task"], t["state_label"]) for t in tasks] == [
        ("派出所", "核查租住人员身份", "待报到"), ("房管办", "核查房屋租赁备案", "待报到")]
    assert instant(tasks[0]["checkin"]["due_at"]) == local(2026, 11, 25, 12, 0)  # 2 WH
    assert instant(tasks[0]["deadline"]["due_at"]) == local(2026, 11, 30, 10, 0)  # 3 WD over the weekend
    entry = [e for e in get(cast, ticket["id"])["timeline"] if e["action"] == "whistle"][-1]
    assert entry["note"] == "吹哨：城管执法中队牵头，派出所、房管办协办。群租整治"
    assert (entry["from_status"], entry["to_status"], entry["data"]["lead"]) == ("pending_dispatch", "dispatched",
                                                                                  "chengguan")


def test_a_second_whistle_adds_an_assisting_department_and_a_task_may_get_its_own_deadline(cast):
    ticket = whistled(cast)
    act(cast, cast.chengguan, ticket["id"], "accept")
    body = act(cast, cast.command, ticket["id"], "whistle",
               assists=[{"department": "market", "task": "查无照经营", "limit": "4 WH"}])["ticket"]
    assert body["status"] == "in_progress"  # the lead keeps it
    tasks = get(cast, ticket["id"])["assists"]
    assert [t["department"] for t in tasks] == ["police", "housing", "market"]
    assert (tasks[2]["deadline"]["limit"], instant(tasks[2]["deadline"]["due_at"])) == (
        "4 WH", local(2026, 11, 25, 15, 0))  # lunch 12:00–13:00 does not count
    again = act(cast, cast.command, ticket["id"], "whistle", expect=422,
                assists=[{"department": "police", "task": "再查"}])
    assert again["error"]["code"] == "already_assisting"
    other_lead = act(cast, cast.command, ticket["id"], "whistle", expect=409, department="sanitation",
                     assists=[{"department": "fire_safety", "task": "查消防"}])
    assert other_lead["error"]["code"] == "lead_is_set"


@pytest.mark.parametrize("assists, code", [
    ([], "validation_error"),                                              # nobody assists
    ([{"department": "nowhere", "task": "x"}], "unknown_department"),
    ([{"department": "command_center", "task": "x"}], "no_desk"),         # the command center has no desk
    ([{"department": "chengguan", "task": "x"}], "validation_error"),      # the lead cannot also assist
    ([{"department": "police", "task": "a"}, {"department": "police", "task": "b"}], "validation_error"),
    ([{"department": "police", "task": "   "}], "validation_error"),       # a blank task
    ([{"department": "police", "task": "x", "limit": "2 parsecs"}], "validation_error"),
])
def test_a_whistle_without_a_proper_assisting_department_is_refused(cast, assists, code):
    tid = ticket_in(cast, Status.pending_dispatch)["id"]
    body = act(cast, cast.command, tid, "whistle", expect=422, department="chengguan", assists=assists)
    assert body["error"]["code"] == code
    assert get(cast, tid)["status"] == "pending_dispatch"


def test_the_lead_cannot_resolve_while_a_task_is_open_then_can_once_done_or_closed(cast):
    ticket = whistled(cast)
    tid = ticket["id"]
    act(cast, cast.chengguan, tid, "accept")
    upload(cast, cast.chengguan, tid, stage="after")
    blocked = act(cast, cast.chengguan, tid, "resolve", expect=409)
    assert blocked["error"]["code"] == "assist_tasks_open"
    assert "派出所（待报到）" in blocked["error"]["message"] and "房管办（待报到）" in blocked["error"]["message"]

    act(cast, cast.police, tid, "check_in")
    photo = upload(cast, cast.police, tid, stage="after").get_json()["photo"]["id"]
    act(cast, cast.police, tid, "finish_task", note="已核查 6 人身份", photo_id=photo)
    still = act(cast, cast.chengguan, tid, "resolve", expect=409)
    assert "房管办" in still["error"]["message"] and "派出所" not in still["error"]["message"]

    housing_task = get(cast, tid)["assists"][1]["id"]
    act(cast, cast.command, tid, "close_task", expect=422, task_id=housing_task)  # a reason is required
    act(cast, cast.command, tid, "close_task", task_id=housing_task, reason="房屋未备案，转区房管局处理")
    assert act(cast, cast.chengguan, tid, "resolve")["ticket"]["status"] == "resolved"

    tasks = get(cast, tid)["assists"]
    assert [(t["state"], t["state_label"]) for t in tasks] == [("done", "已完成"), ("closed", "已关闭")]
    assert (tasks[0]["done_note"], tasks[0]["photo_id"]) == ("已核查 6 人身份", photo)
    assert tasks[1]["close_reason"] == "房屋未备案，转区房管局处理"
    steps = [(e["action"], e["note"]) for e in get(cast, tid)["timeline"] if e["action"] in
             ("check_in", "finish_task", "close_task")]
    assert steps == [("check_in", "派出所报到"), ("finish_task", "已核查 6 人身份"),
                     ("close_task", "关闭房管办的协办：房屋未备案，转区房管局处理")]


def test_only_an_assisting_department_checks_in_and_it_acts_only_on_its_task(cast):
    tid = whistled(cast)["id"]
    outsider = act(cast, cast.sanitation, tid, "check_in", expect=404)  # not in the case: cannot even see it
    assert outsider["error"]["code"] == "not_found"
    assert act(cast, cast.chengguan, tid, "check_in", expect=403)["error"]["code"] == "forbidden"  # the lead
    assert act(cast, cast.command, tid, "check_in", expect=403)["error"]["code"] == "forbidden"
    assert act(cast, cast.police, tid, "finish_task", expect=409, note="x")["error"]["code"] == "not_checked_in"
    act(cast, cast.police, tid, "check_in")
    assert act(cast, cast.police, tid, "check_in", expect=409)["error"]["code"] == "already_checked_in"
    for action in ("accept", "resolve", "return"):  # the lead's actions
        assert act(cast, cast.police, tid, action, expect=403, reason="x")["error"]["code"] == "forbidden"
    assert act(cast, cast.police, tid, "close_task", expect=403, task_id=1, reason="x")["error"]["code"] == "forbidden"
    assert get(cast, tid, cast.police)["id"] == tid  # it reads the ticket
    assert cast.client.get(f"/api/v1/tickets/{tid}", headers=cast.sanitation).status_code == 404
    assert cast.client.get("/api/v1/tickets", headers=cast.police).get_json()["count"] == 0  # not its own
    listed = cast.client.get("/api/v1/tickets?held=1", headers=cast.police).get_json()  # …but one it assists on
    assert [t["id"] for t in listed["data"]] == [tid]


def test_a_late_check_in_is_marked_late(cast):
    tid = whistled(cast)["id"]
    cast.clock.set(local(2026, 11, 25, 13, 10))  # 报到 was due at 12:00 (then lunch until 13:00)
    act(cast, cast.housing, tid, "check_in")
    task = get(cast, tid)["assists"][1]
    assert (task["state"], task["checkin"]["late"], task["checkin"]["remaining_minutes"]) == ("checked_in", True, None)
    entry = [e for e in get(cast, tid)["timeline"] if e["action"] == "check_in"][-1]
    assert (entry["note"], entry["data"]["late"]) == ("房管办报到（迟到）", True)
    police = get(cast, tid)["assists"][0]
    assert (police["checkin"]["late"], police["checkin"]["remaining_minutes"]) == (True, -10.0)  # still owed


def test_an_invitation_is_confirmed_by_whistling_on_it(cast, app):
    from dispatch import db
    from dispatch.tickets.models import Ticket

    tid = ticket_in(cast, Status.pending_dispatch)["id"]
    with app.app_context():  # a 居委's report (约请); the committee branch sets the source at intake
        session = db.session()
        ticket = session.get(Ticket, tid)
        ticket.source = "committee"
        session.add(ticket)
        session.commit()
    act(cast, cast.command, tid, "whistle", department="chengguan", assists=ASSISTS[:1])
    entry = [e for e in get(cast, tid)["timeline"] if e["action"] == "whistle"][-1]
    assert entry["note"].startswith("确认约请，吹哨：城管执法中队牵头")
    assert entry["data"]["invitation"] is True


def test_cancelling_a_joint_case_closes_its_open_tasks(cast):
    tid = whistled(cast)["id"]
    act(cast, cast.command, tid, "cancel", reason="重复录入")
    assert [t["state"] for t in get(cast, tid)["assists"]] == ["closed", "closed"]
    assert act(cast, cast.police, tid, "check_in", expect=403)["error"]["code"] == "forbidden"  # no open task


def test_an_ordinary_ticket_is_not_a_joint_case(cast):
    ticket = new_report(cast)
    assert get(cast, ticket["id"])["assists"] == []
    assert act(cast, cast.command, ticket["id"], "close_task", expect=404, task_id=1, reason="x")["error"]["code"] \
        == "not_found"


def test_the_assists_list_is_a_departments_own_or_the_command_centers_all(cast):
    tid = whistled(cast)["id"]

    def listed(headers, query="", expect=200):
        answer = cast.client.get(f"/api/v1/assists{query}", headers=headers)
        assert answer.status_code == expect, answer.get_json()
        return answer.get_json()

    mine = listed(cast.police)
    assert [(t["number"], t["department"], t["state"], t["lead_name"]) for t in mine["data"]] == [
        (get(cast, tid)["number"], "police", "pending", "城管执法中队")]
    assert listed(cast.police, "?department=housing")["data"][0]["department"] == "police"  # always its own
    assert [t["department"] for t in listed(cast.command)["data"]] == ["police", "housing"]
    assert [t["department"] for t in listed(cast.command, "?department=housing")["data"]] == ["housing"]
    act(cast, cast.police, tid, "check_in")
    act(cast, cast.police, tid, "finish_task", note="已核查")
    assert listed(cast.police)["count"] == 0  # done: off the open list
    assert [t["state"] for t in listed(cast.police, "?state=all")["data"]] == ["done"]
    assert listed(cast.inspector, expect=403)["error"]["code"] == "forbidden"
    assert listed(cast.command, "?state=late", expect=400)["error"]["code"] == "invalid_parameter"
    assert listed(cast.command, "?department=command_center", expect=400)["error"]["code"] == "invalid_parameter"
    assert listed(cast.police, "?department=nowhere", expect=400)["error"]["code"] == "invalid_parameter"
    # a parameter the document does not list is refused, not ignored (as on every GET route)
    assert listed(cast.command, "?dept=housing", expect=400)["error"] == {
        "code": "invalid_parameter", "message": "unknown parameter 'dept'"}
