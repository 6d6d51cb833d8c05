"""The check that stats.summaries(views) is, view by view, what stats.summary gives alone (used by the stats,
吹哨报到 and 回访 figure tests)."""
from __future__ import annotations

from dispatch.stats import service

VIEWS = [(group_by, zone) for group_by in (None, *service.GROUPINGS) for zone in (None, "zhongyuan", "jiaoxi")]


def assert_summaries_are_the_summaries(app, *, now, start, end, views=VIEWS, department=None) -> None:
    """summaries(views) gives, view by view, exactly what summary gives for that (group_by, zone) alone."""
    from dispatch import db

    with app.app_context():
        config, session = app.extensions["street_config"], db.session()
        together = service.summaries(session=session, config=config, now=now, start=start, end=end, views=views,
                                     department=department)
        alone = [service.summary(session=session, config=config, now=now, start=start, end=end, group_by=group_by,
                                 zone=zone, department=department) for group_by, zone in views]
    assert len(together) == len(views)
    for view, one, other in zip(views, together, alone):
        assert one == other, view
