"""Numbering across a schema upgrade: revision 0012 (PostgreSQL numbers from the tickets' id sequence) and its
downgrade keep a day's numbers going where they stood — no number twice, whichever way the database moves."""
from __future__ import annotations

import pytest

from tests.dispatch.helpers import INTERIOR, offset, report, ticket_of
from tests.dispatch.migrating import a_ticket, downgrade_to, start


@pytest.fixture
def database_url(both_backends_empty_url):
    return both_backends_empty_url


def test_a_day_numbered_before_an_upgrade_continues_after_it(tmp_path, config_dir, database_url):
    # Two reports on the 25th, the database taken back to revision 0010 (one counter row a day) and upgraded
    # again in the middle of the day: the next report is the day's third, on SQLite and on PostgreSQL.
    app = start(database_url, tmp_path, config_dir)
    first, headers = a_ticket(app)
    second = ticket_of(report(app.test_client(), headers, at=offset(*INTERIOR["xiangyi"], east_m=300)))
    app.extensions["db_engine"].dispose()
    assert (first["number"], second["number"]) == ("YC-20261125-0001", "YC-20261125-0002")

    downgrade_to(database_url, "0010")
    app = start(database_url, tmp_path, config_dir, migrate=True)
    third = ticket_of(report(app.test_client(), headers, at=offset(*INTERIOR["xiangyi"], east_m=600)))
    app.extensions["db_engine"].dispose()
    assert third["number"] == "YC-20261125-0003"
