"""The evaluation formulas (评价) over a small hand-computed dataset (see conftest.CASES)."""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from dispatch.stats import service
from dispatch.street.schemas import EvaluationFile
from tests.dispatch.stats.dataset import sh
from tests.dispatch.stats.views import assert_summaries_are_the_summaries
from tests.helpers import DEFAULT_NOW

START, END = sh(11, 1), sh(11, 30)
SHIPPED = EvaluationFile()  # the scheme config/evaluation.toml ships: 50/30/10 + 督办 10, 2 a ticket


def summarize(app, group_by=None, department=None, zone=None, start=START, end=END, now=DEFAULT_NOW):
    from dispatch import db

    with app.app_context():
        return service.summary(session=db.session(), config=app.extensions["street_config"], now=now,
                               start=start, end=end, group_by=group_by, department=department, zone=zone)


def by_key(report) -> dict:
    return {group["key"]: group for group in report["groups"]}


# --- the formulas on their own ---------------------------------------------------------------------

@pytest.mark.parametrize(("numerator", "denominator", "expected"), [
    (2, 3, 2 / 3),  # a plain ratio
    (0, 4, 0.0),    # nothing done of something due: 0 %
    (0, 0, None),   # nothing due: undefined, not 0 %
])
def test_rate(numerator, denominator, expected):
    assert service.rate(numerator, denominator) == expected


@pytest.mark.parametrize(("supervised", "points"), [
    (0, 10.0),  # no 督办: full points
    (1, 8.0),   # 2 points off per supervised ticket
    (4, 2.0),
    (5, 0.0),   # floored at 0 …
    (9, 0.0),   # … never negative
])
def test_supervision_points(supervised, points):
    assert service.supervision_points(supervised, evaluation=SHIPPED) == points


@pytest.mark.parametrize(("rates", "supervised", "due", "expected"), [
    ((1.0, 1.0, 0.0), 0, 5, 100.0),              # perfect
    ((2 / 3, 1 / 3, 1 / 3), 1, 3, 51.3333),      # 50·⅓ + 30·⅔ + 10·⅔ + 8
    ((0.0, 0.0, 0.0), 1, 1, 18.0),               # nothing closed: only rework and 督办 points
    ((0.0, 0.0, 1.0), 6, 1, 0.0),                # all reworked, 督办 floored: 0
    ((None, None, None), 0, 0, None),            # nothing due: no composite, not 10 and not 100
])
def test_composite(rates, supervised, due, expected):
    close_rate, on_time_close_rate, rework_rate = rates
    score = service.composite(close_rate=close_rate, on_time_close_rate=on_time_close_rate,
                              rework_rate=rework_rate, supervised=supervised, due_to_close=due,
                              evaluation=SHIPPED)
    assert score == (None if expected is None else pytest.approx(expected, abs=1e-4))


# --- totals over the dataset --------------------------------------------------------------------------

TOTALS = {
    "reported": 9,            # A B C D E F G I K — not J (before the period), not the duplicate
    "duplicates": 1,
    "due_to_close": 3,        # A B closed, C past its deadline; not F (挂账) nor G (作废)
    "closed": 2,              # A B
    "closed_on_time": 1,      # A (B resolved after its deadline)
    "close_rate": 0.6667,
    "on_time_close_rate": 0.3333,
    "due_to_handle": 4,       # A B (closed), C (past due), E (resolved); not I (never dispatched)
    "handled": 3,             # A B E
    "handled_on_time": 2,     # A E
    "handle_rate": 0.75,
    "on_time_handle_rate": 0.5,
    "rework": 1,              # B (rework_count 2 counts once)
    "rework_rate": 0.3333,
    "extended": 1,            # C
    "extension_rate": 0.25,
    "supervised": 1,          # C
    "supervision_points": 8.0,
    "composite": 51.33,
    "avg_handling_hours": 4.5,  # (2 + 8 + 3.5) / 3 working hours
    "open": 6,                # C D E F I K
    "overdue": 2,             # C past resolve, K not signed for
    "pending_dispatch": 1,    # I
    "reported_today": 2,      # I K (the duplicate is not a case)
    "closed_today": 1,        # B
}


def test_totals(app, dataset):
    totals = summarize(app)["totals"]
    assert {name: totals[name] for name in TOTALS} == TOTALS


def test_shape(app, dataset):
    report = summarize(app, group_by="zone")
    assert report["from"] == "2026-11-01T00:00:00+08:00"
    assert report["to"] == "2026-11-30T00:00:00+08:00"
    assert report["generated_at"] == "2026-11-25T10:00:00+08:00"
    assert report["group_by"] == "zone"
    assert set(report["groups"][0]) == {"key", "name", *report["totals"]}


def test_rates_are_none_without_denominator(app):
    totals = summarize(app)["totals"]
    assert totals["reported"] == totals["due_to_close"] == totals["due_to_handle"] == 0
    for name in service.RATES:
        assert totals[name] is None, name
    assert totals["composite"] is None
    assert totals["avg_handling_hours"] is None
    assert totals["supervision_points"] == 10.0


def test_suspended_and_cancelled_count_as_reported_only(app, dataset):
    """F (挂账) and G (作废) are past their deadline yet in no rate; taking them out changes nothing else."""
    from tests.dispatch.stats.dataset import set_fields

    before = summarize(app)["totals"]
    set_fields(app, dataset["F"]["id"], {"status": "in_progress"})  # resumed: now it is due
    after = summarize(app)["totals"]
    assert after["due_to_close"] == before["due_to_close"] + 1
    assert after["due_to_handle"] == before["due_to_handle"] + 1
    assert after["reported"] == before["reported"]


def test_resolve_deadline_passing_makes_a_ticket_due(app, dataset):
    """D (due 12-10) becomes 应结案/应处置 once its deadline has passed."""
    later = summarize(app, now=datetime(2026, 12, 11, tzinfo=UTC))["totals"]
    assert later["due_to_close"] == TOTALS["due_to_close"] + 3   # D, E (resolved, not closed) and K
    assert later["due_to_handle"] == TOTALS["due_to_handle"] + 2  # D and K (E was due already)


# --- groups ---------------------------------------------------------------------------------------

DEPARTMENTS = {
    # key: (name, figures); composite ranking: sanitation 70 > chengguan 18 > the rest (None)
    "sanitation": ("绿化市容所", dict(reported=3, due_to_close=2, closed=2, closed_on_time=1, close_rate=1.0,
                                     on_time_close_rate=0.5, due_to_handle=2, handled=2, handled_on_time=1,
                                     rework=1, rework_rate=0.5, extension_rate=0.0, supervised=0,
                                     composite=70.0, avg_handling_hours=5.0, open=1, closed_today=1)),
    "chengguan": ("城管执法中队", dict(reported=4, due_to_close=1, closed=0, close_rate=0.0, on_time_close_rate=0.0,
                                      due_to_handle=1, handled=0, handle_rate=0.0, rework_rate=0.0, extended=1,
                                      extension_rate=1.0, supervised=1, composite=18.0,
                                      avg_handling_hours=None, open=3, overdue=2, reported_today=1)),
    "station_jiaoxi": ("交西片区网格化管理站", dict(reported=1, due_to_close=0, close_rate=None, rework_rate=None,
                                                    composite=None, due_to_handle=1, handled=1, handle_rate=1.0,
                                                    on_time_handle_rate=1.0, avg_handling_hours=3.5, open=1)),
    "housing": ("房管办", dict(reported=0, due_to_close=0, close_rate=None, composite=None, open=0)),
    None: ("未派遣", dict(reported=1, duplicates=1, open=1, pending_dispatch=1, reported_today=1, composite=None)),
}
ZONES = {
    "xiangyi": ("香溢片区", dict(reported=2, due_to_close=2, closed=1, close_rate=0.5, on_time_close_rate=0.5,
                                 due_to_handle=2, handled=1, extension_rate=0.5, supervised=1, composite=58.0,
                                 avg_handling_hours=2.0, open=1, overdue=1)),
    "zhongyuan": ("中远两湾城片区", dict(reported=4, due_to_close=1, closed=1, close_rate=1.0,
                                        on_time_close_rate=0.0, rework_rate=1.0, composite=40.0,
                                        avg_handling_hours=8.0, open=2, overdue=1, pending_dispatch=1,
                                        reported_today=2, closed_today=1)),
    "jiaoxi": ("交西片区", dict(reported=3, duplicates=1, due_to_close=0, close_rate=None, composite=None,
                                due_to_handle=1, handle_rate=1.0, avg_handling_hours=3.5, open=3)),
}
CATEGORIES = {
    "exposed_garbage": ("暴露垃圾", dict(reported=3, due_to_close=2, composite=70.0)),
    "public_clutter": ("乱堆物料", dict(reported=3, duplicates=1, due_to_close=1, extended=1, composite=18.0)),
    "stairwell_clutter": ("楼道堆物/楼道隐患", dict(reported=1, handled=1)),
    "bike_misparking": ("非机动车乱停放", dict(reported=1, overdue=1, due_to_close=0)),
    "other": ("其他", dict(reported=1, pending_dispatch=1)),
    "illegal_construction": ("私搭乱建(违建)", dict(reported=0, composite=None)),
}


@pytest.mark.parametrize(("group_by", "expected"), [
    ("department", DEPARTMENTS),
    ("zone", ZONES),
    ("category", CATEGORIES),
])
def test_groups(app, dataset, group_by, expected):
    groups = by_key(summarize(app, group_by=group_by))
    for key, (name, figures) in expected.items():
        assert groups[key]["name"] == name
        for field, value in figures.items():
            assert groups[key][field] == value, (key, field)


@pytest.mark.parametrize("group_by", service.GROUPINGS)
def test_groups_add_up_to_the_totals(app, dataset, group_by):
    report = summarize(app, group_by=group_by)
    for name in service.COUNTS:
        assert sum(g[name] for g in report["groups"]) == report["totals"][name], name


def test_every_configured_group_is_listed(app, dataset):
    config = app.extensions["street_config"]
    assert [g["key"] for g in summarize(app, group_by="zone")["groups"]] == ["xiangyi", "zhongyuan", "jiaoxi"]
    categories = [g["key"] for g in summarize(app, group_by="category")["groups"]]
    assert categories == list(config.categories)  # no ticket without a category: no None group


def test_departments_ranked_by_composite(app, dataset):
    groups = summarize(app, group_by="department")["groups"]
    keys = [g["key"] for g in groups]
    assert keys[:2] == ["sanitation", "chengguan"]
    assert keys[-1] is None  # 未派遣 is not a department: always last
    assert all(g["composite"] is None for g in groups[2:])
    config = app.extensions["street_config"]
    assert keys[2:-1] == [code for code in config.departments if code not in ("sanitation", "chengguan")]


def test_no_grouping(app, dataset):
    report = summarize(app)
    assert report["group_by"] is None
    assert report["groups"] == []


def test_department_restriction(app, dataset):
    report = summarize(app, group_by="department", department="sanitation")
    assert [g["key"] for g in report["groups"]] == ["sanitation"]
    assert report["totals"]["reported"] == 3
    assert report["totals"]["composite"] == 70.0
    zones = by_key(summarize(app, group_by="zone", department="sanitation"))
    assert {k: g["reported"] for k, g in zones.items()} == {"xiangyi": 1, "zhongyuan": 1, "jiaoxi": 1}


def test_zone_restriction(app, dataset):
    from dispatch import db

    report = summarize(app, group_by="zone", zone="zhongyuan")
    assert [g["key"] for g in report["groups"]] == ["zhongyuan"]
    assert report["totals"]["reported"] == 4
    assert report["totals"]["composite"] == 40.0
    both = summarize(app, department="chengguan", zone="zhongyuan")["totals"]
    assert (both["reported"], both["overdue"]) == (2, 1)  # G and K; K is not signed for
    with app.app_context():
        days = service.trend(session=db.session(), config=app.extensions["street_config"], now=DEFAULT_NOW,
                             days=14, zone="jiaoxi")
    assert {d["date"]: d["reported"] for d in days if d["reported"]} == {"2026-11-23": 1, "2026-11-24": 1}


def test_period_selects_by_report_time(app, dataset):
    totals = summarize(app, start=sh(11, 16), end=sh(11, 18))["totals"]
    assert totals["reported"] == 2  # A and B
    assert totals["open"] == TOTALS["open"]  # snapshot figures ignore the period


@pytest.mark.parametrize(("kwargs", "message"), [
    (dict(group_by="street"), "group_by"),
    (dict(start=END, end=START), "empty"),
    (dict(start=datetime(2026, 11, 1), end=END), "timezone-aware"),
])
def test_bad_arguments(app, kwargs, message):
    with pytest.raises(ValueError, match=message):
        summarize(app, **kwargs)


# --- working hours and the trend -------------------------------------------------------------------

def test_the_unevaluated_divide_is_the_window_of_each_closing(app):
    """未评价 is counted in SQL as `closed_at <= last_closing_past_window(now)`: the same tickets as testing each
    closing's window (`window_end(closed_at) <= now`), across 国庆 and its make-up day, to the microsecond."""
    from dispatch.evaluation import service as evaluation_service

    config = app.extensions["street_config"]
    rng = random.Random(7)
    base = datetime(2026, 9, 20, tzinfo=UTC)
    for _ in range(40):
        now = base + timedelta(minutes=rng.randrange(0, 60 * 24 * 60))
        last = evaluation_service.last_closing_past_window(config=config, now=now)
        assert evaluation_service.window_end(last, config=config) <= now
        assert evaluation_service.window_end(last + timedelta(microseconds=1), config=config) > now
        for _ in range(20):
            closed_at = now - timedelta(minutes=rng.randrange(0, 60 * 24 * 20))
            assert (closed_at <= last) == (evaluation_service.window_end(closed_at, config=config) <= now)


def test_trend(app, dataset):
    from dispatch import db

    with app.app_context():
        days = service.trend(session=db.session(), config=app.extensions["street_config"], now=DEFAULT_NOW,
                             days=14)
    assert [d["date"] for d in days][:1] + [d["date"] for d in days][-1:] == ["2026-11-12", "2026-11-25"]
    assert {d["date"]: d["reported"] for d in days if d["reported"]} == {
        "2026-11-16": 1, "2026-11-17": 1, "2026-11-23": 1, "2026-11-24": 1, "2026-11-25": 2}
    assert {d["date"]: d["closed"] for d in days if d["closed"]} == {"2026-11-17": 1, "2026-11-25": 1}


# --- several views in one pass (the cockpit's recompute) -------------------------------------------

def test_summaries_equal_summary_per_view(app, dataset):
    assert_summaries_are_the_summaries(app, now=DEFAULT_NOW, start=START, end=END)
    # the cockpit's five views of one zone (the zones: restricted in Python, not in SQL)
    cockpit = [("zone", None), (None, "xiangyi"), ("category", "xiangyi"), ("department", "xiangyi"),
               ("committee", "xiangyi")]
    assert_summaries_are_the_summaries(app, now=DEFAULT_NOW, start=START, end=END, views=cockpit)
    assert_summaries_are_the_summaries(app, now=DEFAULT_NOW, start=START, end=END, department="sanitation")
    # one zone for every view: restricted in SQL; no view at all: nothing
    assert_summaries_are_the_summaries(app, now=DEFAULT_NOW, start=START, end=END,
                                       views=[(g, "zhongyuan") for g in (None, *service.GROUPINGS)])
    assert_summaries_are_the_summaries(app, now=DEFAULT_NOW, start=START, end=END, views=[])


def test_summaries_refuse_an_unknown_grouping(app):
    from dispatch import db

    with app.app_context(), pytest.raises(ValueError, match="group_by"):
        service.summaries(session=db.session(), config=app.extensions["street_config"], now=DEFAULT_NOW,
                          start=START, end=END, views=[("zone", None), ("street", None)])
