"""Escalation fixtures: tickets reported through the API, sweeps at chosen instants, both databases."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Inside zone xiangyi (station_xiangyi); exposed_garbage routes to sanitation: 1 WH response, 4 WH resolve.
XIANGYI = (121.4288, 31.2551)


def sh(*args) -> datetime:
    """A Shanghai wall-clock instant, e.g. sh(2026, 11, 25, 10, 48)."""
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def report(client, inspector, clock):
    """report(category=..., at=..., lng=..., lat=...) -> the new ticket as the API returns it."""

    def make(category: str = "exposed_garbage", *, at: datetime | None = None, lng: float = XIANGYI[0],
             lat: float = XIANGYI[1]) -> dict:
        if at is not None:
            clock.set(at)
        resp = client.post("/api/v1/events", headers=inspector, json={
            "category": category, "location": {"lng": lng, "lat": lat}, "description": "路边暴露垃圾"})
        assert resp.status_code == 201, resp.get_json()
        ticket = resp.get_json()["ticket"]
        assert ticket["status"] == "dispatched", ticket
        return ticket

    return make


@pytest.fixture
def config(app):
    return app.extensions["street_config"]


@pytest.fixture
def sweep_at(app):
    """sweep_at(now, dry_run=False): one sweep in its own app context and session."""
    from dispatch import db
    from dispatch.escalation.sweep import sweep

    def run(now: datetime, dry_run: bool = False) -> list[dict]:
        with app.app_context():
            return sweep(session=db.session(), config=app.extensions["street_config"], now=now, dry_run=dry_run)

    return run


@pytest.fixture
def rows(app):
    """rows(Model, **where) -> the model's rows in id order, read in a fresh session."""

    def read(model, **where):
        with Session(app.extensions["db_engine"]) as session:
            query = select(model)
            for name, value in where.items():
                query = query.where(getattr(model, name) == value)
            return list(session.exec(query.order_by(col(model.id))).all())

    return read


@pytest.fixture
def load_ticket(app):
    from dispatch.tickets.models import Ticket

    def load(ticket_id: int) -> Ticket:
        with Session(app.extensions["db_engine"]) as session:
            return session.get(Ticket, ticket_id)

    return load


WHISTLE = sh(2026, 11, 25, 10, 0)  # Wednesday: 报到 2 WH → 12:00 (warning at 80 %: 11:36); task 3 WD → Mon 10:00


@pytest.fixture
def joint_case(client, make_user, command, inspector, clock):
    """A ticket waiting for dispatch, whistled on at WHISTLE: 城管 leads, 派出所 and 房管办 assist."""
    police = make_user("police1", "department", department="police")[1]
    make_user("housing1", "department", department="housing")
    clock.set(WHISTLE)
    made = client.post("/api/v1/events", headers=inspector, json={
        "category": "other", "location": {"lng": 121.4288, "lat": 31.2551}, "description": "疑似群租"})
    tid = made.get_json()["ticket"]["id"]
    answer = client.post(f"/api/v1/tickets/{tid}/actions", headers=command, json={
        "action": "whistle", "department": "chengguan",
        "assists": [{"department": "police", "task": "核查人员"}, {"department": "housing", "task": "核查租赁"}]})
    assert answer.status_code == 200, answer.get_json()
    clock.set(sh(2026, 11, 25, 10, 30))
    assert client.post(f"/api/v1/tickets/{tid}/actions", headers=police,
                       json={"action": "check_in"}).status_code == 200  # on time: never escalates
    return tid


@pytest.fixture
def assist_sweep_at(app):
    from dispatch import db
    from dispatch.escalation.assist_sweep import sweep

    def run(now):
        with app.app_context():
            return sweep(session=db.session(), config=app.extensions["street_config"], now=now)

    return run
