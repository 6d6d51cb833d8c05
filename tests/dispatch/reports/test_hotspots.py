"""The hotspot rule (顽症) on synthetic reports: a cluster, and the near misses that are not one."""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from dispatch.reports.hotspots import Report, find, recurrences
from tests.dispatch.helpers import offset

BASE = (121.43, 31.255)
DAY = datetime(2026, 11, 1, 2, tzinfo=UTC)
MONTH = (DAY - timedelta(hours=2), datetime(2026, 12, 1, tzinfo=UTC))


def spot(i: int, category: str, east_m: float, day: float) -> Report:
    lng, lat = offset(*BASE, east_m=east_m)
    return Report(i, category, lng, lat, DAY + timedelta(days=day))


def hotspots(reports, radius_m=50, min_reports=3, window_days=30):
    return find(reports, radius_m=radius_m, min_reports=min_reports, window_days=window_days,
                start=MONTH[0], end=MONTH[1])


def test_three_reports_of_one_category_within_the_radius_and_30_days_make_a_hotspot():
    reports = [spot(1, "litter", 0, 0), spot(2, "litter", 20, 5), spot(3, "litter", 45, 12),
               spot(4, "litter", 10, 20)]
    [found] = hotspots(reports)
    assert found.ids == (1, 2, 3, 4) and found.category == "litter"
    assert found.peak == 4  # the 4th report is "此处 30 天内第 4 次上报"
    assert BASE[0] < found.lng < offset(*BASE, east_m=45)[0]  # its place: the mean of its reports


@pytest.mark.parametrize(("case", "reports"), [
    # the same category, but 60 m apart each: no two within 50 m
    ("same category far apart", [spot(1, "litter", 0, 0), spot(2, "litter", 60, 1), spot(3, "litter", 120, 2)]),
    # three reports at one spot, but of different categories
    ("different categories close", [spot(1, "litter", 0, 0), spot(2, "graffiti", 5, 1), spot(3, "clutter", 10, 2)]),
    # three at one spot, but spread over 31 days: never three within 30 days of one report
    ("over 31 days", [spot(1, "litter", 0, 0), spot(2, "litter", 5, 15), spot(3, "litter", 10, 31)]),
    # only two
    ("two reports", [spot(1, "litter", 0, 0), spot(2, "litter", 5, 1)]),
])
def test_near_misses_are_no_hotspot(case, reports):
    assert hotspots(reports) == [], case


def test_the_window_is_less_than_30_days_before_a_report():
    def over_two_months(reports):
        return find(reports, radius_m=50, min_reports=3, window_days=30, start=DAY, end=DAY + timedelta(days=60))

    reports = [spot(1, "litter", 0, 0), spot(2, "litter", 5, 10), spot(3, "litter", 10, 29.99)]
    assert [h.ids for h in over_two_months(reports)] == [(1, 2, 3)]
    reports[2] = spot(3, "litter", 10, 30)  # exactly 30 days after the first: the first has left the window
    assert over_two_months(reports) == []


def test_only_hotspot_reports_of_the_period_count_but_their_earlier_reports_are_listed():
    # two reports at the end of October, the third on 2 November: November's hotspot, with all three
    reports = [spot(1, "litter", 0, -5), spot(2, "litter", 5, -3), spot(3, "litter", 10, 1)]
    assert [h.ids for h in hotspots(reports)] == [(1, 2, 3)]
    early = [spot(1, "litter", 0, -5), spot(2, "litter", 5, -3), spot(3, "litter", 10, -2)]
    assert hotspots(early) == []  # all in October: not November's


def test_the_answer_does_not_depend_on_the_order_of_the_rows():
    rng = random.Random(7)
    reports = [spot(i, rng.choice(["a", "b"]), rng.uniform(0, 400), rng.uniform(0, 29)) for i in range(300)]
    first = [(h.category, h.ids, h.peak) for h in hotspots(reports)]
    rng.shuffle(reports)
    assert [(h.category, h.ids, h.peak) for h in hotspots(reports)] == first
    assert first  # 300 reports over 400 m: some hotspots


def test_recurrences_count_each_report_and_those_before_it():
    reports = [spot(1, "litter", 0, 0), spot(2, "litter", 20, 5), spot(3, "litter", 45, 12)]
    found = recurrences(reports, radius_m=50, window_days=30)
    assert {k: sorted(v) for k, v in found.items()} == {0: [0], 1: [0, 1], 2: [0, 1, 2]}


def brute_force(reports, *, radius_m, min_reports, window_days, start, end) -> set[tuple[str, tuple[int, ...]]]:
    """The rule as written in docs/reports.md, pair by pair (O(n²)): what the STRtree version must give."""
    from geo.distance import haversine_m

    window = timedelta(days=window_days)
    parent = {r.id: r.id for r in reports}

    def root(i):
        while parent[i] != i:
            i = parent[i]
        return i

    members = set()
    for r in reports:
        if not start <= r.at < end:
            continue
        recurrences = [o for o in reports if o.category == r.category
                       and haversine_m(r.lng, r.lat, o.lng, o.lat) <= radius_m
                       and ((o.at, o.id) <= (r.at, r.id)) and r.at - o.at < window]
        if len(recurrences) >= min_reports:
            for o in recurrences:
                members.add(o.id)
                parent[root(o.id)] = root(r.id)
    clusters = {}
    for i in members:
        clusters.setdefault(root(i), []).append(i)
    by_id = {r.id: r for r in reports}
    return {(by_id[ids[0]].category, tuple(sorted(ids, key=lambda i: (by_id[i].at, i)))) for ids in clusters.values()}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_strtree_answer_is_the_rule_pair_by_pair(seed):
    # 600 reports of 3 categories over 400 × 300 m and 60 days: many clusters, chains and near misses
    rng = random.Random(seed)
    reports = []
    for i in range(600):
        lng, lat = offset(*BASE, east_m=rng.uniform(0, 400), north_m=rng.uniform(0, 300))
        reports.append(Report(i, rng.choice("abc"), lng, lat, DAY + timedelta(hours=rng.randrange(0, 60 * 24))))
    period = dict(radius_m=30, min_reports=3, window_days=30, start=DAY + timedelta(days=30),
                  end=DAY + timedelta(days=60))
    found = {(h.category, h.ids) for h in find(reports, **period)}
    assert found == brute_force(reports, **period)
    assert len(found) > 5
