"""Helpers of the page tests (sign-in, the cockpit feed, the desk queues); fixtures are in conftest.py."""
from __future__ import annotations

from datetime import timedelta

PASSWORD = "s3cret-passw0rd"  # the password of the users `user_with_password` makes
EVENT = {"category": "exposed_garbage", "location": {"lng": 121.4288, "lat": 31.2551}, "description": "路边垃圾"}
POINTS = {"xiangyi": (121.429, 31.255), "zhongyuan": (121.440, 31.255), "jiaoxi": (121.436, 31.264)}
OUTSIDE = (121.50, 31.30)  # far from every zone: out of area, waits for the command center


def csrf_of(client) -> str:
    """The session's CSRF token (the one the page puts in its forms and <meta>)."""
    client.get("/login")
    with client.session_transaction() as session:
        return session["csrf_token"]


def sign_in(client, username: str, password: str = PASSWORD, **extra):
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_of(client),
                                       **extra})


def report(client, users, category="exposed_garbage", at=POINTS["xiangyi"], description="路边有垃圾") -> dict:
    body = {"category": category, "location": {"lng": at[0], "lat": at[1]}, "description": description}
    response = client.post("/api/v1/events", json=body, headers=users["command"])
    assert response.status_code == 201, response.get_json()
    return response.get_json()["ticket"]


def act(client, headers, ticket_id, action, expect=200, **body) -> dict:
    response = client.post(f"/api/v1/tickets/{ticket_id}/actions", json={"action": action, **body}, headers=headers)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def queues(client, headers, query: str = "") -> dict:
    response = client.get("/desk/queues.json" + (f"?{query}" if query else ""), headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["queues"]


def next_snapshot(client, clock) -> None:
    """Move the clock one snapshot interval on: the cockpit's next poll sees figures computed after what the test
    just did (a poll within the interval is served the shared snapshot of before: dispatch.cockpit.snapshot)."""
    clock.set(clock() + timedelta(seconds=client.application.config["COCKPIT_SNAPSHOT_SECONDS"]))
