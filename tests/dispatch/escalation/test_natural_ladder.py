"""A category with natural-time limits (NH/NM) escalates on the clock: its ladder does not wait for Monday."""
from __future__ import annotations

from dispatch.tickets.models import Escalation

from .conftest import sh

# Friday 2026-11-27, 17:00 in Shanghai.
FRIDAY_EVENING = sh(2026, 11, 27, 17, 0)


def _ladder(rows, ticket_id: int) -> list[tuple[str, int, object]]:
    return sorted(((e.deadline, e.level, e.due_at) for e in rows(Escalation, ticket_id=ticket_id)),
                  key=lambda e: (e[2], e[0]))


def test_a_fire_lane_case_climbs_its_ladder_on_friday_night(report, sweep_at, rows):
    # 占用消防通道 (fire_lane_blocked): 30 NM to sign for, 2 NH to clear
    ticket = report("fire_lane_blocked", at=FRIDAY_EVENING)
    sweep_at(sh(2026, 11, 27, 23, 30))
    assert _ladder(rows, ticket["id"]) == [
        ("response", 0, sh(2026, 11, 27, 17, 24)),  # 预警: 80 % of the 30 minutes
        ("response", 1, sh(2026, 11, 27, 17, 30)),  # 超期 at the deadline
        ("response", 2, sh(2026, 11, 27, 18, 30)),  # 督办 1 NH later (it was Monday 17:30 in working time)
        ("resolve", 0, sh(2026, 11, 27, 18, 36)),   # 80 % of the 2 hours
        ("resolve", 1, sh(2026, 11, 27, 19, 0)),
        ("resolve", 2, sh(2026, 11, 27, 20, 0)),
        ("response", 3, sh(2026, 11, 27, 21, 30)),  # 分管领导督办 4 NH later (it was Wednesday)
        ("resolve", 3, sh(2026, 11, 27, 23, 0)),
    ]


def test_a_working_time_case_still_escalates_in_working_time(report, sweep_at, rows):
    # 暴露垃圾 (exposed_garbage, 1 WH to sign for) reported at the same instant: 30 working minutes are left
    # on Friday, so the response deadline is Monday 09:00 and its 督办 one working day later
    ticket = report("exposed_garbage", at=FRIDAY_EVENING)
    assert sweep_at(sh(2026, 11, 29, 23, 0)) == []  # nothing over the weekend
    sweep_at(sh(2026, 12, 1, 9, 0))
    assert [e for e in _ladder(rows, ticket["id"]) if e[0] == "response"] == [
        ("response", 0, sh(2026, 11, 30, 8, 48)),
        ("response", 1, sh(2026, 11, 30, 9, 0)),
        ("response", 2, sh(2026, 12, 1, 9, 0)),
    ]
