"""A small hand-computed dataset for the statistics tests: tickets reported through the API, lifecycle
fields set in the DB (the `dataset` fixture in conftest.py puts it on the test's database).

The lifecycle actions (accept, resolve, verify, suspend…) belong to another slice, so the tickets are
reported with POST /api/v1/events (geolocation and routing are real) and then given the state each
case needs directly. All times are Asia/Shanghai wall-clock; `now` is Wed 2026-11-25 10:00.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

SH = ZoneInfo("Asia/Shanghai")

# Near the middle of each zone; tickets are spread 0.0006° (~57 m) apart so that none is taken
# for a duplicate (same category within 50 m) unless a case says so.
CENTRES = {"xiangyi": (121.4288, 31.2551), "zhongyuan": (121.4396, 31.2533), "jiaoxi": (121.4359, 31.2634)}
PERIOD = "from=2026-11-01&to=2026-11-29"  # the to-date is included: [11-01 00:00, 11-30 00:00)


def sh(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An instant of 2026 on the street's wall clock."""
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


PAST = sh(11, 20, 17, 30)    # a resolve deadline already passed at `now`
FUTURE = sh(12, 10, 17, 30)  # a resolve deadline still ahead

# label: (category, zone, spot, fields set after reporting). Routing gives the department:
# exposed_garbage → sanitation, public_clutter / bike_misparking → chengguan,
# stairwell_clutter → station of the zone, other → no rule (pending_dispatch).
CASES = {
    # closed on time: resolved Mon 09:00–11:00 (2 WH), deadline Fri 17:30
    "A": ("exposed_garbage", "xiangyi", 0, dict(
        status="closed", created_at=sh(11, 16, 9), dispatched_at=sh(11, 16, 9), resolved_at=sh(11, 16, 11),
        resolve_deadline=PAST, closed_at=sh(11, 17, 10))),
    # closed late after two reworks: dispatched Tue 09:00, resolved Wed 09:00 (8 WH), closed today
    "B": ("exposed_garbage", "zhongyuan", 1, dict(
        status="closed", created_at=sh(11, 17, 9), dispatched_at=sh(11, 17, 9), resolved_at=sh(11, 18, 9),
        resolve_deadline=sh(11, 17, 13), closed_at=sh(11, 25, 9), rework_count=2)),
    # in progress past its deadline: 督办, one approved 延期
    "C": ("public_clutter", "xiangyi", 2, dict(
        status="in_progress", created_at=sh(11, 10, 9), dispatched_at=sh(11, 10, 9), resolve_deadline=PAST,
        supervised=True, extension_count=1, escalation_level=2)),
    # in progress, not yet due
    "D": ("public_clutter", "jiaoxi", 3, dict(
        status="in_progress", created_at=sh(11, 24, 14), dispatched_at=sh(11, 24, 14), resolve_deadline=FUTURE)),
    # resolved Mon 09:00–13:30 (3.5 WH), waiting for 核查, not yet due
    "E": ("stairwell_clutter", "jiaoxi", 4, dict(
        status="resolved", created_at=sh(11, 23, 9), dispatched_at=sh(11, 23, 9), resolved_at=sh(11, 23, 13, 30),
        resolve_deadline=FUTURE)),
    # 挂账 past its deadline: out of every rate
    "F": ("exposed_garbage", "jiaoxi", 5, dict(
        status="suspended", created_at=sh(11, 5, 9), dispatched_at=sh(11, 5, 9), resolve_deadline=PAST,
        suspended_at=sh(11, 6, 9), suspended_from="in_progress")),
    # 作废 past its deadline: out of every rate
    "G": ("public_clutter", "zhongyuan", 6, dict(
        status="cancelled", created_at=sh(11, 6, 9), dispatched_at=sh(11, 6, 9), resolve_deadline=PAST,
        cancelled_at=sh(11, 7, 9))),
    # 其他 has no routing rule: waits for the command center (reported today)
    "I": ("other", "zhongyuan", 7, dict()),
    # dispatched today, not signed for past its response deadline (reported today)
    "K": ("bike_misparking", "zhongyuan", 8, dict(response_deadline=sh(11, 25, 9), resolve_deadline=FUTURE)),
    # reported again at D's spot within 24 h of D: linked to D as a duplicate (reported today)
    "dup": ("public_clutter", "jiaoxi", 3, dict()),
    # closed, but reported before the period
    "J": ("exposed_garbage", "xiangyi", 9, dict(
        status="closed", created_at=sh(10, 20, 9), dispatched_at=sh(10, 20, 9), resolved_at=sh(10, 21, 9),
        resolve_deadline=sh(10, 21, 17, 30), closed_at=sh(10, 22, 9))),
}


def spot(zone: str, index: int) -> tuple[float, float]:
    lng, lat = CENTRES[zone]
    return lng + 0.0006 * (index - 5), lat


def report(client, headers, category: str, at: tuple[float, float]) -> dict:
    body = {"category": category, "location": {"lng": at[0], "lat": at[1]}, "description": "测试事件"}
    response = client.post("/api/v1/events", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["ticket"]


def set_fields(app, ticket_id: int, fields: dict) -> None:
    """Give a ticket the lifecycle state a case needs (what the lifecycle actions would have written)."""
    from dispatch import db
    from dispatch.tickets import clock
    from dispatch.tickets.models import Ticket

    with app.app_context():
        session = db.session()
        ticket = session.get(Ticket, ticket_id)
        for name, value in fields.items():
            setattr(ticket, name, value)
        if {"dispatched_at", "resolved_at"} & set(fields):  # the resolve flow stores the 处置时长 with resolved_at
            ticket.handling_minutes = clock.handling_minutes(ticket, calendar=app.extensions["street_config"].calendar)
        session.commit()


def build_dataset(app, client, inspector_headers: dict) -> dict[str, dict]:
    """Report the CASES above and set their state; label -> ticket as first returned by the API."""
    tickets = {}
    for label, (category, zone, index, fields) in CASES.items():
        ticket = report(client, inspector_headers, category, spot(zone, index))
        assert ticket["zone"] == zone, label
        tickets[label] = ticket
        if fields:
            set_fields(app, ticket["id"], fields)
    assert tickets["dup"]["status"] == "duplicate"
    assert tickets["I"]["status"] == "pending_dispatch"
    return tickets
