"""Conditional GET on the polled feeds: a strong ETag of the body, `private, no-cache`, 304 on If-None-Match."""
from __future__ import annotations

import pytest

from tests.dispatch.helpers import local
from tests.dispatch.web.helpers import POINTS, next_snapshot, report

FEEDS = ["/cockpit/feed.json", "/desk/queues.json"]


def get(client, headers, path, etag: str | None = None):
    return client.get(path, headers={**headers, **({"If-None-Match": etag} if etag else {})})


@pytest.mark.parametrize("path", FEEDS)
def test_same_state_is_a_304_with_no_body(client, users, clock, path):
    report(client, users)
    clock.set(local(2026, 11, 25, 10, 1))
    first = get(client, users["command"], path)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith('W/')  # strong
    assert first.headers["Cache-Control"] == "private, no-cache"
    again = get(client, users["command"], path, etag)
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag and again.headers["Cache-Control"] == "private, no-cache"
    assert get(client, users["command"], path, '"something-else"').status_code == 200


@pytest.mark.parametrize("path", FEEDS)
def test_a_new_report_is_a_200_with_a_new_etag(client, users, clock, path):
    report(client, users)
    clock.set(local(2026, 11, 25, 10, 1))
    etag = get(client, users["command"], path).headers["ETag"]
    report(client, users, at=POINTS["jiaoxi"])
    next_snapshot(client, clock)  # the cockpit's figures: the next shared snapshot
    changed = get(client, users["command"], path, etag)
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.get_json()  # the full body


def test_the_time_alone_changes_the_etag(client, users, clock):
    """Deadline states, today's counts and generated_at depend on the clock: a later poll is a new body."""
    report(client, users)
    etag = get(client, users["command"], "/cockpit/feed.json").headers["ETag"]
    clock.set(local(2026, 11, 25, 10, 50))  # the ticket's 签收 reached its 预警
    later = get(client, users["command"], "/cockpit/feed.json", etag)
    assert later.status_code == 200 and later.headers["ETag"] != etag


def test_each_zone_filter_has_its_own_etag(client, users, clock):
    report(client, users)
    report(client, users, at=POINTS["jiaoxi"])
    clock.set(local(2026, 11, 25, 10, 1))
    etags = {zone: get(client, users["command"], "/cockpit/feed.json" + (f"?zone={zone}" if zone else ""))
             .headers["ETag"] for zone in (None, "xiangyi", "jiaoxi", "zhongyuan")}
    assert len(set(etags.values())) == 4
    other_zone = get(client, users["command"], "/cockpit/feed.json?zone=jiaoxi", etags["xiangyi"])
    assert other_zone.status_code == 200 and other_zone.get_json()["zone"] == "jiaoxi"


def test_different_users_do_not_share_a_304_for_different_bodies(client, users, clock):
    report(client, users)                                          # 绿化市容所 (sanitation)
    report(client, users, category="street_vending")              # 城管 (chengguan)
    clock.set(local(2026, 11, 25, 10, 1))
    sanitation = get(client, users["sanitation"], "/desk/queues.json")
    chengguan = get(client, users["chengguan"], "/desk/queues.json", sanitation.headers["ETag"])
    assert chengguan.status_code == 200 and chengguan.headers["ETag"] != sanitation.headers["ETag"]
    command = get(client, users["command"], "/desk/queues.json?department=sanitation", sanitation.headers["ETag"])
    assert command.status_code == 200  # the command center also gets the 挂账 queue: another body


def test_a_poll_within_the_interval_is_served_the_shared_snapshot_without_building_it(client, users, clock,
                                                                                       monkeypatch):
    from dispatch.web import cockpit_service

    report(client, users)
    first = get(client, users["command"], "/cockpit/feed.json")
    built = []
    monkeypatch.setattr(cockpit_service, "feed_and_stats", lambda **kw: built.append(kw) or ({"version": "x"}, None))
    report(client, users, at=POINTS["jiaoxi"])  # a write: served at the next recompute, not by every poll
    again = get(client, users["command"], "/cockpit/feed.json", first.headers["ETag"])
    assert again.status_code == 304 and built == []
    assert get(client, users["command"], "/cockpit/feed.json").get_json() == first.get_json()  # read, not built
    assert built == []
    next_snapshot(client, clock)
    get(client, users["command"], "/cockpit/feed.json")
    assert len(built) == 1  # one recompute for the new interval


def test_errors_are_not_conditional(client, users):
    response = client.get("/cockpit/feed.json?zone=nowhere", headers=users["command"])
    assert response.status_code == 400 and "ETag" not in response.headers
