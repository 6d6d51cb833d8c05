"""Two sweeps at once (two threads, each with its own session): every escalation happens exactly once."""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlmodel import Session

from dispatch.escalation.models import OutboxMessage
from dispatch.tickets.models import Escalation
from dispatch.escalation.sweep import sweep
from dispatch.tickets.models import TimelineEntry

from .conftest import XIANGYI, sh

REPORTED = sh(2026, 11, 25, 10, 0)
TICKETS = 6
ROUNDS = [
    sh(2026, 11, 25, 11, 0),   # response warning + overdue on every ticket
    sh(2026, 11, 26, 15, 0),   # the rest up to 督办 on both deadlines
    sh(2026, 12, 1, 15, 0),    # level 3 on both deadlines
]


@pytest.fixture
def database_url(both_backends_url):
    return both_backends_url


def _sweep_in_threads(app, now, n=2) -> list[list[dict]]:
    """Run `n` sweeps as of `now` at the same moment, each in its own thread and session."""
    engine, config = app.extensions["db_engine"], app.extensions["street_config"]
    barrier = threading.Barrier(n)
    results: list[list[dict] | None] = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            with Session(engine) as session:
                barrier.wait()
                results[i] = sweep(session=session, config=config, now=now)
        except BaseException as exc:  # reported below, not swallowed by the thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return results


def test_two_sweeps_at_once_record_each_escalation_once(app, report, rows, caplog):
    # ~75 m apart along the same street: not duplicates of one another, all in zone xiangyi.
    tickets = [report(at=REPORTED, lng=XIANGYI[0] + 0.0008 * i) for i in range(TICKETS)]
    assert {t["zone"] for t in tickets} == {"xiangyi"}
    reported = []
    for now in ROUNDS:
        first, second = _sweep_in_threads(app, now)
        reported += first + second
    keys = [(r["ticket"], r["deadline"], r["level"]) for r in reported]
    expected = {(t["id"], kind, level) for t in tickets for kind in ("response", "resolve") for level in range(4)}
    # every escalation reported by exactly one of the two sweeps
    assert Counter(keys) == Counter(expected)

    escalations = rows(Escalation)
    assert sorted((e.ticket_id, e.deadline, e.level) for e in escalations) == sorted(expected)
    entries = rows(TimelineEntry, action="escalate")
    assert sorted((e.ticket_id, e.data["deadline"], e.data["level"]) for e in entries) == sorted(expected)
    # per ticket and deadline: 1 (warning) + 3 (overdue) + 1 (督办) + 1 (leader) recipients
    messages = rows(OutboxMessage)
    assert len(messages) == TICKETS * 2 * 6
    assert len({(m.escalation_id, m.recipient) for m in messages}) == len(messages)
    assert "failed" not in caplog.text


def test_many_sweeps_racing_on_a_catch_up(app, report, rows, caplog):
    """Four sweeps after a week of downtime: each of the 8 levels of each ticket is recorded once."""
    tickets = [report(at=REPORTED, lng=XIANGYI[0] + 0.0008 * i) for i in range(3)]
    results = _sweep_in_threads(app, sh(2026, 12, 1, 15, 0), n=4)
    keys = [(r["ticket"], r["deadline"], r["level"]) for batch in results for r in batch]
    assert len(keys) == len(set(keys)) == len(tickets) * 8
    assert len(rows(Escalation)) == len(tickets) * 8
    assert len(rows(TimelineEntry, action="escalate")) == len(tickets) * 8
    assert len(rows(OutboxMessage)) == len(tickets) * 12
    assert "failed" not in caplog.text  # no sweep tripped over the unique key
