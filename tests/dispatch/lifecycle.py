"""A ticket's life over HTTP, for the lifecycle tests of tickets/ and the desk: the cast of one test
(`Street`; the `street` fixture in tests/dispatch/conftest.py), tickets driven into a status, actions, photos.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field

from dispatch.tickets.models import Status
from tests.dispatch.helpers import INTERIOR, PNG, event, local, offset, report, ticket_of


# --- actors ---------------------------------------------------------------------------------------

@dataclass
class Street:
    """The people of one test: the command center, two departments, inspectors of two zones."""

    client: object
    clock: object
    command: dict
    sanitation: dict      # handles exposed_garbage (the default category below)
    chengguan: dict       # another department
    inspector: dict       # zone xiangyi, where the tickets are
    inspector2: dict      # a second inspector of xiangyi
    inspector_jiaoxi: dict
    users: dict = field(default_factory=dict)  # username -> User
    _reports: int = 0

    def point(self) -> tuple[float, float]:
        """A fresh point inside xiangyi, 80 m from the previous one (no duplicate linking)."""
        self._reports += 1
        lng, lat = INTERIOR["xiangyi"]
        return offset(lng, lat, east_m=80.0 * ((self._reports % 5) - 2), north_m=80.0 * (self._reports // 5))


def make_street(client, make_user, clock, inspector_headers, command_headers) -> Street:
    """The usual cast; `inspector_headers`/`command_headers` are the conftest `inspector`/`command`."""
    users = {}
    heads = {}
    for name, role, dept, zone in (("sanitation1", "department", "sanitation", None),
                                   ("chengguan1", "department", "chengguan", None),
                                   ("inspector_xy2", "inspector", None, "xiangyi"),
                                   ("inspector_jx", "inspector", None, "jiaoxi")):
        users[name], heads[name] = make_user(name, role, department=dept, zone=zone)
    return Street(client=client, clock=clock, command=command_headers, sanitation=heads["sanitation1"],
                  chengguan=heads["chengguan1"], inspector=inspector_headers, inspector2=heads["inspector_xy2"],
                  inspector_jiaoxi=heads["inspector_jx"], users=users)


# --- requests -------------------------------------------------------------------------------------

def act(s: Street, headers: dict, ticket_id: int, action: str, expect: int | None = 200, **body) -> dict:
    """POST one action; asserts the HTTP status when `expect` is given; returns the JSON body."""
    response = s.client.post(f"/api/v1/tickets/{ticket_id}/actions", json={"action": action, **body},
                             headers=headers)
    if expect is not None:
        assert response.status_code == expect, (action, response.get_json())
    assert response.is_json, response.data[:200]
    return response.get_json()


def upload(s: Street, headers: dict, ticket_id: int, data: bytes = PNG, stage: str = "after",
           filename: str = "photo.png", expect: int | None = 201):
    """POST a photo as multipart/form-data; returns the response."""
    response = s.client.post(f"/api/v1/tickets/{ticket_id}/photos", headers=headers,
                             data={"photo": (io.BytesIO(data), filename), "stage": stage},
                             content_type="multipart/form-data")
    if expect is not None:
        assert response.status_code == expect, response.get_json()
    return response


def get(s: Street, ticket_id: int, headers: dict | None = None) -> dict:
    """GET one ticket (as the command center by default) with timeline, history and photos."""
    response = s.client.get(f"/api/v1/tickets/{ticket_id}", headers=headers or s.command)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["ticket"]


def new_report(s: Street, category: str = "exposed_garbage", headers: dict | None = None,
               at: tuple[float, float] | None = None) -> dict:
    """An inspector's report at a fresh point of xiangyi; returns the ticket."""
    body = event(category=category, at=at or s.point())
    return ticket_of(report(s.client, headers or s.inspector, body))


def ticket_in(s: Street, status: str, category: str = "exposed_garbage") -> dict:
    """A ticket driven through the API into `status` (department sanitation unless it never had one)."""
    if status == Status.pending_dispatch:
        ticket = new_report(s, "other")  # no routing rule: waits for the command center
    elif status == Status.duplicate:
        first = new_report(s, category)
        lng, lat = first["location"]["lng"], first["location"]["lat"]
        ticket = new_report(s, category, at=offset(lng, lat, east_m=10))
    else:
        ticket = new_report(s, category)
        assert ticket["status"] == Status.dispatched, ticket
        tid = ticket["id"]
        if status in (Status.in_progress, Status.resolved, Status.closed):
            act(s, s.sanitation, tid, "accept")
        if status in (Status.resolved, Status.closed):
            upload(s, s.sanitation, tid, stage="after")
            act(s, s.sanitation, tid, "resolve")
        if status == Status.closed:
            act(s, s.command, tid, "verify", passed=True)
        if status == Status.cancelled:
            act(s, s.command, tid, "cancel", reason="重复录入")
        if status == Status.suspended:
            act(s, s.command, tid, "suspend", note="待居委协调")
    ticket = get(s, ticket["id"])
    assert ticket["status"] == status, ticket
    return ticket


# --- how a department stops holding a ticket (for the former-holder tests) ---------------------------

def returned(s: Street) -> int:
    """Dispatched to sanitation at Wed 10:00, returned (退单) at 10:20: it waits for the command center."""
    tid = new_report(s)["id"]
    s.clock.set(local(2026, 11, 25, 10, 20))
    act(s, s.sanitation, tid, "return", reason="建筑垃圾，属城管")
    return tid


def returned_then_redispatched(s: Street) -> int:
    """…and the command center dispatches it to 城管, who signs for it."""
    tid = returned(s)
    act(s, s.command, tid, "dispatch", department="chengguan")
    act(s, s.chengguan, tid, "accept")
    return tid


def self_resolved(s: Street) -> int:
    """An inspector fixed it on the spot (自行处置) at 10:45: sanitation, dispatched to it, is relieved of it."""
    tid = new_report(s)["id"]
    s.clock.set(local(2026, 11, 25, 10, 45))
    upload(s, s.inspector, tid, stage="after")
    act(s, s.inspector, tid, "self_resolve")
    return tid


def reassigned(s: Street) -> int:
    """Signed for by sanitation at 10:05, reassigned (改派) by the command center to 城管 at 10:30."""
    tid = new_report(s)["id"]
    s.clock.set(local(2026, 11, 25, 10, 5))
    act(s, s.sanitation, tid, "accept")
    s.clock.set(local(2026, 11, 25, 10, 30))
    act(s, s.command, tid, "reassign", department="chengguan", reason="渣土偷倒，属城管")
    return tid
