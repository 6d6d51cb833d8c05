"""GET /api/v1/stats and /api/v1/stats/trend: parameters, roles, JSON, xlsx and csv exports."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from dispatch.stats import export
from tests.dispatch.stats.dataset import PERIOD
from tests.helpers import DEFAULT_NOW

HEADERS = ["上报数", "应结案数", "结案数", "按期结案数", "结案率", "按期结案率", "应处置数", "处置数",
           "按期处置数", "处置率", "按期处置率", "返工数", "返工率", "延期数", "延期率", "督办数", "应回访数",
           "已回访数", "回访率", "联系上数", "满意数", "满意率", "综合指标",
           "平均处置时长(工作时)", "已评价", "未评价", "响应度满意率", "处置满意率", "居委评价分", "排名分",
           "协办任务数", "应报到数", "报到数", "按时报到数", "报到率", "按时报到率", "应完成数",
           "按期完成数", "协办按期完成率"]


def get(client, headers, query: str = "", path: str = "/api/v1/stats", expect: int = 200):
    response = client.get(f"{path}?{query}", headers=headers)
    assert response.status_code == expect, response.get_data(as_text=True)[:500]
    return response


def test_summary_json(client, command, dataset):
    body = get(client, command, f"{PERIOD}&group_by=department").get_json()
    assert body["from"] == "2026-11-01T00:00:00+08:00"
    assert body["to"] == "2026-11-30T00:00:00+08:00"  # a date `to` includes that day
    assert body["totals"]["reported"] == 9
    assert body["totals"]["composite"] == 51.33
    assert body["groups"][0] == {**body["groups"][0], "key": "sanitation", "name": "绿化市容所", "composite": 70.0}


def test_default_period_is_the_last_30_days(client, clock, command, dataset):
    clock.set(DEFAULT_NOW + timedelta(minutes=1))  # the period is [from, to): step past today's reports
    body = get(client, command).get_json()
    assert body["from"] == "2026-10-26T10:01:00+08:00"
    assert body["to"] == "2026-11-25T10:01:00+08:00"
    assert body["totals"]["reported"] == 9  # J (10-20) is older than 30 days
    assert body["group_by"] is None and body["groups"] == []


@pytest.mark.parametrize(("query", "reported"), [
    ("from=2026-11-16&to=2026-11-17", 2),                                    # two local days: A and B
    ("from=20261116&to=20261117", 2),                                        # compact ISO dates are days too
    ("from=2026-11-16T00:00:00%2B08:00&to=2026-11-18T00:00:00%2B08:00", 2),  # the same, with offsets
    ("from=2026-11-16T00:00:00+08:00&to=2026-11-18", 2),                     # "+" not encoded: read as a space
    ("from=2026-11-16 00:00&to=2026-11-17 09:00", 1),                        # a space instead of the T
    ("from=2026-11-16T00:00:00&to=2026-11-17T09:00:00", 1),                  # naive = local; B at 09:00 is out
    ("from=2026-11-15T16:00:00Z&to=2026-11-16T01:00:01Z", 1),                # UTC; A at 01:00Z is in
    ("from=2026-10-01", 10),                                                 # to defaults to now (+ J)
    ("from=2026-10-01&zone=xiangyi", 3),                                     # one zone: A C J
])
def test_period_parameters(client, clock, command, dataset, query, reported):
    clock.set(DEFAULT_NOW + timedelta(minutes=1))
    assert get(client, command, query).get_json()["totals"]["reported"] == reported


@pytest.mark.parametrize(("query", "path"), [
    ("from=yesterday", "/api/v1/stats"),                    # not a date
    ("from=2026-13-01", "/api/v1/stats"),                   # no 13th month
    ("to=2026-11-01T25:00", "/api/v1/stats"),               # no 25th hour
    ("from=0001-01-01", "/api/v1/stats"),                   # out of range (would overflow)
    ("from=2026-11-20&to=2026-11-10", "/api/v1/stats"),     # to before from
    ("from=2026-11-20T10:00&to=2026-11-20T10:00", "/api/v1/stats"),  # empty period
    ("group_by=street", "/api/v1/stats"),                   # unknown grouping
    ("zone=putuo", "/api/v1/stats"),                        # unknown zone
    ("zone=putuo", "/api/v1/stats/trend"),
    ("format=pdf", "/api/v1/stats"),                        # unknown format
    ("days=0", "/api/v1/stats/trend"),                      # at least one day
    ("days=367", "/api/v1/stats/trend"),                    # at most 366
    ("days=ten", "/api/v1/stats/trend"),                    # not a number
])
def test_bad_parameters(client, command, query, path):
    error = get(client, command, query, path=path, expect=400).get_json()["error"]
    assert error["code"] == "invalid_parameter"
    assert error["message"]


@pytest.mark.parametrize("path", ["/api/v1/stats", "/api/v1/stats/trend"])
def test_inspector_forbidden(client, inspector, path):
    assert get(client, inspector, path=path, expect=403).get_json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("path", ["/api/v1/stats", "/api/v1/stats/trend"])
def test_anonymous_unauthorized(client, path):
    assert get(client, {}, path=path, expect=401).get_json()["error"]["code"] == "unauthorized"


def test_admin_allowed(client, make_user, dataset):
    admin = make_user("admin1", "admin")[1]
    assert get(client, admin, PERIOD).get_json()["totals"]["reported"] == 9


def test_department_sees_only_its_own(client, sanitation, dataset):
    body = get(client, sanitation, f"{PERIOD}&group_by=department").get_json()
    assert body["department"] == "sanitation"
    assert [g["key"] for g in body["groups"]] == ["sanitation"]
    assert body["totals"]["reported"] == 3
    assert body["totals"]["open"] == 1  # F, not the other departments' open tickets
    zones = get(client, sanitation, f"{PERIOD}&group_by=zone").get_json()["groups"]
    assert sum(g["reported"] for g in zones) == 3
    trend = get(client, sanitation, "days=14", path="/api/v1/stats/trend").get_json()["data"]
    assert sum(d["reported"] for d in trend) == 2  # A and B; F was reported on 11-05
    assert sum(d["closed"] for d in trend) == 2


def test_xlsx_export(client, command, dataset):
    response = get(client, command, f"{PERIOD}&group_by=zone&format=xlsx")
    assert response.mimetype == export.XLSX_MIMETYPE
    assert response.headers["Content-Disposition"] == 'attachment; filename="yichuan-stats-20261101-20261129.xlsx"'
    book = load_workbook(io.BytesIO(response.data))
    rows = list(book["评价"].iter_rows(values_only=True))
    assert list(rows[0]) == ["片区", *HEADERS]
    by_name = {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}
    assert list(by_name) == ["香溢片区", "中远两湾城片区", "交西片区", "合计"]
    total = by_name["合计"]
    assert (total["上报数"], total["应结案数"], total["结案数"], total["按期结案数"]) == (9, 3, 2, 1)
    assert total["结案率"] == pytest.approx(0.6667)
    assert total["综合指标"] == pytest.approx(51.33)
    assert total["平均处置时长(工作时)"] == pytest.approx(4.5)
    assert by_name["交西片区"]["结案率"] is None  # nothing due: blank, not 0 %
    assert by_name["香溢片区"]["综合指标"] == pytest.approx(58.0)
    sheet = book["评价"]
    assert sheet.cell(row=2, column=HEADERS.index("结案率") + 2).number_format == "0.0%"


def test_csv_export(client, command, dataset):
    response = get(client, command, f"{PERIOD}&group_by=department&format=csv")
    assert response.data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel then reads UTF-8
    assert response.headers["Content-Disposition"] == 'attachment; filename="yichuan-stats-20261101-20261129.csv"'
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["部门", *HEADERS]
    first = dict(zip(rows[0], rows[1]))
    assert first["部门"] == "绿化市容所"
    assert (first["结案率"], first["按期结案率"], first["综合指标"]) == ("100.0%", "50.0%", "70.00")
    assert rows[-1][0] == "合计"
    total = dict(zip(rows[0], rows[-1]))
    assert (total["上报数"], total["应结案数"], total["结案率"], total["返工率"]) == ("9", "3", "66.7%", "33.3%")


def test_export_without_grouping_has_only_the_totals_row(client, command, dataset):
    rows = list(csv.reader(io.StringIO(get(client, command, f"{PERIOD}&format=csv").data.decode("utf-8-sig"))))
    assert [row[0] for row in rows] == ["范围", "合计"]


def test_trend(client, command, dataset):
    body = get(client, command, "days=7", path="/api/v1/stats/trend").get_json()
    assert body["days"] == 7
    assert [d["date"] for d in body["data"]] == [f"2026-11-{day}" for day in range(19, 26)]
    assert [d["reported"] for d in body["data"]] == [0, 0, 0, 0, 1, 1, 2]
    assert [d["closed"] for d in body["data"]] == [0, 0, 0, 0, 0, 0, 1]
    assert len(get(client, command, path="/api/v1/stats/trend").get_json()["data"]) == 30  # the default


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_app(request):
    """The app on SQLite, then on PostgreSQL in a fresh schema (skipped without TEST_DATABASE_URL)."""
    return request.getfixturevalue("app" if request.param == "sqlite" else "pg_app")


def test_backend_summary_and_trend(any_app):
    # The same SQL on each database: grouped counts, the trend's day buckets, the xlsx export.
    from dispatch import db
    from dispatch.users import service as user_service
    from tests.dispatch.stats.dataset import build_dataset

    headers = {}
    with any_app.app_context():
        for name, role in (("inspector_xy", "inspector"), ("command1", "command")):
            _, token = user_service.create(session=db.session(), username=name, role=role, now=DEFAULT_NOW)
            headers[role] = {"Authorization": f"Bearer {token}"}
    client = any_app.test_client()
    build_dataset(any_app, client, headers["inspector"])
    body = get(client, headers["command"], f"{PERIOD}&group_by=department").get_json()
    assert (body["totals"]["reported"], body["totals"]["composite"], body["totals"]["avg_handling_hours"]) == (
        9, 51.33, 4.5)
    assert [g["key"] for g in body["groups"][:2]] == ["sanitation", "chengguan"]
    trend = get(client, headers["command"], "days=7", path="/api/v1/stats/trend").get_json()["data"]
    assert [d["reported"] for d in trend] == [0, 0, 0, 0, 1, 1, 2]
    assert [d["closed"] for d in trend] == [0, 0, 0, 0, 0, 0, 1]
    assert load_workbook(io.BytesIO(get(client, headers["command"], "format=xlsx").data))["评价"]["A2"].value == "合计"


def test_department_filter_for_the_command_center_and_its_limits(client, make_user, command, inspector, clock):
    # the command center may look at one department; a department only at itself; a typo is a 400
    from tests.dispatch.helpers import INTERIOR, report

    report(client, inspector, category="exposed_garbage", at=INTERIOR["xiangyi"])   # → sanitation
    report(client, inspector, category="bike_misparking", at=INTERIOR["xiangyi"])   # → chengguan
    clock.set(clock.now + timedelta(minutes=1))  # the default period ends at now, excluded
    sanitation = make_user("san_stats", "department", department="sanitation")[1]
    everyone = client.get("/api/v1/stats", headers=command).get_json()
    only = client.get("/api/v1/stats?department=sanitation", headers=command)
    assert only.status_code == 200
    assert (everyone["totals"]["reported"], only.get_json()["totals"]["reported"]) == (2, 1)
    assert only.get_json()["department"] == "sanitation"
    assert client.get("/api/v1/stats?department=sanitaton", headers=command).status_code == 400
    assert client.get("/api/v1/stats?department=chengguan", headers=sanitation).status_code == 403
    assert client.get("/api/v1/stats/trend?department=sanitation", headers=sanitation).status_code == 200
