"""回访 are part of the case record (留痕): their visits and escalations are append-only, the chain intact."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from dispatch.followup import scheduled
from dispatch.tickets import record
from tests.dispatch.followup.helpers import closed_ticket, followups_of, visit
from tests.dispatch.helpers import local


@pytest.fixture
def database_url(both_backends_url):
    return both_backends_url


def _refused(engine, statement: str, params: dict) -> str:
    with pytest.raises(sa.exc.DBAPIError) as caught:
        with engine.begin() as conn:
            conn.execute(sa.text(statement), params)
    return str(caught.value.orig)


def test_a_visit_and_its_escalations_cannot_be_changed_or_deleted(street, app):
    ticket = closed_ticket(street, app, source="open311")
    task = followups_of(app, ticket["id"])[0]
    scheduled.sweep_once(app, now=local(2026, 11, 27, 15, 0))  # 预警
    visit(street, street.inspector, task.id, reached=True, rating="satisfied")
    engine = app.extensions["db_engine"]
    for table in ("followup_visits", "followup_escalations"):
        with engine.connect() as conn:
            assert conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE ticket_id = :t"),
                                {"t": ticket["id"]}).scalar() == 1, table
        assert "append-only" in _refused(engine, f"DELETE FROM {table} WHERE ticket_id = :t", {"t": ticket["id"]})
        assert "append-only" in _refused(engine, f"UPDATE {table} SET ticket_id = ticket_id WHERE ticket_id = :t",
                                         {"t": ticket["id"]})
    with engine.connect() as conn:
        verdict = record.verify(conn, ticket["id"])
    assert verdict.intact, verdict.public()
