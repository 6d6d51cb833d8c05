"""Plain helpers of the monthly report tests: make a report in the app, place reports at known spots."""
from __future__ import annotations

from datetime import datetime

from dispatch.reports import service
from tests.dispatch.helpers import INTERIOR, event, offset, report, ticket_of
from tests.dispatch.stats.dataset import set_fields


def generate(app, month: str, now: datetime, **kwargs):
    """Store `month`'s report as of `now`; returns its data."""
    from dispatch import db

    with app.app_context():
        stored = service.generate(session=db.session(), config=app.extensions["street_config"],
                                  month=service.parse_month(month), now=now, by="test", **kwargs)
        return stored.data


def build(app, month: str, now: datetime) -> dict:
    """The report of `month` as of `now`, not stored."""
    from dispatch import db

    with app.app_context():
        return service.build(session=db.session(), config=app.extensions["street_config"],
                             month=service.parse_month(month), now=now)


def report_at(app, client, headers, *, east_m: float, created: datetime, category: str = "exposed_garbage",
              zone: str = "jiaoxi") -> dict:
    """A report `east_m` metres east of the zone's interior point, made at `created` (set after reporting)."""
    body = event(category=category, at=offset(*INTERIOR[zone], east_m=east_m))
    ticket = ticket_of(report(client, headers, body))
    set_fields(app, ticket["id"], {"created_at": created})
    return ticket
