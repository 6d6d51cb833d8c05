"""After 退单 and a new dispatch the escalation ladder starts again for the new department."""
from __future__ import annotations

from dispatch.escalation.models import OutboxMessage
from dispatch.tickets.models import Escalation

from .conftest import sh


def test_a_new_dispatch_starts_a_fresh_ladder(client, clock, make_user, command, report, sweep_at, rows,
                                             load_ticket):
    sanitation = make_user("san", "department", department="sanitation")[1]
    ticket = report(at=sh(2026, 11, 25, 10, 0))  # sanitation, response due 11:00
    # the first department lets the response deadline pass: warning and level 1 under round 1
    assert [r["level"] for r in sweep_at(sh(2026, 11, 25, 11, 1))] == [0, 1]
    assert load_ticket(ticket["id"]).escalation_level == 1

    clock.set(sh(2026, 11, 25, 11, 5))
    resp = client.post(f"/api/v1/tickets/{ticket['id']}/actions", headers=sanitation,
                       json={"action": "return", "reason": "不属于本部门"})
    assert resp.status_code == 200
    assert load_ticket(ticket["id"]).escalation_level == -1  # no department, no ladder
    assert sweep_at(sh(2026, 11, 25, 11, 30)) == []  # returned tickets wait; nothing escalates

    clock.set(sh(2026, 11, 25, 13, 0))
    resp = client.post(f"/api/v1/tickets/{ticket['id']}/actions", headers=command,
                       json={"action": "dispatch", "department": "chengguan"})
    assert resp.status_code == 200
    # the new department gets its own warning (80 % of 1 WH after 13:00 = 13:48) and level 1 at 14:00
    results = sweep_at(sh(2026, 11, 25, 14, 0))
    assert [(r["deadline"], r["level"]) for r in results] == [("response", 0), ("response", 1)]
    response_rows = rows(Escalation, ticket_id=ticket["id"], deadline="response")
    assert [(e.level, e.round) for e in response_rows] == [(0, 1), (1, 1), (0, 2), (1, 2)]
    told = {m.recipient for m in rows(OutboxMessage, ticket_id=ticket["id"])
            if m.escalation_id == response_rows[2].id}
    assert told == {"chengguan"}  # the warning now goes to the department that holds the ticket
    assert load_ticket(ticket["id"]).escalation_level == 1
