"""The cockpit's emergency part of its feed, and the 复盘 page: who may open it, what it shows."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.dispatch.helpers import INTERIOR, event, report
from tests.helpers import DEFAULT_NOW

HTML = {"Accept": "text/html"}


def feed(client, users) -> dict:
    response = client.get("/cockpit/feed.json", headers=users["command"])
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def declare(client, users) -> dict:
    answer = client.post("/api/v1/emergencies", headers=users["command"],
                         json={"plan": "public_health", "level": 4, "note": "疑似传染病，加强环境卫生"})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["emergency"]


def test_the_feed_carries_the_active_emergency_and_changes_at_most_once_a_minute(client, users, clock):
    quiet = feed(client, users)["emergency"]
    assert quiet["active"] == [] and quiet["now"] is None
    assert [p["name"] for p in quiet["plans"]] == ["防汛防台", "火灾", "燃气泄漏", "大客流", "公共卫生"]
    made = declare(client, users)
    report(client, users["inspector"], event("exposed_garbage", INTERIOR["xiangyi"]))
    clock.set(DEFAULT_NOW + timedelta(minutes=3, seconds=10))
    first = feed(client, users)
    active = first["emergency"]["active"]
    assert [(e["id"], e["title"], e["elapsed_minutes"]) for e in active] == [(made["id"], "公共卫生 Ⅳ级", 3)]
    assert [t["category"] for t in active[0]["tickets"]] == ["exposed_garbage"]
    assert {c["department"] for c in active[0]["checkins"]} == {
        "sanitation", "market", "station_xiangyi", "station_jiaoxi", "station_zhongyuan"}
    clock.set(DEFAULT_NOW + timedelta(minutes=3, seconds=50))
    assert feed(client, users)["version"] == first["version"]  # same minute, nothing changed: same ETag
    clock.set(DEFAULT_NOW + timedelta(minutes=4, seconds=1))
    assert feed(client, users)["version"] != first["version"]


@pytest.mark.parametrize("role, expected", [("command", 200), ("sanitation", 403), ("inspector", 403)])
def test_the_review_page_is_the_command_centers(client, users, role, expected):
    made = declare(client, users)
    response = client.get(f"/cockpit/emergencies/{made['id']}/review", headers={**users[role], **HTML})
    assert response.status_code == expected
    if expected == 200:
        page = response.get_data(as_text=True)
        assert "应急处置复盘 · 公共卫生 Ⅳ级" in page and "复盘初稿：应急仍在进行" in page
        assert f"/api/v1/emergencies/{made['id']}/review.xlsx" in page
    assert client.get("/cockpit/emergencies/999/review", headers={**users["command"], **HTML}).status_code == 404
