"""Who sees which ticket: inspectors their own and their zone's, departments theirs, command all."""
from __future__ import annotations

from datetime import datetime

import pytest

from tests.dispatch.helpers import INTERIOR, list_tickets, report, ticket_of
from tests.helpers import DEFAULT_NOW


@pytest.fixture
def world(client, make_user, inspector, command):
    """Two inspectors, two departments, and tickets across zones and departments.

    inspector_xy (xiangyi) reports garbage in xiangyi and, while passing by, noise in jiaoxi;
    inspector_jx (jiaoxi) reports vending in jiaoxi and a stairwell problem in xiangyi;
    inspector_jx also reports an "other" in zhongyuan (pending, no department).
    """
    jx = make_user("inspector_jx", "inspector", zone="jiaoxi")[1]
    users = {
        "inspector_xy": inspector, "inspector_jx": jx, "command": command,
        "chengguan": make_user("cg", "department", department="chengguan")[1],
        "sanitation": make_user("san", "department", department="sanitation")[1],
        "station_xiangyi": make_user("stxy", "department", department="station_xiangyi")[1],
        "roaming": make_user("roaming", "inspector")[1],  # an inspector with no zone
    }
    t = {
        "xy_garbage": ticket_of(report(client, inspector, category="exposed_garbage", at=INTERIOR["xiangyi"])),
        "xy_noise_in_jx": ticket_of(report(client, inspector, category="noise_nuisance", at=INTERIOR["jiaoxi"])),
        "jx_vending": ticket_of(report(client, jx, category="street_vending", at=INTERIOR["jiaoxi"])),
        "jx_stairwell_in_xy": ticket_of(report(client, jx, category="stairwell_clutter", at=INTERIOR["xiangyi"])),
        "jx_other": ticket_of(report(client, jx, category="other", at=INTERIOR["zhongyuan"])),
    }
    return users, {name: ticket["id"] for name, ticket in t.items()}


def visible_ids(client, headers) -> set[int]:
    return {t["id"] for t in list_tickets(client, headers, "limit=500")["data"]}


@pytest.mark.parametrize("who, sees", [
    # own reports (also the one in jiaoxi) and everything in xiangyi, also reported by others
    ("inspector_xy", {"xy_garbage", "xy_noise_in_jx", "jx_stairwell_in_xy"}),
    # own reports anywhere and jiaoxi's tickets — not xiangyi's garbage reported by someone else
    ("inspector_jx", {"xy_noise_in_jx", "jx_vending", "jx_stairwell_in_xy", "jx_other"}),
    # an inspector with no zone sees only what they reported (nothing here)
    ("roaming", set()),
    # 城管 gets the noise and the vending, nothing else
    ("chengguan", {"xy_noise_in_jx", "jx_vending"}),
    # 绿化市容所 gets the garbage
    ("sanitation", {"xy_garbage"}),
    # the xiangyi station gets the stairwell problem in its zone
    ("station_xiangyi", {"jx_stairwell_in_xy"}),
    # 城运中心 sees everything, including the pending one no department has
    ("command", {"xy_garbage", "xy_noise_in_jx", "jx_vending", "jx_stairwell_in_xy", "jx_other"}),
])
def test_each_role_sees_its_tickets_in_list_and_detail(client, world, who, sees):
    users, ids = world
    headers = users[who]
    assert visible_ids(client, headers) == {ids[name] for name in sees}
    assert list_tickets(client, headers)["count"] == len(sees)
    for name, ticket_id in ids.items():
        response = client.get(f"/api/v1/tickets/{ticket_id}", headers=headers)
        if name in sees:
            assert response.status_code == 200
            assert response.get_json()["ticket"]["id"] == ticket_id
        else:
            # not "forbidden": a ticket you may not see does not exist for you
            assert response.status_code == 404, (who, name)
            assert response.get_json()["error"]["code"] == "not_found"


def test_filters_cannot_widen_what_a_role_sees(client, world):
    # 城管 asking for sanitation's tickets gets none, not sanitation's.
    users, _ = world
    body = list_tickets(client, users["chengguan"], "department=sanitation")
    assert body["count"] == 0 and body["data"] == []


def test_mine_limits_to_own_reports(client, world):
    # ?mine=1: inspector_xy's own two reports, not the xiangyi one by inspector_jx.
    users, ids = world
    got = {t["id"] for t in list_tickets(client, users["inspector_xy"], "mine=1")["data"]}
    assert got == {ids["xy_garbage"], ids["xy_noise_in_jx"]}


def test_detail_includes_the_timeline(client, world):
    # The ticket page shows the legal record (留痕): who did what, in which role, when, from which
    # status to which.
    users, ids = world
    ticket = client.get(f"/api/v1/tickets/{ids['jx_vending']}", headers=users["chengguan"]).get_json()["ticket"]
    timeline = ticket["timeline"]
    assert [e["action"] for e in timeline] == ["report", "dispatch"]
    reported, dispatched = timeline
    assert (reported["actor"], reported["actor_role"]) == ("inspector_jx", "inspector")
    assert (reported["from_status"], reported["to_status"]) == (None, "pending_dispatch")
    assert (dispatched["actor"], dispatched["actor_role"]) == ("system", "system")
    assert (dispatched["from_status"], dispatched["to_status"]) == ("pending_dispatch", "dispatched")
    assert "城管执法中队" in dispatched["note"]
    assert all(datetime.fromisoformat(e["at"]) == DEFAULT_NOW for e in timeline)
    assert [c["deadline"] for c in ticket["deadline_history"]] == ["response", "resolve"]
    assert ticket["photos"] == []


def test_list_items_do_not_carry_the_timeline(client, world):
    # The list stays light: timelines only on the detail page.
    users, _ = world
    for item in list_tickets(client, users["command"])["data"]:
        assert "timeline" not in item
