"""回访率 and 满意率 in GET /api/v1/stats and its exports, against figures counted by hand (docs/stats.md)."""
from __future__ import annotations

import csv
import io

from tests.dispatch.followup.helpers import closed_ticket, followups_of, visit
from tests.dispatch.helpers import local
from tests.dispatch.stats.views import assert_summaries_are_the_summaries


def _stats(street, query: str) -> dict:
    response = street.client.get(f"/api/v1/stats?from=2026-11-01&to=2026-11-30&{query}", headers=street.command)
    assert response.status_code == 200, response.get_json()
    return response


def test_followup_and_satisfaction_rates(street, app):
    # YC-…-0001, an inspector's report, is not drawn at 20 %: no 回访. Five 居委 tickets: five 回访, due Mon 11-30.
    assert not followups_of(app, closed_ticket(street, app)["id"])
    tasks = [followups_of(app, closed_ticket(street, app, source="committee")["id"])[0] for _ in range(5)]
    for task, body in zip(tasks, ({"reached": True, "rating": "satisfied"},
                                  {"reached": True, "rating": "basically_satisfied"},
                                  {"reached": True, "rating": "dissatisfied", "note": "还有异味"},
                                  {"reached": False})):
        visit(street, street.inspector, task.id, **body)
    # Wed 11-25: the fifth is not due yet — 应回访 4 (the visited), 已回访 4: 回访率 100 %;
    # reached 3, of whom 满意 + 基本满意 2: 满意率 2/3
    totals = _stats(street, "").get_json()["totals"]
    assert {k: totals[k] for k in ("followups_due", "followups_done", "followup_rate", "followups_reached",
                                   "followups_satisfied", "followups_dissatisfied", "satisfaction_rate")} == {
        "followups_due": 4, "followups_done": 4, "followup_rate": 1.0, "followups_reached": 3,
        "followups_satisfied": 2, "followups_dissatisfied": 1, "satisfaction_rate": 0.6667}
    # Tue 12-01: the fifth fell due unvisited — 4 / 5 = 80 %
    street.clock.set(local(2026, 12, 1, 10, 0))
    by_department = _stats(street, "group_by=department").get_json()
    sanitation = next(g for g in by_department["groups"] if g["key"] == "sanitation")
    assert (sanitation["followups_due"], sanitation["followup_rate"], sanitation["satisfaction_rate"]) == (
        5, 0.8, 0.6667)
    chengguan = next(g for g in by_department["groups"] if g["key"] == "chengguan")
    assert (chengguan["followups_due"], chengguan["followup_rate"], chengguan["satisfaction_rate"]) == (0, None, None)
    # counted in one pass for several views (the cockpit's recompute), the same figures
    assert_summaries_are_the_summaries(app, now=local(2026, 12, 1, 10, 0), start=local(2026, 11, 1, 0, 0),
                                       end=local(2026, 11, 30, 0, 0))
    # the monthly export carries them
    rows = list(csv.reader(io.StringIO(_stats(street, "group_by=zone&format=csv").data.decode("utf-8-sig"))))
    header, xiangyi = rows[0], next(r for r in rows if r[0] == "香溢片区")
    assert (xiangyi[header.index("应回访数")], xiangyi[header.index("已回访数")], xiangyi[header.index("回访率")],
            xiangyi[header.index("满意率")]) == ("5", "4", "80.0%", "66.7%")
