"""评价: a 居委 evaluates each closed ticket of its 居民区 once, within committee_window (5 WD as shipped);
an 不满意 处置 with a note opens a 复核 the command center sends back to rework or dismisses."""
from __future__ import annotations

from tests.dispatch.evaluation.cases import XIANGYI_HUACHENG, closed, evaluate, reported
from tests.dispatch.helpers import at_local, local
from tests.dispatch.lifecycle import act, get, upload


def state(s, headers, ticket_id) -> dict:
    response = s.client.get(f"/api/v1/tickets/{ticket_id}/evaluation", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_an_evaluation_is_given_once(street, committees):
    ticket = closed(street, XIANGYI_HUACHENG)
    made = evaluate(street, committees["huacheng"], ticket["id"], responsiveness="basically_satisfied",
                    note="处理及时")
    assert (made["evaluation"]["responsiveness"], made["evaluation"]["handling"], made["review"]) == (
        "basically_satisfied", "satisfied", None)
    again = evaluate(street, committees["huacheng"], ticket["id"], expect=409, handling="dissatisfied")
    assert again["error"]["code"] == "already_evaluated"
    seen = state(street, committees["huacheng"], ticket["id"])
    assert (seen["state"], seen["may_evaluate"], seen["evaluation"]["note"]) == ("evaluated", False, "处理及时")
    entry = get(street, ticket["id"])["timeline"][-1]  # on the record, the status unchanged
    assert (entry["action"], entry["actor_role"], entry["note"]) == ("evaluate", "committee", "响应度基本满意，处置满意：处理及时")
    assert (entry["from_status"], entry["to_status"]) == ("closed", "closed")


def test_an_open_ticket_is_not_evaluated(street, committees):
    ticket = reported(street, XIANGYI_HUACHENG)
    assert evaluate(street, committees["huacheng"], ticket["id"], expect=409)["error"]["code"] == "not_closed"
    assert state(street, committees["huacheng"], ticket["id"])["state"] == "not_due"


def test_the_window_closes_after_5_working_days_and_the_ticket_counts_as_unevaluated(street, committees, clock):
    # Closed Wednesday 2026-11-25 10:00; 5 WD later is Wednesday 2026-12-02 10:00 (the weekend does not count).
    clock.set(local(2026, 11, 25, 10, 0))
    ticket = closed(street, XIANGYI_HUACHENG)
    clock.set(local(2026, 12, 2, 9, 30))
    before = state(street, committees["huacheng"], ticket["id"])
    assert (before["state"], before["may_evaluate"], at_local(before["window_ends_at"])) == (
        "awaiting", True, "2026-12-02 10:00")
    assert before["remaining_minutes"] == 30.0
    pending = street.client.get("/api/v1/evaluations/pending", headers=committees["huacheng"]).get_json()
    assert [t["number"] for t in pending["data"]] == [ticket["number"]] and pending["window"] == "5 WD"
    clock.set(local(2026, 12, 2, 10, 0))
    after = state(street, committees["huacheng"], ticket["id"])
    assert (after["state"], after["may_evaluate"]) == ("unevaluated", False)
    refused = evaluate(street, committees["huacheng"], ticket["id"], expect=409)
    assert refused["error"]["code"] == "evaluation_window_closed"
    assert street.client.get("/api/v1/evaluations/pending", headers=committees["huacheng"]).get_json()["count"] == 0
    stats = street.client.get("/api/v1/stats?from=2026-11-01&to=2026-11-30&group_by=committee",
                              headers=street.command).get_json()
    group = next(g for g in stats["groups"] if g["key"] == XIANGYI_HUACHENG)
    assert (group["name"], group["closed"], group["evaluated"], group["unevaluated"]) == ("香溢花城社区居委会", 1, 0, 1)


def test_a_dissatisfied_handling_with_a_note_asks_for_review_and_the_command_center_sends_it_back(
        street, committees, clock):
    ticket = closed(street, XIANGYI_HUACHENG)
    made = evaluate(street, committees["huacheng"], ticket["id"], handling="dissatisfied", note="垃圾又堆回来了")
    review = made["review"]
    assert (review["status"], review["note"], review["committee_name"]) == ("pending", "垃圾又堆回来了", "香溢花城社区居委会")
    assert street.client.get("/api/v1/reviews", headers=committees["huacheng"]).status_code == 403
    queue = street.client.get("/api/v1/reviews", headers=street.command).get_json()
    assert [r["ticket_number"] for r in queue["data"]] == [ticket["number"]]
    clock.set(local(2026, 11, 26, 9, 0))
    decided = street.client.post(f"/api/v1/reviews/{review['id']}/decision", headers=street.command,
                                 json={"decision": "rework", "reason": "居委反映反复堆放，请重新处置"})
    assert decided.status_code == 200, decided.get_json()
    assert decided.get_json()["review"]["status"] == "rework"
    after = get(street, ticket["id"])
    assert (after["status"], after["department"], after["rework_count"], after["closed_at"], after["resolved_at"]) == (
        "in_progress", "sanitation", 1, None, None)
    assert [e["action"] for e in after["timeline"][-3:]] == ["evaluate", "request_review", "review_rework"]
    last = after["timeline"][-1]
    assert (last["from_status"], last["to_status"], last["actor_role"], last["note"]) == (
        "closed", "in_progress", "command", "居委反映反复堆放，请重新处置")
    # the department handles it again, as after a failed 核查: on its desk, and 处置完成 needs a new after photo
    assert street.client.get("/desk/queues.json", headers=street.sanitation).get_json()["queues"]["in_progress"]["count"] == 1
    assert act(street, street.sanitation, ticket["id"], "resolve", expect=422)["error"]["code"] == "after_photo_required"
    upload(street, street.sanitation, ticket["id"], stage="after")
    assert act(street, street.sanitation, ticket["id"], "resolve")["ticket"]["status"] == "resolved"
    again = street.client.post(f"/api/v1/reviews/{review['id']}/decision", headers=street.command,
                               json={"decision": "dismiss", "reason": "重复"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "review_decided"


def test_the_command_center_may_dismiss_a_review_with_a_reason(street, committees):
    ticket = closed(street, XIANGYI_HUACHENG)
    review = evaluate(street, committees["huacheng"], ticket["id"], handling="dissatisfied", note="不满意")["review"]
    missing = street.client.post(f"/api/v1/reviews/{review['id']}/decision", headers=street.command,
                                 json={"decision": "dismiss"})
    assert missing.status_code == 422
    response = street.client.post(f"/api/v1/reviews/{review['id']}/decision", headers=street.command,
                                  json={"decision": "dismiss", "reason": "已现场核实处置到位"})
    assert response.status_code == 200
    after = get(street, ticket["id"])
    assert after["status"] == "closed"
    assert (after["timeline"][-1]["action"], after["timeline"][-1]["note"]) == ("dismiss_review", "已现场核实处置到位")
    assert street.client.get("/api/v1/reviews", headers=street.command).get_json()["count"] == 0


def test_a_dissatisfied_handling_without_a_note_opens_no_review(street, committees):
    ticket = closed(street, XIANGYI_HUACHENG)
    assert evaluate(street, committees["huacheng"], ticket["id"], handling="dissatisfied")["review"] is None


def test_review_rework_is_not_an_action_of_its_own(street, committees):
    # 复核返工 is decided on a 复核 request, never posted as an action
    ticket = closed(street, XIANGYI_HUACHENG)
    body = act(street, street.command, ticket["id"], "review_rework", expect=422, reason="x")
    assert body["error"]["code"] == "validation_error"
