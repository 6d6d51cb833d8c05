"""What each action does: 退单, 返工, 自行处置, 延期, 挂账/恢复, deadlines on dispatch, versions, bad bodies."""
from __future__ import annotations

import pytest

from tests.dispatch.helpers import JPEG, at_local, event, local, report, ticket_of
from tests.dispatch.lifecycle import act, get, new_report, ticket_in, upload

WED_10 = local(2026, 11, 25, 10, 0)  # the conftest clock: a plain Wednesday


def due(ticket: dict, kind: str) -> str | None:
    return at_local(ticket["deadlines"][kind]["due_at"])


def history(ticket: dict) -> list[tuple[str, str | None, str | None, str]]:
    """deadline_history as (deadline, old, new, reason) in Shanghai wall-clock time."""
    return [(c["deadline"], at_local(c["old_at"]), at_local(c["new_at"]), c["reason"])
            for c in ticket["deadline_history"]]


# --- 退单 (return) and dispatch to another department -------------------------------------------------

def test_return_needs_a_reason_then_redispatch_starts_fresh_deadlines(street, clock):
    ticket = new_report(street)  # exposed_garbage, auto-dispatched to sanitation at Wed 10:00
    tid = ticket["id"]
    assert (due(ticket, "response"), due(ticket, "resolve")) == ("2026-11-25 11:00", "2026-11-25 15:00")
    # no reason, blank reason, empty note; zero-width characters (ZWSP, word joiner, BOM, ZWJ) are blank too
    for body in ({}, {"reason": "   "}, {"note": ""}, {"reason": "\u200b\u2060"}, {"reason": "\ufeff", "note": "\u200d"}):
        error = act(street, street.sanitation, tid, "return", expect=422, **body)["error"]
        assert error["code"] == "validation_error"
    clock.set(local(2026, 11, 25, 10, 30))
    returned = act(street, street.sanitation, tid, "return", reason="属城管职责")["ticket"]
    assert returned["status"] == "pending_dispatch"
    assert returned["department"] is None and returned["dispatched_at"] is None
    assert returned["deadlines"]["response"]["due_at"] is None and returned["deadlines"]["resolve"]["due_at"] is None
    assert returned["timeline"][-1]["note"] == "属城管职责"
    assert returned["timeline"][-1]["data"] == {"returned_by": "sanitation"}
    # the department that returned it keeps reading its record (留痕), but may no longer act on it
    assert get(street, tid, street.sanitation)["timeline"][-1]["data"] == {"returned_by": "sanitation"}
    act(street, street.sanitation, tid, "return", expect=403, reason="再退一次")

    clock.set(local(2026, 11, 25, 11, 15))
    redispatched = act(street, street.command, tid, "dispatch", department="chengguan")["ticket"]
    assert redispatched["status"] == "dispatched" and redispatched["department"] == "chengguan"
    assert at_local(redispatched["dispatched_at"]) == "2026-11-25 11:15"
    # fresh clocks from 11:15: 1 WH → 13:15 (over lunch), 4 WH → 45 min + 3 h 15 → 16:15
    assert (due(redispatched, "response"), due(redispatched, "resolve")) == ("2026-11-25 13:15", "2026-11-25 16:15")
    assert history(redispatched) == [
        ("response", None, "2026-11-25 11:00", "dispatch"), ("resolve", None, "2026-11-25 15:00", "dispatch"),
        ("response", "2026-11-25 11:00", None, "return"), ("resolve", "2026-11-25 15:00", None, "return"),
        ("response", None, "2026-11-25 13:15", "dispatch"), ("resolve", None, "2026-11-25 16:15", "dispatch"),
    ]
    # the new department signs for it
    assert street.client.get(f"/api/v1/tickets/{tid}", headers=street.chengguan).status_code == 200
    act(street, street.chengguan, tid, "accept")


def test_return_from_in_progress_and_withdraws_a_pending_extension(street, clock):
    # 退单 after signing; the department's waiting 延期 request must not be left for the next department.
    tid = ticket_in(street, "in_progress")["id"]
    act(street, street.sanitation, tid, "request_extension", days=1, reason="需协调")
    act(street, street.sanitation, tid, "return", reason="不是我们的")
    act(street, street.command, tid, "dispatch", department="chengguan")
    error = act(street, street.command, tid, "approve_extension", expect=409)["error"]
    assert error["code"] == "no_extension_pending"
    act(street, street.chengguan, tid, "request_extension", hours=4, reason="自己的申请")  # not blocked


# --- 核查 fail (返工) ------------------------------------------------------------------------------

def test_verify_fail_sends_back_to_work_and_resolve_needs_a_new_after_photo(street, clock):
    tid = ticket_in(street, "resolved")["id"]
    clock.set(local(2026, 11, 25, 10, 40))
    error = act(street, street.inspector, tid, "verify", expect=422, passed=False)["error"]  # fail needs a note
    assert error["code"] == "validation_error"
    reworked = act(street, street.inspector, tid, "verify", passed=False, note="垃圾未清完")["ticket"]
    assert reworked["status"] == "in_progress" and reworked["rework_count"] == 1
    assert reworked["resolved_at"] is None
    assert reworked["timeline"][-1]["data"] == {"passed": False, "rework_count": 1}

    clock.set(local(2026, 11, 25, 11, 0))
    # the after photo of the first round does not count, nor does a new *before* photo
    assert act(street, street.sanitation, tid, "resolve", expect=422)["error"]["code"] == "after_photo_required"
    upload(street, street.sanitation, tid, data=JPEG, stage="before", filename="b.jpg")
    assert act(street, street.sanitation, tid, "resolve", expect=422)["error"]["code"] == "after_photo_required"
    upload(street, street.sanitation, tid, data=JPEG, stage="after", filename="a2.jpg")
    resolved = act(street, street.sanitation, tid, "resolve")["ticket"]
    assert resolved["status"] == "resolved" and resolved["rework_count"] == 1
    closed = act(street, street.inspector, tid, "verify", passed=True)["ticket"]
    assert closed["status"] == "closed" and closed["rework_count"] == 1


def test_resolve_needs_an_after_photo_when_the_category_asks(street):
    tid = ticket_in(street, "in_progress")["id"]  # exposed_garbage: after_photo_required
    assert act(street, street.sanitation, tid, "resolve", expect=422)["error"]["code"] == "after_photo_required"
    assert get(street, tid)["status"] == "in_progress"


# --- 自行处置 (self_resolve) ---------------------------------------------------------------------

@pytest.mark.parametrize("status", ["pending_dispatch", "dispatched"])
def test_self_resolve_with_photo_then_verified_by_someone_else(street, status):
    tid = ticket_in(street, status)["id"]
    # without a photo: refused
    assert act(street, street.inspector, tid, "self_resolve", expect=422)["error"]["code"] == "after_photo_required"
    upload(street, street.inspector, tid, stage="after")
    resolved = act(street, street.inspector, tid, "self_resolve")["ticket"]
    assert resolved["status"] == "resolved"
    assert resolved["timeline"][-1]["actor"] == "inspector_xy"
    # the same inspector may not verify their own on-the-spot resolution
    error = act(street, street.inspector, tid, "verify", expect=403, passed=True)["error"]
    assert error["code"] == "forbidden"
    assert get(street, tid)["status"] == "resolved"
    closed = act(street, street.inspector2, tid, "verify", passed=True)["ticket"]
    assert closed["status"] == "closed"
    assert closed["timeline"][-1]["actor"] == "inspector_xy2"


def test_self_resolve_always_needs_a_photo_even_where_resolve_does_not(street):
    # noise_nuisance has after_photo_required = false, but 自行处置 always needs one (docs/domain.md "The closed loop").
    tid = new_report(street, "noise_nuisance")["id"]
    assert act(street, street.inspector, tid, "self_resolve", expect=422)["error"]["code"] == "after_photo_required"
    upload(street, street.inspector, tid, stage="after")
    assert act(street, street.inspector, tid, "self_resolve")["ticket"]["status"] == "resolved"


def test_command_center_may_verify_a_self_resolved_ticket(street):
    tid = ticket_in(street, "pending_dispatch")["id"]
    upload(street, street.inspector, tid)
    act(street, street.inspector, tid, "self_resolve")
    assert act(street, street.command, tid, "verify", passed=True)["ticket"]["status"] == "closed"


def test_inspector_may_verify_a_departments_rework_after_an_earlier_self_resolve(street):
    # self_resolve → verify fail (no department: back to pending) → dispatched → department resolves:
    # the inspector who once resolved it on the spot may verify the department's work.
    tid = ticket_in(street, "pending_dispatch")["id"]
    upload(street, street.inspector, tid)
    act(street, street.inspector, tid, "self_resolve")
    back = act(street, street.inspector2, tid, "verify", passed=False, note="未处置到位")["ticket"]
    assert back["status"] == "pending_dispatch" and back["rework_count"] == 1
    act(street, street.command, tid, "dispatch", department="sanitation")
    act(street, street.sanitation, tid, "accept")
    upload(street, street.sanitation, tid, data=JPEG, filename="x.jpg")
    act(street, street.sanitation, tid, "resolve")
    assert act(street, street.inspector, tid, "verify", passed=True)["ticket"]["status"] == "closed"


# --- 延期 (extensions) ----------------------------------------------------------------------------

EXTENSION_CASES = [
    # (asked, resolve deadline after approval, why) — ticket dispatched Wed 2026-11-25 10:00, resolve due 15:00
    ({"days": 1}, "2026-11-26 15:00", "+1 WD: same time the next workday"),
    ({"hours": 1.5}, "2026-11-25 16:30", "+1.5 WH the same afternoon"),
    ({"hours": 3}, "2026-11-26 09:00", "+3 WH: 2.5 h left today, 0.5 h from 08:30 tomorrow"),
    ({"days": 2}, "2026-11-27 15:00", "+2 WD: Friday"),
    ({"days": 3}, "2026-11-30 15:00", "+3 WD: over the weekend to Monday"),
]


@pytest.mark.parametrize(("asked", "expected", "why"), EXTENSION_CASES, ids=[c[2] for c in EXTENSION_CASES])
def test_approved_extension_moves_the_resolve_deadline_by_working_time(street, clock, asked, expected, why):
    tid = ticket_in(street, "in_progress")["id"]
    clock.set(local(2026, 11, 25, 14, 0))
    requested = act(street, street.sanitation, tid, "request_extension", reason="需物业配合", **asked)["ticket"]
    assert due(requested, "resolve") == "2026-11-25 15:00"  # asking moves nothing
    clock.set(local(2026, 11, 25, 14, 20))
    approved = act(street, street.command, tid, "approve_extension", note="同意")["ticket"]
    assert due(approved, "resolve") == expected, why
    assert due(approved, "response") == "2026-11-25 11:00"  # only the resolve deadline moves
    assert approved["extension_count"] == 1
    assert history(approved)[-1] == ("resolve", "2026-11-25 15:00", expected, "extension")
    assert at_local(approved["deadline_history"][-1]["at"]) == "2026-11-25 14:20"


def test_one_pending_extension_at_a_time_and_reject_leaves_the_deadline(street, clock):
    tid = ticket_in(street, "dispatched")["id"]
    act(street, street.sanitation, tid, "request_extension", days=1, reason="需协调")
    before = get(street, tid)
    error = act(street, street.sanitation, tid, "request_extension", expect=409, hours=2, reason="再申请")["error"]
    assert (error["code"], error["status"]) == ("extension_pending", "dispatched")
    assert get(street, tid) == before
    rejected = act(street, street.command, tid, "reject_extension", note="不同意")["ticket"]
    assert due(rejected, "resolve") == due(before, "resolve")
    assert rejected["extension_count"] == 0
    assert [c["reason"] for c in rejected["deadline_history"]] == ["dispatch", "dispatch"]
    # decided: nothing pending any more; a new request may be made
    assert act(street, street.command, tid, "approve_extension", expect=409)["error"]["code"] == "no_extension_pending"
    act(street, street.sanitation, tid, "request_extension", hours=2, reason="再申请")
    assert due(act(street, street.command, tid, "approve_extension")["ticket"], "resolve") == "2026-11-25 17:00"


# --- 挂账 / 恢复 (suspend / resume) ------------------------------------------------------------------

def test_suspend_friday_resume_tuesday_keeps_the_working_time_left(street, clock):
    # 2026-03-13 is a Friday and 2026-03-16/17 plain workdays (no holiday until 清明, April 4).
    clock.set(local(2026, 3, 13, 13, 30))
    tid = new_report(street)["id"]  # exposed_garbage: resolve 4 WH → Friday 17:30
    clock.set(local(2026, 3, 13, 13, 40))
    accepted = act(street, street.sanitation, tid, "accept")["ticket"]
    assert due(accepted, "resolve") == "2026-03-13 17:30"
    clock.set(local(2026, 3, 13, 16, 0))  # 1.5 WH left
    suspended = act(street, street.command, tid, "suspend", note="待产权单位确认")["ticket"]
    assert suspended["status"] == "suspended"
    assert suspended["deadlines"]["resolve"]["remaining_minutes"] == 90
    clock.set(local(2026, 3, 16, 15, 0))  # Monday: the clock stands still, nothing is overdue
    frozen = get(street, tid)
    assert frozen["deadlines"]["resolve"]["remaining_minutes"] == 90
    assert frozen["deadlines"]["resolve"]["overdue"] is False
    clock.set(local(2026, 3, 17, 10, 0))  # Tuesday 10:00
    resumed = act(street, street.command, tid, "resume")["ticket"]
    assert resumed["status"] == "in_progress"
    assert due(resumed, "resolve") == "2026-03-17 11:30"
    assert resumed["deadlines"]["resolve"]["remaining_minutes"] == 90
    assert history(resumed)[-1] == ("resolve", "2026-03-13 17:30", "2026-03-17 11:30", "resume")
    assert resumed["timeline"][-1]["data"]["resolve_deadline"]


def test_suspend_before_signing_freezes_both_clocks(street, clock):
    clock.set(local(2026, 3, 13, 13, 30))
    tid = new_report(street)["id"]  # response 14:30, resolve 17:30
    clock.set(local(2026, 3, 13, 14, 0))
    suspended = act(street, street.command, tid, "suspend")["ticket"]
    assert [suspended["deadlines"][k]["remaining_minutes"] for k in ("response", "resolve")] == [30, 210]
    clock.set(local(2026, 3, 17, 10, 0))
    resumed = act(street, street.command, tid, "resume")["ticket"]
    assert resumed["status"] == "dispatched"
    assert (due(resumed, "response"), due(resumed, "resolve")) == ("2026-03-17 10:30", "2026-03-17 14:30")
    assert [h[3] for h in history(resumed)[-2:]] == ["resume", "resume"]


def test_resume_does_not_count_the_suspended_time_towards_the_warning(app, street, clock):
    # The 预警 (80 % of the window) after 恢复 falls when 80 % of the limit is used, not at once.
    clock.set(local(2026, 3, 13, 13, 30))
    tid = new_report(street)["id"]
    act(street, street.sanitation, tid, "accept")
    clock.set(local(2026, 3, 13, 13, 45))  # 15 of 240 working minutes used
    act(street, street.command, tid, "suspend")
    clock.set(local(2026, 3, 23, 9, 0))  # a week later
    act(street, street.command, tid, "resume")  # 225 minutes left → due 13:45
    from dispatch import db
    from dispatch.tickets.models import Ticket

    with app.app_context():
        row = db.session().get(Ticket, tid)
        assert at_local(row.resolve_deadline.isoformat()) == "2026-03-23 13:45"
        assert row.resolve_next_level == 0
        # 80 % of 240 = 192 minutes used: 15 before 挂账, 177 after 09:00 → 11:57 (not at once)
        assert at_local(row.resolve_next_at.isoformat()) == "2026-03-23 11:57"


# --- deadlines on dispatch ------------------------------------------------------------------------

CALENDAR_2027 = """
[years.2027]
holidays = ["2027-01-01", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12"]
workdays = ["2027-02-20"]
"""


@pytest.fixture
def config_dir(config_dir, request):
    """The conftest copy of config/, with [years.2027] added when a test is parametrized with "2027"."""
    if getattr(request, "param", None) == "2027":
        with (config_dir / "calendar.toml").open("a", encoding="utf-8") as handle:
            handle.write(CALENDAR_2027)
    return config_dir


DEADLINE_CASES = [
    # (category, reported (= dispatched) at, calendar, response due, resolve due, why)
    ("exposed_garbage", (2026, 11, 25, 10, 0), None, "2026-11-25 11:00", "2026-11-25 15:00",
     "1 WH / 4 WH on a Wednesday morning: 2 h before lunch, 2 h after"),
    ("exposed_garbage", (2026, 11, 25, 11, 30), None, "2026-11-25 13:30", "2026-11-25 16:30",
     "across the lunch break 12:00–13:00"),
    ("exposed_garbage", (2026, 11, 25, 12, 20), None, "2026-11-25 14:00", "2026-11-25 17:00",
     "reported during lunch: the clock starts at 13:00"),
    ("exposed_garbage", (2026, 11, 25, 19, 0), None, "2026-11-26 09:30", "2026-11-26 13:30",
     "reported in the evening: starts at 08:30 the next day"),
    ("exposed_garbage", (2026, 11, 27, 16, 30), None, "2026-11-27 17:30", "2026-11-30 11:30",
     "Friday afternoon: the weekend does not count"),
    ("stairwell_clutter", (2026, 11, 27, 10, 0), None, "2026-11-30 10:00", "2026-12-02 10:00",
     "1 WD / 3 WD from a Friday: Monday and Wednesday"),
    ("exposed_garbage", (2026, 9, 30, 16, 0), None, "2026-09-30 17:00", "2026-10-08 11:00",
     "National Day 2026: Oct 1–7 are holidays"),
    ("exposed_garbage", (2026, 10, 9, 16, 0), None, "2026-10-09 17:00", "2026-10-10 11:00",
     "Saturday 2026-10-10 is a make-up workday (调休)"),
    ("exposed_garbage", (2026, 10, 10, 10, 0), None, "2026-10-10 11:00", "2026-10-10 15:00",
     "reported on the make-up Saturday itself"),
    ("exposed_garbage", (2026, 9, 24, 16, 0), None, "2026-09-24 17:00", "2026-09-28 11:00",
     "Mid-Autumn 2026: Sep 25 (Friday) is a holiday"),
    ("exposed_garbage", (2026, 12, 31, 16, 0), None, "2026-12-31 17:00", "2027-01-04 11:00",
     "2026 → 2027 without 2027 data: provisional, 元旦 (Friday) is still off"),
    ("exposed_garbage", (2026, 12, 31, 16, 0), "2027", "2026-12-31 17:00", "2027-01-04 11:00",
     "2026 → 2027 with [years.2027]: 元旦 off, next workday Monday Jan 4"),
    ("exposed_garbage", (2027, 2, 5, 16, 0), None, "2027-02-09 09:30", "2027-02-09 13:30",
     "reported on 除夕 2027 without data: provisional 春节 (Feb 5–8) is off, Tuesday counts"),
    ("exposed_garbage", (2027, 2, 5, 16, 0), "2027", "2027-02-05 17:00", "2027-02-15 11:00",
     "the same with the override: the Spring Festival week (Feb 8–12) is off"),
    ("exposed_garbage", (2027, 2, 19, 16, 0), "2027", "2027-02-19 17:00", "2027-02-20 11:00",
     "the override's make-up Saturday 2027-02-20 is a workday"),
    ("fire_lane_blocked", (2026, 11, 27, 23, 0), None, "2026-11-27 23:30", "2026-11-28 01:00",
     "30 NM / 2 NH are clock time: across midnight into a Saturday"),
    ("fire_lane_blocked", (2026, 11, 29, 22, 45), None, "2026-11-29 23:15", "2026-11-30 00:45",
     "Sunday night: weekends count for natural hours"),
    ("fire_lane_blocked", (2026, 10, 3, 12, 10), None, "2026-10-03 12:40", "2026-10-03 14:10",
     "a National Day holiday at lunch time: natural hours ignore the calendar"),
    ("fire_lane_blocked", (2026, 12, 31, 23, 50), None, "2027-01-01 00:20", "2027-01-01 01:50",
     "over the year end"),
]


@pytest.mark.parametrize(("category", "when", "config_dir", "response", "resolve", "why"), DEADLINE_CASES,
                         indirect=["config_dir"], ids=[c[5] for c in DEADLINE_CASES])
def test_deadlines_on_dispatch(street, clock, category, when, response, resolve, why):
    clock.set(local(*when))
    ticket = new_report(street, category)
    assert ticket["status"] == "dispatched"
    assert (due(ticket, "response"), due(ticket, "resolve")) == (response, resolve), why


def test_deadlines_of_a_hand_dispatch_start_at_the_dispatch(street, clock):
    # `other` waits for the command center; its clocks start when it is dispatched, not when reported.
    tid = ticket_in(street, "pending_dispatch")["id"]
    clock.set(local(2026, 11, 27, 17, 0))  # Friday 17:00; other: 1 WH / 5 WD
    ticket = act(street, street.command, tid, "dispatch", department="market")["ticket"]
    assert (due(ticket, "response"), due(ticket, "resolve")) == ("2026-11-30 09:00", "2026-12-04 17:00")


# --- remaining_minutes on GET ----------------------------------------------------------------------

REMAINING_CASES = [
    # (category, reported, looked at, response remaining, resolve remaining, response overdue, why)
    ("exposed_garbage", (2026, 11, 25, 11, 30), (2026, 11, 25, 11, 45), 45, 225, False,
     "working minutes: 15 before lunch + 30 after (response 13:30)"),
    ("exposed_garbage", (2026, 11, 25, 11, 30), (2026, 11, 25, 12, 30), 30, 210, False,
     "during lunch nothing is used up"),
    ("exposed_garbage", (2026, 11, 27, 16, 30), (2026, 11, 28, 10, 0), 0, 180, True,
     "Saturday: response (Friday 17:30) is overdue by 0 working minutes; resolve (Monday 11:30) has 3 h"),
    ("exposed_garbage", (2026, 11, 25, 10, 0), (2026, 11, 25, 11, 20), -20, 160, True,
     "overdue by 20 working minutes"),
    ("fire_lane_blocked", (2026, 11, 27, 23, 0), (2026, 11, 27, 23, 10), 20, 110, False,
     "natural minutes for NM/NH limits"),
    ("fire_lane_blocked", (2026, 11, 27, 23, 0), (2026, 11, 28, 0, 0), -30, 60, True,
     "natural minutes go negative at night too"),
]


@pytest.mark.parametrize(("category", "reported", "looked", "response", "resolve", "overdue", "why"),
                         REMAINING_CASES, ids=[c[6] for c in REMAINING_CASES])
def test_remaining_minutes_on_get(street, clock, category, reported, looked, response, resolve, overdue, why):
    clock.set(local(*reported))
    tid = new_report(street, category)["id"]
    clock.set(local(*looked))
    deadlines = get(street, tid)["deadlines"]
    assert deadlines["response"]["remaining_minutes"] == response, why
    assert deadlines["resolve"]["remaining_minutes"] == resolve, why
    assert deadlines["response"]["overdue"] is overdue
    listed = street.client.get("/api/v1/tickets", headers=street.command).get_json()["data"][0]
    assert listed["deadlines"] == deadlines  # the list shows the same


def test_remaining_stops_when_met_or_ended(street, clock):
    tid = ticket_in(street, "in_progress")["id"]  # accepted at Wed 10:00: response met
    clock.set(local(2026, 11, 25, 11, 0))
    ticket = get(street, tid)
    assert ticket["deadlines"]["response"]["remaining_minutes"] is None
    assert at_local(ticket["deadlines"]["response"]["met_at"]) == "2026-11-25 10:00"
    assert ticket["deadlines"]["resolve"]["remaining_minutes"] == 180
    act(street, street.command, tid, "cancel", reason="不予立案")
    clock.set(local(2026, 11, 26, 11, 0))
    cancelled = get(street, tid)
    assert cancelled["deadlines"]["resolve"]["remaining_minutes"] is None
    assert cancelled["deadlines"]["resolve"]["overdue"] is False


# --- version (optimistic lock) ----------------------------------------------------------------------

def test_stale_version_is_409_and_changes_nothing(street):
    ticket = ticket_in(street, "dispatched")
    seen = ticket["version"]
    act(street, street.command, ticket["id"], "supervise", version=seen)  # someone else acts first
    before = get(street, ticket["id"])
    assert before["version"] == seen + 1
    error = act(street, street.sanitation, ticket["id"], "accept", expect=409, version=seen)["error"]
    assert error["code"] == "version_conflict"
    assert error["status"] == "dispatched" and error["version"] == seen + 1
    assert get(street, ticket["id"]) == before
    # with the current version it goes through
    assert act(street, street.sanitation, ticket["id"], "accept", version=seen + 1)["ticket"]["version"] == seen + 2


def test_version_from_the_future_is_409_too(street):
    ticket = ticket_in(street, "dispatched")
    error = act(street, street.sanitation, ticket["id"], "accept", expect=409, version=ticket["version"] + 5)
    assert error["error"]["code"] == "version_conflict"


# --- bad bodies: 4xx JSON, never 500 --------------------------------------------------------------

BAD_BODIES = [
    # (ticket status, who, raw JSON body, expected HTTP status, why)
    ("dispatched", "sanitation", '{"action": "explode"}', 422, "unknown action"),
    ("dispatched", "sanitation", '{}', 422, "no action"),
    ("dispatched", "sanitation", '{"action": 5}', 422, "action of the wrong type"),
    ("dispatched", "sanitation", '{"action": ["accept"]}', 422, "action as a list"),
    ("dispatched", "sanitation", '{"action": "accept", "colour": "red"}', 422, "unknown field"),
    ("dispatched", "sanitation", '{"action": "accept", "version": "1"}', 422, "version as text"),
    ("dispatched", "sanitation", '{"action": "accept", "version": 0}', 422, "version below 1"),
    ("dispatched", "sanitation", '{"action": "accept", "version": true}', 422, "version as a boolean"),
    ("dispatched", "sanitation", '{"action": "accept", "note": 12}', 422, "note as a number"),
    ("dispatched", "sanitation", '{"action": "accept", "version": 99999999999999999999999}', 409,
     "a version beyond any integer column is simply not the current one"),
    ("pending_dispatch", "command", '{"action": "dispatch"}', 422, "dispatch without a department"),
    ("pending_dispatch", "command", '{"action": "dispatch", "department": "nowhere"}', 422, "unknown department"),
    ("pending_dispatch", "command", '{"action": "dispatch", "department": 7}', 422, "department as a number"),
    ("pending_dispatch", "command", '{"action": "dispatch", "department": ""}', 422, "empty department"),
    ("in_progress", "sanitation", '{"action": "request_extension", "hours": 2, "days": 1, "reason": "x"}', 422,
     "both hours and days"),
    ("in_progress", "sanitation", '{"action": "request_extension", "reason": "x"}', 422, "neither hours nor days"),
    ("in_progress", "sanitation", '{"action": "request_extension", "hours": 2}', 422, "extension without a reason"),
    ("in_progress", "sanitation", '{"action": "request_extension", "hours": "2", "reason": "x"}', 422,
     "hours as text"),
    ("in_progress", "sanitation", '{"action": "request_extension", "hours": -1, "reason": "x"}', 422,
     "negative hours"),
    ("in_progress", "sanitation", '{"action": "request_extension", "hours": 0, "reason": "x"}', 422, "zero hours"),
    ("in_progress", "sanitation", '{"action": "request_extension", "hours": 1e999, "reason": "x"}', 422,
     "infinite hours"),
    ("in_progress", "sanitation", '{"action": "request_extension", "hours": NaN, "reason": "x"}', 422,
     "NaN hours (the parser reads it; the field wants a finite number)"),
    ("in_progress", "sanitation", '{"action": "request_extension", "hours": 0.00001, "reason": "x"}', 422,
     "less than a working minute (was stored as '1e-05 WH', which approval could not read back)"),
    ("in_progress", "sanitation", '{"action": "request_extension", "days": 1000, "reason": "x"}', 422,
     "more days than the limit"),
    ("resolved", "command", '{"action": "verify"}', 422, "verify without passed"),
    ("resolved", "command", '{"action": "verify", "passed": "yes"}', 422, "passed as text"),
    ("resolved", "command", '{"action": "verify", "passed": 1}', 422, "passed as a number"),
    ("resolved", "command", '{"action": "verify", "passed": false}', 422, "a failed check without a note"),
    ("dispatched", "command", '{"action": "cancel"}', 422, "cancel without a reason"),
    ("dispatched", "command", '{"action": "cancel", "reason": "' + "长" * 2001 + '"}', 422, "reason too long"),
    ("dispatched", "sanitation", '{"action": "return", "reason": null}', 422, "return with a null reason"),
    ("dispatched", "sanitation", 'accept', 400, "not JSON"),
    ("dispatched", "sanitation", '["accept"]', 400, "a JSON array"),
    ("dispatched", "sanitation", '"accept"', 400, "a JSON string"),
    ("dispatched", "sanitation", '', 400, "empty body"),
]


@pytest.mark.parametrize(("status", "who", "raw", "expected", "why"), BAD_BODIES, ids=[c[4] for c in BAD_BODIES])
def test_bad_bodies_are_4xx_json_and_change_nothing(street, status, who, raw, expected, why):
    ticket = ticket_in(street, status)
    response = street.client.post(f"/api/v1/tickets/{ticket['id']}/actions", data=raw,
                                  content_type="application/json", headers=getattr(street, who))
    assert response.status_code == expected, (why, response.get_json())
    assert response.is_json
    error = response.get_json()["error"]
    assert error["code"] and error["message"]
    assert get(street, ticket["id"]) == ticket


@pytest.mark.parametrize(("path", "expected", "why"), [
    ("/api/v1/tickets/999/actions", 404, "no such ticket"),
    ("/api/v1/tickets/99999999999999999999/actions", 404, "an id beyond any integer column"),
    ("/api/v1/tickets/-1/actions", 404, "negative id: no such route"),
])
def test_actions_on_missing_tickets_are_404_json(street, path, expected, why):
    response = street.client.post(path, json={"action": "accept"}, headers=street.sanitation)
    assert response.status_code == expected, why
    assert response.is_json


def test_actions_need_a_user(street):
    tid = ticket_in(street, "dispatched")["id"]
    response = street.client.post(f"/api/v1/tickets/{tid}/actions", json={"action": "accept"})
    assert response.status_code == 401 and response.is_json
    response = street.client.post(f"/api/v1/tickets/{tid}/actions", json={"action": "accept"},
                                  headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and response.is_json


def test_report_helpers_still_agree_with_intake(street):
    # Guard for the helpers above: the default report is auto-dispatched to sanitation.
    ticket = ticket_of(report(street.client, street.inspector, event(at=street.point())))
    assert (ticket["status"], ticket["department"]) == ("dispatched", "sanitation")


@pytest.mark.parametrize("finish, who", [
    ("resolve", "sanitation"),  # 处置完成: the department no longer needs more time
    ("cancel", "command"),      # 作废: nothing left to extend
])
def test_finishing_a_ticket_withdraws_its_waiting_extension(app, street, finish, who):
    from sqlmodel import Session, select

    from dispatch.tickets.models import ExtensionRequest

    tid = ticket_in(street, "in_progress")["id"]
    act(street, street.sanitation, tid, "request_extension", days=1, reason="需协调")
    upload(street, street.sanitation, tid, stage="after")
    act(street, getattr(street, who), tid, finish, **({"reason": "误报"} if finish == "cancel" else {}))
    with Session(app.extensions["db_engine"]) as session:
        requests = session.exec(select(ExtensionRequest).where(ExtensionRequest.ticket_id == tid)).all()
    assert [r.status for r in requests] == ["withdrawn"]
    if finish == "resolve":  # a failed 核查 reopens the ticket: the old request must not be approvable
        act(street, street.command, tid, "verify", passed=False, note="未清理干净")
        error = act(street, street.command, tid, "approve_extension", expect=409)["error"]
        assert error["code"] == "no_extension_pending"
        assert get(street, tid)["extension_count"] == 0


def test_self_resolve_takes_a_dispatched_ticket_off_the_departments_books(street, clock):
    tid = new_report(street)["id"]  # dispatched to sanitation, response due 11:00
    upload(street, street.inspector, tid, stage="after")
    resolved = act(street, street.inspector, tid, "self_resolve")["ticket"]
    assert (resolved["status"], resolved["department"], resolved["dispatched_at"]) == ("resolved", None, None)
    assert resolved["timeline"][-1]["data"]["relieved_department"] == "sanitation"
    assert [(c["deadline"], c["reason"]) for c in resolved["deadline_history"][-2:]] == [
        ("response", "self_resolve"), ("resolve", "self_resolve")]
    clock.set(local(2026, 11, 25, 16, 0))  # long after both old deadlines: nobody is overdue
    ticket = get(street, tid)
    assert not ticket["deadlines"]["response"]["overdue"] and not ticket["deadlines"]["resolve"]["overdue"]
    assert ticket["deadlines"]["response"]["met_at"] is None  # sanitation never signed for it
    # sanitation may still read it (it held it), not act on it
    assert get(street, tid, street.sanitation)["department"] is None
    act(street, street.sanitation, tid, "accept", expect=403)
    # a failed 核查 goes to the command center, not back to a department that never had the work
    failed = act(street, street.inspector2, tid, "verify", passed=False, note="还有残留")["ticket"]
    assert (failed["status"], failed["department"], failed["rework_count"]) == ("pending_dispatch", None, 1)


def test_a_new_dispatch_does_not_charge_the_next_department_with_earlier_rework_or_extensions(street):
    # sanitation got an extension and a failed 核查, then returned the ticket: chengguan starts clean
    tid = ticket_in(street, "in_progress")["id"]
    act(street, street.sanitation, tid, "request_extension", days=1, reason="需协调")
    act(street, street.command, tid, "approve_extension")
    upload(street, street.sanitation, tid, stage="after")
    act(street, street.sanitation, tid, "resolve")
    act(street, street.inspector, tid, "verify", passed=False, note="未清理干净")
    before = get(street, tid)
    assert (before["rework_count"], before["extension_count"]) == (1, 1)
    act(street, street.sanitation, tid, "return", reason="属城管职责")
    moved = act(street, street.command, tid, "dispatch", department="chengguan")["ticket"]
    assert (moved["rework_count"], moved["extension_count"]) == (0, 0)
    assert moved["timeline"][-1]["data"]["earlier_round"] == {"rework_count": 1, "extension_count": 1}
