"""A 回访 falls due when a ticket closes: by its source (config/followup.toml), by sampling, after a reopening."""
from __future__ import annotations

import pytest

from dispatch.followup.rules import drawn
from dispatch.street import service as street_service
from tests.dispatch.followup.helpers import closed_ticket, followups_of
from tests.dispatch.helpers import at_local, local


@pytest.mark.parametrize("source", ["committee", "open311"])
def test_a_committees_or_the_publics_closed_ticket_is_always_visited(street, app, source):
    ticket = closed_ticket(street, app, source=source)
    [task] = followups_of(app, ticket["id"])
    assert (task.reason, task.closure, task.zone, task.due_limit) == ("source", 1, "xiangyi", "3 WD")
    # closed Wed 10:00 + 3 working days: Mon 10:00
    assert at_local(task.due_at.isoformat()) == "2026-11-30 10:00"
    timeline = street.client.get(f"/api/v1/tickets/{ticket['id']}", headers=street.command).get_json()["ticket"]["timeline"]
    assert [e["action"] for e in timeline][-2:] == ["verify", "followup_due"]
    assert timeline[-1]["note"] == "按来源回访，截止 11/30 10:00"


def test_inspectors_reports_are_sampled_by_the_hash_of_their_number(street, app):
    # api at 20 %: YC-20261125-0002 (draw 0.048) and -0006 (0.164) are drawn; -0001 (0.521) … are not
    tickets = [closed_ticket(street, app) for _ in range(6)]
    visited = {t["number"] for t in tickets if followups_of(app, t["id"])}
    assert visited == {t["number"] for t in tickets if drawn(t["number"], 0.2)}
    assert visited == {"YC-20261125-0002", "YC-20261125-0006"}
    assert all(f.reason == "sample" for t in tickets for f in followups_of(app, t["id"]))


def test_a_source_without_a_rate_takes_the_default_and_rates_are_config(street, app, config_dir):
    text = (config_dir / "followup.toml").read_text(encoding="utf-8")
    (config_dir / "followup.toml").write_text(text.replace("api = 0.2", "api = 1.0").replace('limit = "3 WD"',
                                                                                             'limit = "4 WH"'))
    with app.app_context():
        street_service.reload(app)
    ticket = closed_ticket(street, app)
    [task] = followups_of(app, ticket["id"])
    assert (task.reason, task.due_limit, at_local(task.due_at.isoformat())) == ("source", "4 WH", "2026-11-25 15:00")
    assert not followups_of(app, closed_ticket(street, app, source="phone")["id"])  # default_rate 0


def test_nothing_falls_due_before_the_ticket_closes(street, app):
    ticket = closed_ticket(street, app, source="open311")
    street.clock.set(local(2026, 11, 26, 9, 0))
    assert len(followups_of(app, ticket["id"])) == 1
