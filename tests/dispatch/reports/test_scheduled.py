"""The monthly job: on the first working day of a month (after 元旦 or 国庆 too), and exactly once."""
from __future__ import annotations

import pytest

from dispatch import db
from dispatch.reports import scheduled, service
from dispatch.scheduler import jobs
from tests.dispatch.helpers import local


def run(app, now):
    with app.app_context():
        return scheduled.run_due(session=db.session(), config=app.extensions["street_config"], now=now)


def stored(app) -> list[tuple[str, int]]:
    with app.app_context():
        return [(r.month, r.version) for r in service.listing(session=db.session())]


@pytest.mark.parametrize(("now", "due"), [
    (local(2026, 12, 1, 8, 0), "2026-11"),    # Tue 1 December, 08:00: a working day, the hour has come
    (local(2026, 12, 1, 7, 59), "2026-10"),   # … a minute before: still October's (made on 2 November)
    (local(2026, 10, 7, 23, 0), "2026-08"),   # 国庆: 1–7 October are days off, September's waits …
    (local(2026, 10, 8, 8, 0), "2026-09"),    # … for Thursday 8 October
    (local(2027, 1, 3, 12, 0), "2026-11"),    # 元旦 and a weekend: 1–3 January 2027 are days off …
    (local(2027, 1, 4, 9, 0), "2026-12"),     # … December's comes on Monday 4 January
    (local(2026, 11, 2, 8, 0), "2026-10"),    # 1 November 2026 is a Sunday: Monday 2 November
])
def test_the_due_month_follows_the_working_day_calendar(app, now, due):
    assert service.month_text(service.due_month(config=app.extensions["street_config"], now=now)) == due


def test_the_job_stores_the_month_on_its_first_working_day_and_exactly_once(app, clock):
    run(app, local(2026, 10, 8, 7, 0))  # September's made only at 08:00 of the first working day …
    assert stored(app) == [("2026-08", 1)]  # (August's was due already: a new installation catches up once)
    for hour in (8, 9, 12, 17):  # … then every pass of the day (and the days after) finds it stored
        run(app, local(2026, 10, 8, hour, 30))
    run(app, local(2026, 10, 20, 9))
    assert stored(app) == [("2026-09", 1), ("2026-08", 1)]
    with app.app_context():
        made = service.latest(session=db.session(), month="2026-09")
    assert made.generated_by == "scheduler"
    assert made.data["generated_at"] == "2026-10-08T08:30:00+08:00"


def test_the_job_after_the_new_year_holiday(app):
    assert run(app, local(2027, 1, 2, 10)) == "2026-11"  # during 元旦: November's (was due since 1 December)
    assert run(app, local(2027, 1, 2, 11)) is None
    assert run(app, local(2027, 1, 4, 8, 5)) == "2026-12"
    assert run(app, local(2027, 1, 4, 8, 15)) is None
    assert stored(app) == [("2026-12", 1), ("2026-11", 1)]


def test_the_job_is_registered_with_the_configured_interval(app):
    config = app.extensions["street_config"]
    [spec] = [s for s in jobs(config) if s.id == scheduled.MONTHLY_JOB_ID]
    assert spec.seconds == config.reports.monthly.check_interval_seconds == 600 and spec.at_start


def test_the_job_logs_instead_of_raising(app, clock, caplog, monkeypatch):
    clock.set(local(2026, 12, 1, 9))
    monkeypatch.setattr(service, "generate", lambda **kw: 1 / 0)
    scheduled.monthly_job(app)
    assert "monthly report job failed" in caplog.text
