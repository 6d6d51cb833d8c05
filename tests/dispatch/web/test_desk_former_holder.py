"""The desk ticket page for a department that held the ticket before: readable, no actions, a plain notice."""
from __future__ import annotations

import pytest

from tests.dispatch.lifecycle import Street, act, returned, returned_then_redispatched, self_resolved, upload

END = "本部门可查看工单和处置留痕，不能再办理。"
HTML = {"Accept": "text/html"}


def detail(s: Street, tid: int, headers: dict) -> dict:
    response = s.client.get(f"/desk/tickets/{tid}.json", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def closed_elsewhere(s: Street) -> int:
    tid = returned_then_redispatched(s)
    upload(s, s.chengguan, tid, stage="after")
    act(s, s.chengguan, tid, "resolve")
    act(s, s.command, tid, "verify", passed=True)
    return tid


def cancelled(s: Street) -> int:
    tid = returned(s)
    act(s, s.command, tid, "cancel", reason="重复录入")
    return tid


RETURNED = "本部门已于 11/25 10:20 退单（原因：建筑垃圾，属城管）"


@pytest.mark.parametrize("how, notice", [
    # waiting for the command center again
    (returned, f"{RETURNED}，现待城运中心重新派遣。{END}"),
    # the command center gave it to 城管, who signed for it
    (returned_then_redispatched, f"{RETURNED}，现由城管执法中队承办。{END}"),
    # …and 城管 finished it, checked and closed
    (closed_elsewhere, f"{RETURNED}，已由城管执法中队处置并结案。{END}"),
    # the command center voided it after the return
    (cancelled, f"{RETURNED}，现已由城运中心作废。{END}"),
    # an inspector fixed it on the spot before sanitation signed for it
    (self_resolved, f"网格巡查员inspector_xy已于 11/25 10:45 自行处置，本部门不再承办，现待核查。{END}"),
], ids=lambda v: getattr(v, "__name__", ""))
def test_a_former_holder_gets_the_page_without_actions_and_a_notice(street, how, notice):
    tid = how(street)
    body = detail(street, tid, street.sanitation)
    assert body["actions"] == []
    assert body["former_holder"]["notice"] == notice
    assert body["former_holder"]["department"] == "sanitation"
    assert [e["action"] for e in body["ticket"]["timeline"]][:2] == ["report", "dispatch"]
    page = street.client.get(f"/desk/tickets/{tid}", headers={**street.sanitation, **HTML})
    assert page.status_code == 200 and body["ticket"]["number"] in page.get_data(as_text=True)


def test_the_current_holder_and_the_command_center_get_no_notice(street):
    tid = returned_then_redispatched(street)
    current = detail(street, tid, street.chengguan)
    assert current["former_holder"] is None and [a["action"] for a in current["actions"]][:2] == ["return", "resolve"]
    assert detail(street, tid, street.command)["former_holder"] is None


def test_a_department_given_the_ticket_again_is_its_holder_again(street):
    tid = returned(street)
    act(street, street.command, tid, "dispatch", department="sanitation")
    body = detail(street, tid, street.sanitation)
    assert body["former_holder"] is None
    assert [a["action"] for a in body["actions"]] == ["accept", "return", "request_extension"]


def test_the_returned_row_opens_the_ticket(street):
    tid = returned_then_redispatched(street)
    rows = street.client.get("/desk/queues.json", headers=street.sanitation).get_json()["queues"]["returned"]["tickets"]
    assert [(r["id"], r["visible"], r["department"]) for r in rows] == [(tid, True, "chengguan")]
