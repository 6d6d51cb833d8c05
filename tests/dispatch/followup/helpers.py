"""Helpers of the follow-up (回访) tests: a closed ticket of a chosen source, its 回访, a visit."""
from __future__ import annotations

from sqlmodel import select

from dispatch import db
from dispatch.followup.models import Followup
from dispatch.tickets.models import Status, Ticket
from tests.dispatch.lifecycle import Street, act, new_report, upload


def set_source(app, ticket_id: int, source: str) -> None:
    """Give a ticket another source (as a 居委's or the public's report would have)."""
    with app.app_context():
        session = db.session()
        ticket = session.get(Ticket, ticket_id)
        ticket.source = source
        session.add(ticket)
        session.commit()


def closed_ticket(s: Street, app, source: str | None = None) -> dict:
    """A ticket of 绿化市容所 driven to closed (核查 passed by the command center); `source` set before it closes."""
    ticket = new_report(s)
    tid = ticket["id"]
    if source is not None:
        set_source(app, tid, source)
    act(s, s.sanitation, tid, "accept")
    upload(s, s.sanitation, tid, stage="after")
    act(s, s.sanitation, tid, "resolve")
    closed = act(s, s.command, tid, "verify", passed=True)["ticket"]
    assert closed["status"] == Status.closed
    return closed


def followups_of(app, ticket_id: int) -> list[Followup]:
    with app.app_context():
        return list(db.session().exec(select(Followup).where(Followup.ticket_id == ticket_id)
                                      .order_by(Followup.id)).all())


def visit(s: Street, headers: dict, followup_id: int, expect: int | None = 201, **body) -> dict:
    response = s.client.post(f"/api/v1/followups/{followup_id}/visit", json=body, headers=headers)
    if expect is not None:
        assert response.status_code == expect, response.get_json()
    return response.get_json()
