"""Two actions on one ticket at the same time: exactly one wins, the other gets 409, one timeline entry.

Each action runs in its own thread with its own test client (so its own app context and database
session). A barrier starts them together, and a second barrier inside `service.claim` holds each one
until both have read the ticket and checked the move — so both really race for the optimistic lock
instead of the second simply seeing the first one's result. Runs on file-based SQLite, and on
PostgreSQL when TEST_DATABASE_URL is set (the conftest `pg_app` fixture: a schema per test).
"""
from __future__ import annotations

import io
import threading
from datetime import UTC, datetime

import pytest

from tests.dispatch.helpers import INTERIOR, PNG, event

BARRIER_TIMEOUT = 2.0  # a racer that holds the database write lock before `claim` makes the other wait this long


@pytest.fixture(params=["sqlite", "postgresql"])
def racing_app(request):
    """The app on file-based SQLite (conftest `app`) or on PostgreSQL (conftest `pg_app`, skipped without it)."""
    return request.getfixturevalue("app" if request.param == "sqlite" else "pg_app")


def _users(app) -> dict[str, dict]:
    """Auth headers of the people in the race, created in this app's database."""
    from dispatch import db
    from dispatch.users import service

    people = {"inspector": ("inspector", None, "xiangyi"), "inspector2": ("inspector", None, "xiangyi"),
              "sanitation": ("department", "sanitation", None), "sanitation2": ("department", "sanitation", None),
              "command": ("command", None, None)}
    headers = {}
    with app.app_context():
        config = app.extensions["street_config"]
        for name, (role, department, zone) in people.items():
            _, token = service.create(session=db.session(), username=name, role=role, department=department,
                                      zone=zone, now=datetime(2026, 11, 25, 2, 0, tzinfo=UTC),
                                      departments=set(config.departments), zones={z.code for z in config.zones})
            headers[name] = {"Authorization": f"Bearer {token}"}
    return headers


def _post(client, path, headers, **kwargs):
    response = client.post(path, headers=headers, **kwargs)
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()


def _ticket_in(app, users, status: str) -> int:
    """A ticket of sanitation's in `status` (with a pending extension for status "extension_pending")."""
    client = app.test_client()
    ticket = _post(client, "/api/v1/events", users["inspector"], json=event(at=INTERIOR["xiangyi"]))["ticket"]
    tid = ticket["id"]
    actions = f"/api/v1/tickets/{tid}/actions"
    if status in ("in_progress", "resolved", "extension_pending"):
        _post(client, actions, users["sanitation"], json={"action": "accept"})
    if status == "resolved":
        _post(client, f"/api/v1/tickets/{tid}/photos", users["sanitation"],
              data={"photo": (io.BytesIO(PNG), "p.png"), "stage": "after"}, content_type="multipart/form-data")
        _post(client, actions, users["sanitation"], json={"action": "resolve"})
    if status == "extension_pending":
        _post(client, actions, users["sanitation"], json={"action": "request_extension", "days": 1, "reason": "协调"})
    return tid


RACES = [
    # (ticket status, first racer, second racer, send the version seen, why)
    ("dispatched", ("sanitation", {"action": "accept"}), ("sanitation2", {"action": "accept"}), False,
     "two clerks of the department sign for the same ticket (签收)"),
    ("dispatched", ("sanitation", {"action": "accept"}), ("sanitation2", {"action": "return", "reason": "非本部门"}),
     True, "签收 against 退单, both from the version they saw"),
    ("dispatched", ("command", {"action": "cancel", "reason": "作废"}), ("sanitation", {"action": "accept"}), True,
     "作废 against 签收"),
    ("in_progress", ("sanitation", {"action": "return", "reason": "非本部门"}),
     ("command", {"action": "suspend"}), True, "退单 against 挂账"),
    ("resolved", ("inspector", {"action": "verify", "passed": True}),
     ("inspector2", {"action": "verify", "passed": False, "note": "未清理干净"}), False,
     "two inspectors verify (核查) at once: one closes, one fails it"),
    ("in_progress", ("sanitation", {"action": "request_extension", "hours": 2, "reason": "a"}),
     ("sanitation2", {"action": "request_extension", "days": 1, "reason": "b"}), False,
     "two extension requests: only one may be pending"),
    ("extension_pending", ("command", {"action": "approve_extension"}), ("command", {"action": "reject_extension"}),
     False, "approve against reject of the same request"),
]


@pytest.mark.parametrize(("status", "first", "second", "with_version", "why"), RACES, ids=[r[4] for r in RACES])
def test_two_concurrent_actions_one_wins(racing_app, monkeypatch, status, first, second, with_version, why):
    from dispatch.tickets import service

    app = racing_app
    users = _users(app)
    tid = _ticket_in(app, users, status)
    reader = app.test_client()
    before = reader.get(f"/api/v1/tickets/{tid}", headers=users["command"]).get_json()["ticket"]

    start = threading.Barrier(2)
    at_claim = threading.Barrier(2)
    real_claim = service.claim

    def claim_together(**kwargs):
        try:
            at_claim.wait(timeout=BARRIER_TIMEOUT)
        except threading.BrokenBarrierError:
            pass  # the other racer is blocked on the database (it wrote before claiming); go on alone
        return real_claim(**kwargs)

    monkeypatch.setattr(service, "claim", claim_together)
    results: dict[int, object] = {}

    def race(index: int, who: str, body: dict) -> None:
        try:
            client = app.test_client()  # its own client: its own app context and database session per request
            if with_version:
                body = {**body, "version": before["version"]}
            start.wait(timeout=10)
            response = client.post(f"/api/v1/tickets/{tid}/actions", json=body, headers=users[who])
            results[index] = (response.status_code, response.get_json())
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            results[index] = exc

    threads = [threading.Thread(target=race, args=(i, who, body)) for i, (who, body) in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a racer hung"
    monkeypatch.undo()

    assert all(isinstance(r, tuple) for r in results.values()), results
    codes = sorted(r[0] for r in results.values())
    assert codes == [200, 409], (why, results)
    loser = next(r[1] for r in results.values() if r[0] == 409)
    # both read the same version and checked the move: the loser lost the optimistic lock
    assert loser["error"]["code"] == "version_conflict", loser
    winner_action = next(body["action"] for (who, body), r in zip((first, second), (results[0], results[1]))
                         if r[0] == 200)

    after = reader.get(f"/api/v1/tickets/{tid}", headers=users["command"]).get_json()["ticket"]
    assert after["version"] == before["version"] + 1
    assert after["timeline"][:len(before["timeline"])] == before["timeline"]
    added = after["timeline"][len(before["timeline"]):]
    assert [e["action"] for e in added] == [winner_action], why
    # the ticket is in the state the winner left it in, and the loser was told that state
    assert added[0]["to_status"] == after["status"] == loser["error"]["status"]


@pytest.mark.parametrize("n", [4])
def test_many_clerks_sign_for_one_ticket(racing_app, n):
    # Four at once, no help from a claim barrier: still exactly one 签收.
    app = racing_app
    users = _users(app)
    tid = _ticket_in(app, users, "dispatched")
    start = threading.Barrier(n)
    codes: list[int] = []

    def race(who):
        client = app.test_client()
        start.wait(timeout=10)
        codes.append(client.post(f"/api/v1/tickets/{tid}/actions", json={"action": "accept"},
                                 headers=users[who]).status_code)

    threads = [threading.Thread(target=race, args=("sanitation" if i % 2 else "sanitation2",)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(codes) == [200] + [409] * (n - 1)
    ticket = app.test_client().get(f"/api/v1/tickets/{tid}", headers=users["command"]).get_json()["ticket"]
    timeline = ticket["timeline"]
    assert [e["action"] for e in timeline].count("accept") == 1
