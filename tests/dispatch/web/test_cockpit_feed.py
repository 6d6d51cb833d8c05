"""The cockpit feed (/cockpit/feed.json), the desk queues (/desk/queues.json) and who may open which page."""
from __future__ import annotations

import pytest

from dispatch import db
from dispatch.escalation import sweep as escalation_sweep
from tests.dispatch.helpers import local
from tests.dispatch.web.helpers import OUTSIDE, POINTS, act, next_snapshot, queues, report

HTML = {"Accept": "text/html"}


def feed(client, users, zone: str | None = None, expect: int = 200) -> dict:
    response = client.get("/cockpit/feed.json" + (f"?zone={zone}" if zone else ""), headers=users["command"])
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def stats(client, users, query: str = "") -> dict:
    response = client.get("/api/v1/stats" + (f"?{query}" if query else ""), headers=users["command"])
    assert response.status_code == 200, response.get_json()
    return response.get_json()


# --- who may open what ----------------------------------------------------------------------------

@pytest.mark.parametrize("path, role, expected", [
    ("/cockpit/", "department", 403),   # a department has its desk, not the big screen
    ("/cockpit/", "inspector", 403),
    ("/cockpit/", "command", 200),
    ("/desk/", "inspector", 403),       # inspectors work on /m/
    ("/desk/", "department", 200),
    ("/desk/", "command", 200),         # the command center may look at any desk
])
def test_pages_by_role(client, users, path, role, expected):
    headers = {**users["sanitation" if role == "department" else role], **HTML}
    response = client.get(path, headers=headers)
    assert response.status_code == expected
    assert response.mimetype == "text/html"
    if expected == 403:
        assert "无权访问" in response.get_data(as_text=True)


@pytest.mark.parametrize("path, role, expected", [
    ("/cockpit/feed.json", "department", 403),
    ("/cockpit/feed.json", "inspector", 403),
    ("/desk/queues.json", "inspector", 403),
])
def test_json_by_role(client, users, path, role, expected):
    response = client.get(path, headers=users["sanitation" if role == "department" else role])
    assert response.status_code == expected
    assert response.get_json()["error"]["code"] == "forbidden"


def test_signed_out(client):
    assert client.get("/cockpit/feed.json").status_code == 401
    page = client.get("/cockpit/", headers=HTML)
    assert page.status_code == 302 and page.headers["Location"].startswith("/login?next=/cockpit/")


def test_pages_get_the_strict_content_security_policy(client, users):
    for path in ("/cockpit/", "/desk/"):
        headers = {**users["command"], **HTML}
        assert "script-src 'self'" in client.get(path, headers=headers).headers["Content-Security-Policy"]


# --- the feed -------------------------------------------------------------------------------------

def test_feed_figures_are_the_stats_api_figures(client, users, clock):
    a = report(client, users)
    report(client, users, at=POINTS["jiaoxi"])
    report(client, users, category="other", at=POINTS["zhongyuan"])  # no routing rule: 待派遣
    act(client, users["sanitation"], a["id"], "accept")
    clock.set(local(2026, 11, 25, 10, 30))
    body = feed(client, users)
    totals = stats(client, users)["totals"]  # the API's default period: the last 30 days up to now
    for name, value in body["kpis"].items():
        assert value == totals[name], name
    assert body["kpis"]["reported_today"] == 3 and body["kpis"]["pending_dispatch"] == 1
    assert body["kpis"]["open"] == 3 and body["kpis"]["overdue"] == 0
    by_zone = {g["key"]: g for g in stats(client, users, "group_by=zone")["groups"]}
    assert {z["key"]: z["reported"] for z in body["by_zone"]} == {k: by_zone[k]["reported"] for k in POINTS}
    assert [g["key"] for g in body["by_category"]] == ["exposed_garbage", "other"]  # most reported first
    assert body["trend"][-1] == {"date": "2026-11-25", "reported": 3, "closed": 0}
    assert len(body["trend"]) == 30
    assert [t["category"] for t in body["pending_dispatch"]] == ["other"]
    assert len(body["points"]) == 3 and a["id"] in {p["id"] for p in body["points"]}


def test_zone_filter_limits_figures_charts_lists_and_points(client, users, clock):
    x1 = report(client, users)
    report(client, users, category="other")                        # xiangyi, 待派遣
    report(client, users, at=POINTS["jiaoxi"])
    report(client, users, category="other", at=POINTS["jiaoxi"])   # jiaoxi, 待派遣
    act(client, users["sanitation"], x1["id"], "accept")
    clock.set(local(2026, 11, 25, 10, 30))
    whole = feed(client, users)
    xiangyi = feed(client, users, "xiangyi")
    assert xiangyi["zone"] == "xiangyi" and xiangyi["zone_name"] == "香溢片区"
    assert {p["zone"] for p in xiangyi["points"]} == {"xiangyi"} and len(xiangyi["points"]) == 2
    assert [t["zone"] for t in xiangyi["pending_dispatch"]] == ["xiangyi"]
    # figures of the zone: GET /api/v1/stats?zone=xiangyi, which is also that zone's group of ?group_by=zone
    zone_totals = stats(client, users, "zone=xiangyi")["totals"]
    group = next(g for g in stats(client, users, "group_by=zone")["groups"] if g["key"] == "xiangyi")
    for name, value in xiangyi["kpis"].items():
        assert value == zone_totals[name] == group[name], name
    trend = client.get("/api/v1/stats/trend?zone=xiangyi", headers=users["command"]).get_json()["data"]
    assert xiangyi["trend"] == trend
    assert whole["kpis"]["reported_today"] == 4 and xiangyi["kpis"]["reported_today"] == 2
    assert {g["key"]: g["reported"] for g in xiangyi["by_category"]} == {"exposed_garbage": 1, "other": 1}
    assert sum(day["reported"] for day in xiangyi["trend"]) == 2
    assert {d["key"] for d in xiangyi["departments"]} == {"sanitation"}
    assert xiangyi["by_zone"] == whole["by_zone"]  # the zone chart always shows every zone
    assert xiangyi["version"] != whole["version"]
    empty = feed(client, users, "zhongyuan")
    assert empty["kpis"]["reported_today"] == 0 and empty["points"] == [] and empty["pending_dispatch"] == []


def test_out_of_area_tickets_show_only_without_a_zone_filter(client, users, clock):
    lost = report(client, users, at=OUTSIDE)
    assert lost["status"] == "pending_dispatch" and lost["zone"] is None
    clock.set(local(2026, 11, 25, 10, 5))
    assert [t["id"] for t in feed(client, users)["pending_dispatch"]] == [lost["id"]]
    assert all(not feed(client, users, zone)["pending_dispatch"] for zone in POINTS)
    # the 按片区 chart has a 片区外 bar: its bars add up to 今日上报, as the cards do
    body = feed(client, users)
    assert {z["name"]: z["reported"] for z in body["by_zone"]}["片区外"] == 1
    assert sum(z["reported"] for z in body["by_zone"]) == body["kpis"]["reported"]


def test_unknown_zone_is_a_400(client, users):
    assert feed(client, users, "nowhere", expect=400)["error"]["code"] == "invalid_filter"


@pytest.mark.parametrize("at, state", [
    (local(2026, 11, 25, 10, 30), "normal"),    # 30 of the 60 working minutes to 签收 gone
    (local(2026, 11, 25, 10, 50), "warning"),   # past 80 % (10:48): 预警, yellow
    (local(2026, 11, 25, 11, 5), "overdue"),    # past the 11:00 response deadline: red
])
def test_point_colours_follow_the_deadlines(client, users, clock, at, state):
    ticket = report(client, users)  # 暴露垃圾 dispatched Wed 10:00: 签收 within 1 WH
    clock.set(at)
    point = next(p for p in feed(client, users)["points"] if p["id"] == ticket["id"])
    assert point["state"] == state


def test_supervised_tickets_are_flagged_and_listed(client, users, clock):
    ticket = report(client, users)
    act(client, users["command"], ticket["id"], "supervise")
    clock.set(local(2026, 11, 25, 10, 5))
    body = feed(client, users)
    assert next(p for p in body["points"] if p["id"] == ticket["id"])["state"] == "supervised"
    assert [t["number"] for t in body["supervised"]] == [ticket["number"]]
    assert feed(client, users, "jiaoxi")["supervised"] == []


def test_escalations_appear_with_number_level_and_deadline(app, client, users, clock):
    ticket = report(client, users)
    clock.set(local(2026, 11, 25, 11, 5))  # response: 预警 at 10:48 and 超期 at 11:00 both due
    with app.app_context():
        escalation_sweep.sweep(session=db.session(), config=app.extensions["street_config"], now=clock())
    body = feed(client, users)
    assert [(e["number"], e["deadline_label"], e["level_name"]) for e in body["escalations"]] == [
        (ticket["number"], "签收", "超期"), (ticket["number"], "签收", "预警")]  # newest first
    assert body["escalations"][0]["at"].startswith("2026-11-25T11:05")
    # what the cockpit's list filter (筛选) matches a row by: its ticket's category, status, zone and words
    assert {key: body["escalations"][0][key] for key in ("category_name", "status", "zone_name", "description")} == {
        "category_name": "暴露垃圾", "status": "dispatched", "zone_name": "香溢片区", "description": "路边有垃圾"}
    assert feed(client, users, "jiaoxi")["escalations"] == []


PROVISIONAL_2027 = "2027年节假日尚无官方安排：{n} 张在办工单的时限为预计（按放假办法推算，未含调休），补充日历后自动重算"


def test_banner_while_open_tickets_hold_provisional_deadlines(app, client, users, clock):
    calendar = app.extensions["street_config"].calendar
    if calendar.source(2027) != "provisional":
        pytest.skip("the installed calendar knows 2027")
    clock.set(local(2026, 11, 25, 10, 0))
    report(client, users)  # 4 WH: due in November, exact
    assert feed(client, users)["banner"] is None  # 2027 lacks data, but no deadline is counted over it
    clock.set(local(2026, 12, 20, 10, 0))
    first = report(client, users, category="illegal_construction")  # 20 WD: into January 2027
    report(client, users, category="illegal_construction", at=POINTS["jiaoxi"])
    banner = feed(client, users)["banner"]
    assert (banner["missing_years"], banner["provisional_tickets"], banner["text"]) == \
        ([2027], 2, PROVISIONAL_2027.format(n=2))
    act(client, users["command"], first["id"], "cancel", reason="误报")
    next_snapshot(client, clock)
    assert feed(client, users)["banner"]["provisional_tickets"] == 1
    clock.set(local(2025, 6, 2, 10, 0))  # 2025 and 2026 are known: nothing is provisional
    assert feed(client, users)["banner"] is None


def test_version_changes_only_when_something_drawn_changes(client, users, clock):
    report(client, users)
    clock.set(local(2026, 11, 25, 10, 1))
    first = feed(client, users)
    assert feed(client, users)["version"] == first["version"]
    report(client, users, at=POINTS["jiaoxi"])
    assert feed(client, users)["version"] == first["version"]  # the shared snapshot, until the interval is over
    next_snapshot(client, clock)
    assert feed(client, users)["version"] != first["version"]


def test_dispatch_from_the_feed_list_moves_the_ticket(client, users, clock):
    waiting = report(client, users, category="other")
    row = feed(client, users)["pending_dispatch"][0]
    targets = {d["code"] for d in feed(client, users)["dispatch_departments"]}
    assert targets >= {"sanitation", "chengguan", "city_works"} and "command_center" not in targets  # no desk
    act(client, users["command"], row["id"], "dispatch", department="chengguan", version=row["version"])
    clock.set(local(2026, 11, 25, 10, 1))
    body = feed(client, users)
    assert body["pending_dispatch"] == [] and body["kpis"]["pending_dispatch"] == 0
    assert waiting["id"] in {p["id"] for p in body["points"]}


def test_nobody_dispatches_to_the_command_center(client, users):
    # 街道城运中心 has no desk: a ticket sent there would wait with nobody able to sign for it.
    waiting = report(client, users, category="other")
    answer = act(client, users["command"], waiting["id"], "dispatch", expect=422, department="command_center",
                 version=waiting["version"])
    assert answer["error"]["code"] == "no_desk"


# --- the desk queues --------------------------------------------------------------------------------

def numbers(queue: dict) -> list[str]:
    return [t["number"] for t in queue["tickets"]]


def test_desk_queues_follow_status_and_deadlines(client, users, clock):
    a = report(client, users)                              # dispatched 10:00: 签收 by 11:00, 处置 by 15:00
    clock.set(local(2026, 11, 25, 10, 20))
    b = report(client, users, at=POINTS["jiaoxi"])         # dispatched 10:20: 签收 by 11:20
    act(client, users["sanitation"], b["id"], "accept")
    c = report(client, users, category="street_vending")   # another department's ticket
    clock.set(local(2026, 11, 25, 10, 50))                 # a: 50 of 60 minutes gone → 即将超期
    q = queues(client, users["sanitation"])
    assert numbers(q["pending"]) == [a["number"]] and numbers(q["in_progress"]) == [b["number"]]
    assert numbers(q["warning"]) == [a["number"]] and q["overdue"]["count"] == 0
    assert c["number"] not in {n for queue in q.values() for n in numbers(queue)}
    row = q["pending"]["tickets"][0]
    assert row["deadlines"]["response"]["remaining_minutes"] == 10.0 and row["state"] == "warning"
    clock.set(local(2026, 11, 25, 11, 5))
    q = queues(client, users["sanitation"])
    assert numbers(q["overdue"]) == [a["number"]] and q["warning"]["count"] == 0
    assert {name: queue["count"] for name, queue in q.items()} == {
        "pending": 1, "in_progress": 1, "assists": 0, "warning": 0, "overdue": 1, "returned": 0}


def test_returned_queue_lists_what_this_department_returned(client, users, clock):
    ticket = report(client, users)
    act(client, users["sanitation"], ticket["id"], "return", reason="不是垃圾，是建材：属城管")
    clock.set(local(2026, 11, 25, 10, 10))
    returned = queues(client, users["sanitation"])["returned"]
    assert numbers(returned) == [ticket["number"]]
    row = returned["tickets"][0]
    assert row["returned"]["reason"] == "不是垃圾，是建材：属城管" and row["returned"]["department"] == "sanitation"
    # no longer theirs to act on, but theirs to open and read (a former holder)
    assert row["status"] == "pending_dispatch" and row["visible"] is True
    assert queues(client, users["chengguan"])["returned"]["count"] == 0
    assert numbers(queues(client, users["command"], "department=sanitation")["returned"]) == [ticket["number"]]


def test_desk_ticket_actions_follow_the_transition_table(client, users, clock):
    ticket = report(client, users)

    def actions(headers) -> list[str]:
        response = client.get(f"/desk/tickets/{ticket['id']}.json", headers=headers)
        assert response.status_code == 200
        return [a["action"] for a in response.get_json()["actions"]]

    assert actions(users["sanitation"]) == ["accept", "return", "request_extension"]
    assert actions(users["command"]) == ["whistle", "urge", "reassign", "supervise", "suspend", "cancel"]
    act(client, users["sanitation"], ticket["id"], "accept")
    assert actions(users["sanitation"]) == ["return", "resolve", "request_extension"]
    act(client, users["sanitation"], ticket["id"], "request_extension", days=1, reason="需协调物业")
    assert actions(users["sanitation"]) == ["return", "resolve"]  # one request at a time
    assert actions(users["command"]) == ["whistle", "approve_extension", "reject_extension", "urge", "reassign",
                                         "supervise", "suspend", "cancel"]
    assert client.get(f"/desk/tickets/{ticket['id']}.json", headers=users["chengguan"]).status_code == 404
