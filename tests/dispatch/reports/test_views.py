"""The monthly reports, hotspots and a ticket's recurrences over HTTP, and `python run.py report monthly`."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from dispatch.cli import main
from tests.dispatch.helpers import local
from tests.dispatch.reports.helpers import report_at
from tests.dispatch.stats.dataset import sh


def test_make_list_read_and_download_a_month(client, command, clock, dataset):
    clock.set(local(2026, 12, 1, 10))
    made = client.post("/api/v1/reports/monthly", json={"month": "2026-11"}, headers=command)
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert (body["month"], body["version"], body["versions"]) == ("2026-11", 1, [1])
    assert body["report"]["totals"]["reported"] == 9
    again = client.post("/api/v1/reports/monthly", json={"month": "2026-11"}, headers=command)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "report_exists"
    no_reason = client.post("/api/v1/reports/monthly", json={"month": "2026-11", "new_version": True}, headers=command)
    assert no_reason.status_code == 400
    v2 = client.post("/api/v1/reports/monthly", json={"month": "2026-11", "new_version": True, "reason": "补录"},
                     headers=command)
    assert v2.status_code == 201 and v2.get_json()["versions"] == [1, 2]
    listing = client.get("/api/v1/reports/monthly", headers=command).get_json()
    assert [(r["month"], r["version"]) for r in listing["data"]] == [("2026-11", 2), ("2026-11", 1)]
    assert listing["due"] == "2026-11"
    one = client.get("/api/v1/reports/monthly/2026-11?version=1", headers=command).get_json()
    assert one["version"] == 1 and one["reason"] is None
    book = client.get("/api/v1/reports/monthly/2026-11?format=xlsx", headers=command)
    assert book.status_code == 200 and "yichuan-monthly-2026-11-v2.xlsx" in book.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(book.data))
    assert workbook.sheetnames == ["总体", "片区", "类别", "部门", "居民区", "通报", "顽症", "说明"]
    overall = workbook["总体"]
    assert overall["A2"].value == "2026-11 合计" and overall["B2"].value == 9  # 上报数
    assert overall["A3"].value == "2026-10 (上月)" and overall["B3"].value == 1
    assert overall["B4"].value == 8  # 环比
    zones = {row[0].value: row[1].value for row in workbook["片区"].iter_rows(min_row=2)}
    assert zones == {"香溢片区": 2, "中远两湾城片区": 4, "交西片区": 3}
    assert workbook["说明"]["B1"].value == "2026-11"


def test_bad_requests_are_4xx(client, command, clock):
    clock.set(local(2026, 12, 1, 10))
    cases = [({"month": "2026-12"}, 400),  # not over
             ({"month": "2026-13"}, 422), ({"month": 202611}, 422), ({"month": "2026-11", "x": 1}, 422)]
    for body, status in cases:
        assert client.post("/api/v1/reports/monthly", json=body, headers=command).status_code == status, body
    assert client.get("/api/v1/reports/monthly/2026-11", headers=command).status_code == 404
    assert client.get("/api/v1/reports/monthly/2026-1x", headers=command).status_code == 400
    assert client.get("/api/v1/reports/monthly/2026-11?version=0", headers=command).status_code == 400
    assert client.get("/api/v1/reports/monthly/2026-11?format=pdf", headers=command).status_code == 400


def test_only_the_command_center_and_admins(client, inspector, make_user):
    department = make_user("sanitation1", "department", department="sanitation")[1]
    for headers in (inspector, department):
        assert client.get("/api/v1/reports/monthly", headers=headers).status_code == 403
        assert client.post("/api/v1/reports/monthly", json={"month": "2026-10"}, headers=headers).status_code == 403
        assert client.get("/api/v1/hotspots", headers=headers).status_code == 403


def test_live_hotspots_and_a_reports_recurrence(app, client, command, inspector, clock, make_user):
    # now: Wed 25 November; four reports within 40 m in 20 days, the last today
    # the first reported by the command center, the others by an inspector of 香溢片区 (who sees only his own here)
    tickets = [report_at(app, client, command if i == 0 else inspector, east_m=m, created=when)
               for i, (m, when) in enumerate(((0, sh(11, 5, 9)), (15, sh(11, 12, 9)), (30, sh(11, 20, 9)),
                                              (40, sh(11, 25, 9))))]
    live = client.get("/api/v1/hotspots", headers=command).get_json()
    [spot] = live["data"]
    assert [t["id"] for t in spot["tickets"]] == [t["id"] for t in tickets] and spot["peak"] == 4
    assert (live["radius_m"], live["min_reports"], live["window_days"]) == (50, 3, 30)
    last = client.get(f"/api/v1/tickets/{tickets[-1]['id']}/recurrence", headers=command).get_json()
    assert (last["count"], last["hotspot"]) == (4, True)  # 此处 30 天内第 4 次上报
    assert [o["id"] for o in last["others"]] == [t["id"] for t in tickets[:3]]
    assert all(o["visible"] for o in last["others"])
    second = client.get(f"/api/v1/tickets/{tickets[1]['id']}/recurrence", headers=command).get_json()
    assert (second["count"], second["hotspot"]) == (2, False)
    stranger = make_user("chengguan1", "department", department="chengguan")[1]
    assert client.get(f"/api/v1/tickets/{tickets[-1]['id']}/recurrence", headers=stranger).status_code == 404
    mine = client.get(f"/api/v1/tickets/{tickets[-1]['id']}/recurrence", headers=inspector).get_json()
    assert [(o["id"], o["visible"]) for o in mine["others"]] == [
        (tickets[0]["id"], False), (tickets[1]["id"], True), (tickets[2]["id"], True)]
    clock.set(local(2027, 1, 10, 10))  # 46 days after the last: nothing recent
    assert client.get("/api/v1/hotspots", headers=command).get_json()["data"] == []


def test_the_report_monthly_command(app, dataset, clock, capsys, monkeypatch):
    monkeypatch.setattr("dispatch.cli.command_app", lambda **kw: app)
    monkeypatch.setattr("dispatch.reports.commands.command_app", lambda **kw: app)
    clock.set(local(2026, 12, 1, 10))
    assert main(["report", "monthly"]) == 0
    assert "2026-11 version 1: 9 reported, composite 51.33" in capsys.readouterr().out
    assert main(["report", "monthly", "--month", "2026-11"]) == 1
    assert "exists" in capsys.readouterr().err
    assert main(["report", "monthly", "--month", "2026-11", "--new-version", "--reason", "补录"]) == 0
    assert "version 2" in capsys.readouterr().out
    assert main(["report", "monthly", "--month", "2026-12"]) == 2
    assert "not over" in capsys.readouterr().err
