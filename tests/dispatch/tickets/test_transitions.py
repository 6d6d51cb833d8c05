"""The transition table over HTTP: every (action, status) pair, role checks, the timeline (留痕).

The cast (`street`) and the helpers that drive tickets are in tests/dispatch/lifecycle.py.
"""
from __future__ import annotations

import pytest

from dispatch import db
from dispatch.tickets import flows
from dispatch.tickets.models import Status, Ticket
from dispatch.tickets.transitions import TRANSITIONS
from tests.dispatch.helpers import JPEG, at_local, local
from tests.dispatch.lifecycle import Street, act, get, new_report, ticket_in, upload

STATUSES = [s.value for s in Status]


# --- the table ------------------------------------------------------------------------------------
# Written out from docs/domain.md ("The closed loop"), not read from transitions.py, so that a change to the
# table has to change this too. (action, from, to, why); "to" None = the status does not change.
P, D, I, R, C = Status.pending_dispatch, Status.dispatched, Status.in_progress, Status.resolved, Status.closed
X, S, DUP = Status.cancelled, Status.suspended, Status.duplicate
ALLOWED = [
    ("dispatch", P, D, "城运中心 dispatches what routing could not place"),
    ("accept", D, I, "签收 by the ticket's department"),
    ("return", D, P, "退单 before signing: not ours"),
    ("return", I, P, "退单 after signing, once it turns out not to be theirs"),
    ("start", I, None, "开始处置 is a recorded step; still in progress"),
    ("resolve", I, R, "处置完成 with an after photo"),
    ("verify", R, C, "核查 passed closes the case (fail is tested in test_actions)"),
    ("request_extension", D, None, "延期 may be asked before signing"),
    ("request_extension", I, None, "延期 asked while handling"),
    ("approve_extension", D, None, "the command center approves: the deadline moves, not the status"),
    ("approve_extension", I, None, "same while in progress"),
    ("reject_extension", D, None, "rejected: nothing moves"),
    ("reject_extension", I, None, "same while in progress"),
    ("suspend", P, S, "挂账 before dispatch"),
    ("suspend", D, S, "挂账 waiting for 签收"),
    ("suspend", I, S, "挂账 while handling"),
    ("resume", S, D, "恢复 returns to the status it was suspended from (here: dispatched)"),
    ("supervise", P, None, "督办 a ticket waiting for dispatch"),
    ("supervise", D, None, "督办 a ticket not yet signed for"),
    ("supervise", I, None, "督办 while handling"),
    ("supervise", R, None, "督办 while waiting for 核查"),
    ("cancel", P, X, "作废 / 不予立案 before dispatch"),
    ("cancel", D, X, "作废 after dispatch"),
    ("cancel", I, X, "作废 while handling"),
    ("cancel", R, X, "作废 while waiting for 核查"),
    ("cancel", S, X, "作废 a 挂账 ticket"),
    ("self_resolve", P, R, "自行处置 by an inspector on a ticket nobody has yet"),
    ("self_resolve", D, R, "自行处置 before the department signed for it"),
    ("review_rework", C, I, "复核返工: the command center sends a closed ticket back on a 居委's 复核 request "
                            "(taken on the request, tests/dispatch/evaluation)"),
    ("whistle", P, D, "吹哨 on a ticket waiting for dispatch: dispatched to the lead"),
    ("whistle", D, None, "吹哨 on a dispatched ticket: its department leads, assisting departments join"),
    ("whistle", I, None, "吹哨 while handling"),
    ("check_in", D, None, "报到 by an assisting department (tested in test_joint)"),
    ("check_in", I, None, "报到 while the lead handles it"),
    ("finish_task", D, None, "协办完成 (tested in test_joint)"),
    ("finish_task", I, None, "协办完成 while the lead handles it"),
    ("close_task", P, None, "关闭协办 by the command center, e.g. after a 退单"),
    ("close_task", D, None, "关闭协办"),
    ("close_task", I, None, "关闭协办"),
    ("close_task", S, None, "关闭协办 of a 挂账 ticket"),
    ("reopen", C, I, "回访返工: an 不满意 回访's request approved, back to its department (tests/dispatch/followup)"),
    ("decline_reopen", C, None, "驳回返工: the request declined with a reason; it stays closed"),
    ("reassign", D, D, "改派 before 签收: another department, a new round waiting for its 签收"),
    ("reassign", I, D, "改派 while handling: the new department signs for it again"),
    ("urge", D, None, "催办 a ticket not yet signed for: a reminder, the status stays"),
    ("urge", I, None, "催办 while handling"),
]
JOINT = ("check_in", "finish_task", "close_task")  # need a joint case first: their moves are tested in test_joint
ALLOWED_PAIRS = {(a, s) for a, s, _, _ in ALLOWED}
# a move taken only on a decision (`via`: 复核返工 on a 复核 request) is not an action of POST …/actions
FORBIDDEN = [(a, s) for a in TRANSITIONS for s in STATUSES if (a, s) not in ALLOWED_PAIRS and TRANSITIONS[a].via is None]

# The actor who may take each action (role, and department/zone of the tickets built above).
ACTOR = {"dispatch": "command", "accept": "sanitation", "return": "sanitation", "start": "sanitation",
         "resolve": "sanitation", "verify": "command", "request_extension": "sanitation",
         "approve_extension": "command", "reject_extension": "command", "suspend": "command", "resume": "command",
         "supervise": "command", "cancel": "command", "self_resolve": "inspector", "whistle": "command",
         "check_in": "sanitation", "finish_task": "sanitation", "close_task": "command",
         "reopen": "command", "decline_reopen": "command", "reassign": "command", "urge": "command"}
# A valid body for each action, so that a refusal can only come from the status.
BODY = {"dispatch": {"department": "sanitation"}, "return": {"reason": "不属于本部门职责"},
        "verify": {"passed": True}, "request_extension": {"hours": 2, "reason": "需协调物业"},
        "cancel": {"reason": "不予立案"}, "suspend": {"note": "等待产权单位"},
        "whistle": {"department": "sanitation", "assists": [{"department": "chengguan", "task": "协助清运"}]},
        "check_in": {}, "finish_task": {"note": "已完成"}, "close_task": {"task_id": 1, "reason": "不需要了"},
        "decline_reopen": {"reason": "已现场复核"}, "reassign": {"department": "chengguan", "reason": "属城管职责"}}


def test_table_matches_the_domain():
    # The implementation's table allows exactly the moves written out above.
    actual = {(a, s) for a, move in TRANSITIONS.items() for s in move.sources}
    assert actual == ALLOWED_PAIRS


def _prepare(s: Street, action: str, ticket: dict, app) -> None:
    """What must happen before an allowed action can succeed (a photo, a pending extension or reopen request)."""
    if action in ("reopen", "decline_reopen"):  # as an 不满意 回访 asks (dispatch.followup)
        with app.app_context():
            session = db.session()
            flows.request_reopen(session=session, ticket=session.get(Ticket, ticket["id"]), visit_id=None,
                                 reason="居民不满意", actor=s.users["inspector_xy2"], now=s.clock.now)
            session.commit()
    if action == "resolve":
        upload(s, s.sanitation, ticket["id"], stage="after")
    if action == "self_resolve":
        upload(s, s.inspector, ticket["id"], stage="after")
    if action in ("approve_extension", "reject_extension"):
        act(s, s.sanitation, ticket["id"], "request_extension", hours=2, reason="需协调物业")


DIRECT = [m for m in ALLOWED if TRANSITIONS[m[0]].via is None and m[0] not in JOINT]  # the moves POST …/actions takes


@pytest.mark.parametrize(("action", "source", "target", "why"), DIRECT,
                         ids=[f"{a}-{s}" for a, s, _, _ in DIRECT])
def test_allowed_move_reaches_its_target_and_is_recorded(street, clock, app, action, source, target, why):
    ticket = ticket_in(street, source)
    _prepare(street, action, ticket, app)
    before = get(street, ticket["id"])
    clock.set(local(2026, 11, 25, 10, 7))
    actor = ACTOR[action]
    after = act(street, getattr(street, actor), ticket["id"], action, version=before["version"],
                **BODY.get(action, {}))["ticket"]
    expected = target or source
    assert after["status"] == expected, why
    assert after["version"] == before["version"] + 1
    # exactly one new timeline entry, appended: who, role, when, from, to, note
    assert after["timeline"][:len(before["timeline"])] == before["timeline"]
    assert len(after["timeline"]) == len(before["timeline"]) + 1
    entry = after["timeline"][-1]
    username = {"command": "command1", "sanitation": "sanitation1", "inspector": "inspector_xy"}[actor]
    role = {"command": "command", "sanitation": "department", "inspector": "inspector"}[actor]
    assert (entry["action"], entry["actor"], entry["actor_role"]) == (action, username, role)
    assert (entry["from_status"], entry["to_status"]) == (source, expected)
    assert at_local(entry["at"]) == "2026-11-25 10:07"
    assert "note" in entry
    # the GET shows the same as the action's answer
    assert get(street, ticket["id"]) == after


@pytest.mark.parametrize("status", STATUSES)
def test_forbidden_moves_are_409_and_change_nothing(street, status):
    # Every pair the table does not allow, tried by an actor whose role may take the action. A refused
    # action changes nothing, so one ticket in `status` serves for all of them.
    ticket = ticket_in(street, status)
    before = get(street, ticket["id"])
    wrong = []
    for action in [a for a, s in FORBIDDEN if s == status]:
        response = street.client.post(f"/api/v1/tickets/{ticket['id']}/actions", headers=getattr(street, ACTOR[action]),
                                      json={"action": action, **BODY.get(action, {})})
        if (TRANSITIONS[action].own_department or TRANSITIONS[action].assisting) and ticket["department"] is None:
            # Department-only action on a ticket that has no department (pending_dispatch, duplicate):
            # no department can even see it, and a ticket one may not see is 404, not revealed.
            expected = (404, {"code": "not_found"})
        elif TRANSITIONS[action].assisting:  # 报到, 协办完成: only a department assisting on it (none here)
            expected = (403, {"code": "forbidden"})
        else:
            expected = (409, {"code": "illegal_transition", "status": status})
        error = (response.get_json() or {}).get("error", {})
        if (response.status_code, {k: error.get(k) for k in expected[1]}) != expected:
            wrong.append((action, response.status_code, error))
        if get(street, ticket["id"]) != before:  # same version, same timeline, nothing else moved
            wrong.append((action, "changed the ticket"))
    assert wrong == []


def test_forbidden_move_answers_409_status_code(street):
    # The HTTP status of an illegal transition is 409 (the parametrized test checks the body).
    ticket = ticket_in(street, Status.closed)
    response = street.client.post(f"/api/v1/tickets/{ticket['id']}/actions", json={"action": "accept"},
                                  headers=street.sanitation)
    assert response.status_code == 409
    assert response.get_json()["error"] == {"code": "illegal_transition", "status": "closed",
                                            "message": response.get_json()["error"]["message"]}


@pytest.mark.parametrize("source", [P, D, I])
def test_resume_returns_to_the_status_it_was_suspended_from(street, source):
    # 挂账 then 恢复 from each status that may be suspended: back where it was.
    ticket = ticket_in(street, source)
    act(street, street.command, ticket["id"], "suspend", note="挂账")
    resumed = act(street, street.command, ticket["id"], "resume")["ticket"]
    assert resumed["status"] == source
    assert (resumed["timeline"][-1]["from_status"], resumed["timeline"][-1]["to_status"]) == (S, source)


# --- role checks ----------------------------------------------------------------------------------
ROLE_CASES = [
    # (who, action, ticket status, extra body, expected HTTP status, why)
    ("inspector", "accept", D, {}, 403, "an inspector cannot sign for a department"),
    ("command", "accept", D, {}, 403, "the command center does not sign for a department either"),
    ("sanitation", "dispatch", D, {"department": "chengguan"}, 403, "a department does not dispatch"),
    ("sanitation", "cancel", D, {"reason": "不想做"}, 403, "a department cannot cancel (作废)"),
    ("sanitation", "approve_extension", D, {}, 403, "a department cannot approve its own extension"),
    ("sanitation", "suspend", I, {}, 403, "挂账 is the command center's"),
    ("sanitation", "verify", R, {"passed": True}, 403, "a department cannot verify its own work"),
    ("inspector", "resolve", I, {}, 403, "only the department reports 处置完成"),
    ("inspector", "supervise", D, {}, 403, "督办 is the command center's"),
    # Not the ticket's department / not the ticket's zone: they cannot see the ticket at all, and a ticket
    # one cannot see is answered 404 so that its existence is not revealed (dispatch/tickets/views.py).
    ("chengguan", "accept", D, {}, 404, "another department signing for sanitation's ticket"),
    ("chengguan", "return", D, {"reason": "不是我们的"}, 404, "another department returning it"),
    ("inspector_jiaoxi", "verify", R, {"passed": True}, 404, "an inspector of another zone verifying"),
    ("inspector_jiaoxi", "self_resolve", D, {}, 404, "an inspector of another zone resolving"),
]


@pytest.mark.parametrize(("who", "action", "status", "extra", "expected", "why"), ROLE_CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in ROLE_CASES])
def test_role_checks(street, who, action, status, extra, expected, why):
    ticket = ticket_in(street, status)
    if action == "approve_extension":
        act(street, street.sanitation, ticket["id"], "request_extension", days=1, reason="需协调")
    before = get(street, ticket["id"])
    body = act(street, getattr(street, who), ticket["id"], action, expect=expected, **extra)
    assert body["error"]["code"] == ("forbidden" if expected == 403 else "not_found"), why
    assert get(street, ticket["id"]) == before


ACTOR_CASES = [
    # (who, action, ticket status, why): the flow's own check (check_actor), below the visibility rule.
    ("chengguan1", "accept", D, "another department signing for sanitation's ticket"),
    ("chengguan1", "return", I, "another department returning it"),
    ("inspector_jx", "verify", R, "an inspector of another zone verifying"),
    ("inspector_jx", "self_resolve", P, "an inspector of another zone resolving on the spot"),
]


@pytest.mark.parametrize(("username", "action", "status", "why"), ACTOR_CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in ACTOR_CASES])
def test_flow_refuses_wrong_department_or_zone_with_403(app, street, username, action, status, why):
    from dispatch import db
    from dispatch.errors import ApiError
    from dispatch.tickets import flows, service
    from dispatch.tickets.schemas import ActionRequest

    ticket = ticket_in(street, status)
    with app.app_context():
        session = db.session()
        row = service.get(session=session, ticket_id=ticket["id"])
        actor = session.get(type(street.users[username]), street.users[username].id)
        request = ActionRequest(action=action, passed=True, reason="x")
        with pytest.raises(ApiError) as caught:
            flows.perform(session=session, config=app.extensions["street_config"], ticket=row, actor=actor,
                          request=request, now=street.clock())
        assert caught.value.http_status == 403, why
    assert get(street, ticket["id"]) == ticket


def test_reporter_inspector_of_another_zone_may_verify_their_own_report(street):
    # Inspectors act on their own reports and on their zone's tickets.
    ticket = new_report(street, headers=street.inspector_jiaoxi)  # reported in xiangyi by a jiaoxi inspector
    act(street, street.sanitation, ticket["id"], "accept")
    upload(street, street.sanitation, ticket["id"])
    act(street, street.sanitation, ticket["id"], "resolve")
    closed = act(street, street.inspector_jiaoxi, ticket["id"], "verify", passed=True)["ticket"]
    assert closed["status"] == C


# --- the timeline is the legal record ---------------------------------------------------------------

def test_whole_loop_records_every_step_and_deletes_nothing(street, clock):
    # report → dispatch(auto) → return → dispatch → accept → photo → resolve → verify fail → photo →
    # resolve → verify → closed: each call appends, none removes or rewrites an entry.
    steps = [
        ("sanitation", "return", {"reason": "应由城管处理"}),
        ("command", "dispatch", {"department": "chengguan"}),
    ]
    ticket = new_report(street)
    tid = ticket["id"]
    seen = get(street, tid)["timeline"]
    minute = 0

    def check_grows(expect_action: str) -> None:
        nonlocal seen
        now = get(street, tid)["timeline"]
        assert now[:len(seen)] == seen, "an entry was changed or removed"
        assert now[-1]["action"] == expect_action
        seen = now

    for who, action, body in steps:
        minute += 1
        clock.set(local(2026, 11, 25, 10, minute))
        act(street, getattr(street, who), tid, action, **body)
        check_grows(action)
    act(street, street.chengguan, tid, "accept")
    check_grows("accept")
    upload(street, street.chengguan, tid)
    check_grows("photo")
    act(street, street.chengguan, tid, "resolve")
    check_grows("resolve")
    clock.set(local(2026, 11, 25, 11, 0))
    act(street, street.inspector, tid, "verify", passed=False, note="仍有垃圾")
    check_grows("verify")
    clock.set(local(2026, 11, 25, 11, 30))
    upload(street, street.chengguan, tid, data=JPEG, filename="again.jpg")
    check_grows("photo")
    act(street, street.chengguan, tid, "resolve")
    check_grows("resolve")
    act(street, street.inspector, tid, "verify", passed=True)
    check_grows("verify")
    final = get(street, tid)
    assert final["status"] == C and final["rework_count"] == 1
    assert [e["action"] for e in final["timeline"]] == [
        "report", "dispatch", "return", "dispatch", "accept", "photo", "resolve", "verify", "photo", "resolve",
        "verify"]
    # each step says who did it, in what role, from which status to which
    assert [(e["actor_role"], e["from_status"], e["to_status"]) for e in final["timeline"][2:5]] == [
        ("department", D, P), ("command", P, D), ("department", D, I)]
    assert final["timeline"][2]["note"] == "应由城管处理"
    assert len(final["photos"]) == 2
