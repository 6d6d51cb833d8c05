"""The cockpit's shared snapshot and the stored 处置时长 against the same figures computed from scratch.

A seeded random street: reports, dispatches, 签收, 处置完成, 核查 passed or failed (返工), 退单, 延期, 挂账/恢复,
督办, 作废, 自行处置 and escalation sweeps, with the clock moving forward between them. After each step the feed a
screen is served (the snapshot, maintained by whichever poll recomputes it) must be what the figures computed from
scratch at the snapshot's instant are, every stored 处置时长 what the calendar counts from the ticket's two
instants, and GET /api/v1/stats (default parameters) what the cockpit's cards show.
"""
from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlmodel import select

from dispatch import db
from dispatch.cockpit import snapshot
from dispatch.escalation import sweep as escalation_sweep
from dispatch.stats import service as stats_service
from dispatch.tickets.models import Ticket
from dispatch.web import cockpit_service
from tests.dispatch.helpers import INTERIOR, offset
from tests.dispatch.lifecycle import act, new_report, upload

ZONES = (None, "xiangyi", "jiaoxi")
MOVES = {  # what may happen to a ticket in each status (a move the table refuses is answered 4xx and skipped)
    "pending_dispatch": ("dispatch", "dispatch", "cancel", "self_resolve", "suspend", "supervise"),
    "dispatched": ("accept", "accept", "accept", "return", "extension", "suspend", "supervise", "self_resolve"),
    "in_progress": ("resolve", "resolve", "resolve", "return", "extension", "suspend", "supervise", "cancel"),
    "resolved": ("verify", "verify", "verify_fail"),
    "suspended": ("resume", "cancel"),
}


def _feed(client, headers, zone):
    response = client.get("/cockpit/feed.json" + (f"?zone={zone}" if zone else ""), headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _from_scratch(app, zone, now) -> tuple[dict, dict]:
    with app.app_context():
        return cockpit_service.feed_and_stats(session=db.session(), config=app.extensions["street_config"],
                                              now=now, zone=zone)


def _snapshot_instant(app, zone):
    with app.app_context():
        return snapshot.head(session=db.session(), zone=zone).computed_at


def _stored_durations_are_the_calendars(app) -> None:
    calendar = app.extensions["street_config"].calendar
    with app.app_context():
        for ticket in db.session().exec(select(Ticket)).all():
            if ticket.dispatched_at is None or ticket.resolved_at is None:
                assert ticket.handling_minutes is None, ticket.number
            else:
                assert ticket.handling_minutes == pytest.approx(
                    calendar.working_minutes_between(ticket.dispatched_at, ticket.resolved_at)), ticket.number


class RandomStreet:
    """One seeded random sequence of what happens on the street."""

    def __init__(self, street, app, seed: int):
        self.s, self.app, self.rng = street, app, random.Random(seed)
        self.tickets: list[int] = []
        self.resolutions = 0  # 处置完成 that went through (each stored a 处置时长)
        self.spot = 0

    def report(self):
        self.spot += 1
        zone = self.rng.choice(("xiangyi", "jiaoxi"))
        lng, lat = INTERIOR[zone]
        at = offset(lng, lat, east_m=70.0 * (self.spot % 7 - 3), north_m=70.0 * (self.spot // 7 % 6 - 3))
        category = self.rng.choice(("exposed_garbage", "exposed_garbage", "street_vending", "other"))
        headers = self.s.inspector if zone == "xiangyi" else self.s.inspector_jiaoxi
        self.tickets.append(new_report(self.s, category, headers=headers, at=at)["id"])

    def holder(self, tid: int) -> tuple[str, dict]:
        """The ticket's status and the headers of the department holding it (any, when none does)."""
        with self.app.app_context():
            ticket = db.session().get(Ticket, tid)
            status, department = ticket.status, ticket.department
        return status, {"sanitation": self.s.sanitation, "chengguan": self.s.chengguan}.get(department,
                                                                                             self.s.sanitation)

    def step(self) -> str:
        if not self.tickets or self.rng.random() < 0.2:
            self.report()
            return "report"
        for _ in range(4):  # mostly a ticket something can still happen to (not closed, cancelled, linked)
            tid = self.rng.choice(self.tickets)
            status, holder = self.holder(tid)
            if status in MOVES:
                break
        kind = self.rng.choice(MOVES.get(status, ()) + ("sweep",))
        s = self.s
        self.department = lambda: holder
        if kind == "dispatch":
            act(s, s.command, tid, "dispatch", expect=None, department=self.rng.choice(("sanitation", "chengguan")))
        elif kind == "accept":
            act(s, self.department(), tid, "accept", expect=None)
        elif kind == "resolve":
            headers = self.department()
            upload(s, headers, tid, stage="after", expect=None)
            self.resolutions += "error" not in act(s, headers, tid, "resolve", expect=None)
        elif kind == "verify":
            act(s, s.command, tid, "verify", expect=None, passed=True)
        elif kind == "verify_fail":
            act(s, s.command, tid, "verify", expect=None, passed=False, note="未处理干净")  # 返工
        elif kind == "return":
            act(s, self.department(), tid, "return", expect=None, reason="不属本部门")
        elif kind == "extension":
            headers = self.department()
            act(s, headers, tid, "request_extension", expect=None, days=1, reason="需协调")
            act(s, s.command, tid, "approve_extension", expect=None)
        elif kind == "suspend":
            act(s, s.command, tid, "suspend", expect=None, note="待协调")
        elif kind == "resume":
            act(s, s.command, tid, "resume", expect=None)
        elif kind == "supervise":
            act(s, s.command, tid, "supervise", expect=None)
        elif kind == "cancel":
            act(s, s.command, tid, "cancel", expect=None, reason="误报")
        elif kind == "self_resolve":
            upload(s, s.inspector, tid, stage="after", expect=None)
            act(s, s.inspector, tid, "self_resolve", expect=None)
        elif kind == "sweep":
            with self.app.app_context():
                escalation_sweep.sweep(session=db.session(), config=self.app.extensions["street_config"],
                                       now=s.clock())
        return kind

    def later(self) -> None:
        """The clock moves on: seconds (the same snapshot interval) to a working day."""
        seconds = self.rng.choice((1, 4, 30, 600, 3600, 4 * 3600, 26 * 3600))
        self.s.clock.set(self.s.clock() + timedelta(seconds=seconds))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_served_figures_are_the_figures_computed_from_scratch(app, street, seed):
    client, command = street.client, street.command
    interval = timedelta(seconds=app.config["COCKPIT_SNAPSHOT_SECONDS"])
    world = RandomStreet(street, app, seed)
    served_at: dict = {}
    for _ in range(50):
        world.step()
        world.later()
        now = street.clock()
        for zone in world.rng.sample(ZONES, 2):
            before = served_at.get(zone)
            body = _feed(client, command, zone)
            at = _snapshot_instant(app, zone)
            if before is not None and timedelta(0) <= now - before[0] < interval:
                assert (at, body) == before  # within the interval: the shared snapshot, not a per-poll build
            else:
                assert at == now  # older than the interval: this poll recomputed it
            served_at[zone] = (at, body)
            if at == now:  # computed at this instant: what the figures computed from scratch now are
                expected, totals = _from_scratch(app, zone, at)
                assert body == expected
                # the API's default figures: the cockpit's cards, whether read or computed
                api = client.get("/api/v1/stats" + (f"?zone={zone}" if zone else ""), headers=command).get_json()
                assert api["totals"] == totals["totals"]
                assert {k: api["totals"][k] for k in body["kpis"]} == body["kpis"]
    _stored_durations_are_the_calendars(app)
    with app.app_context():  # and the stored durations give the average the calendar gives
        config = app.extensions["street_config"]
        now = street.clock()
        figures = stats_service.summary(session=db.session(), config=config, now=now, start=now - timedelta(days=400),
                                        end=now)["totals"]
        tickets = [t for t in db.session().exec(select(Ticket)).all()
                   if t.dispatched_at and t.resolved_at and t.status not in ("cancelled", "suspended", "duplicate")]
        assert world.resolutions, "the sequence resolved nothing: lengthen it"
        if tickets:
            minutes = [config.calendar.working_minutes_between(t.dispatched_at, t.resolved_at) for t in tickets]
            assert figures["avg_handling_hours"] == round(sum(minutes) / len(minutes) / 60, 2)
