"""The command center on the desk: 挂账 / 恢复 / 作废 offered by the transition table, the 挂账 queue;
and the site icon (/favicon.ico, <link rel="icon">)."""
from __future__ import annotations

import re

import pytest

from tests.dispatch.helpers import local
from tests.dispatch.web.helpers import OUTSIDE, act, queues, report


def actions(client, headers, ticket_id) -> list[str]:
    response = client.get(f"/desk/tickets/{ticket_id}.json", headers=headers)
    assert response.status_code == 200, response.get_json()
    return [a["action"] for a in response.get_json()["actions"]]


def test_command_actions_follow_the_status(client, users, clock):
    waiting = report(client, users, at=OUTSIDE)  # out of area: waits for the command center
    assert waiting["status"] == "pending_dispatch"
    assert actions(client, users["command"], waiting["id"]) == ["dispatch", "whistle", "supervise", "suspend", "cancel"]

    act(client, users["command"], waiting["id"], "suspend", reason="等待业主回复")
    assert actions(client, users["command"], waiting["id"]) == ["resume", "cancel"]  # no 督办 while 挂账
    act(client, users["command"], waiting["id"], "resume")
    assert actions(client, users["command"], waiting["id"])[0] == "dispatch"
    act(client, users["command"], waiting["id"], "cancel", reason="重复报送，无需处置")
    assert actions(client, users["command"], waiting["id"]) == []

    ticket = report(client, users)  # dispatched to 绿化市容所
    act(client, users["command"], ticket["id"], "suspend", reason="待园林部门会商")
    assert actions(client, users["sanitation"], ticket["id"]) == []  # only the command center resumes
    labels = {a["action"]: a["label"] for a in client.get(f"/desk/tickets/{ticket['id']}.json",
                                                           headers=users["command"]).get_json()["actions"]}
    assert labels == {"resume": "恢复", "cancel": "作废"}


def test_suspended_queue_is_the_command_centers(client, users, clock):
    first = report(client, users)
    clock.set(local(2026, 11, 25, 10, 30))
    second = report(client, users, at=OUTSIDE)
    act(client, users["command"], second["id"], "suspend", reason="位置不明，待核实")
    clock.set(local(2026, 11, 25, 10, 40))
    act(client, users["command"], first["id"], "suspend", reason="待园林部门会商")

    q = queues(client, users["command"])
    suspended = q["suspended"]
    assert suspended["label"] == "挂账" and suspended["count"] == 2
    rows = {t["number"]: t for t in suspended["tickets"]}
    assert [t["number"] for t in suspended["tickets"]] == [second["number"], first["number"]]  # longest first
    assert rows[first["number"]]["suspended"]["reason"] == "待园林部门会商"
    assert rows[first["number"]]["suspended"]["from"] == "dispatched"
    assert rows[second["number"]]["suspended"]["from"] == "pending_dispatch"
    assert rows[first["number"]]["visible"] is True
    # one department's view: only its own suspended tickets
    assert [t["number"] for t in queues(client, users["command"], "department=sanitation")["suspended"]["tickets"]] \
        == [first["number"]]
    assert "suspended" not in queues(client, users["sanitation"])  # a department gets no 挂账 tab

    act(client, users["command"], first["id"], "resume")
    assert [t["number"] for t in queues(client, users["command"])["suspended"]["tickets"]] == [second["number"]]


def test_the_desk_page_has_the_suspended_tab_for_the_command_center_only(client, users):
    page = client.get("/desk/", headers={**users["command"], "Accept": "text/html"}).get_data(as_text=True)
    assert 'data-queue="suspended"' in page and "挂账" in page
    page = client.get("/desk/", headers={**users["sanitation"], "Accept": "text/html"}).get_data(as_text=True)
    assert 'data-queue="suspended"' not in page


def test_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO header
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and b"<svg" in svg.data
    page = client.get("/login").get_data(as_text=True)
    assert '<link rel="icon" href="/favicon.ico"' in page
    assert re.search(r'href="/static/favicon\.svg\?v=[0-9a-f]{12}" type="image/svg\+xml"', page)


@pytest.mark.parametrize("path", ["/m/", "/desk/", "/cockpit/"])
def test_every_page_links_the_icon(client, users, path):
    page = client.get(path, headers={**users["command"], "Accept": "text/html"})
    assert page.status_code == 200
    assert 'rel="icon"' in page.get_data(as_text=True)
