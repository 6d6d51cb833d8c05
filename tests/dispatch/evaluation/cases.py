"""Tickets of a 居民区 driven through the API (report with `committee`, 签收, 处置, 核查) for the evaluation tests."""
from __future__ import annotations

from tests.dispatch.helpers import event, report, ticket_of

XIANGYI_HUACHENG = "310107020018"  # 香溢花城社区居委会, zone xiangyi
YICHUAN_SICUN = "310107020004"     # 宜川四村居委会, zone xiangyi
ZHONGYUAN_1 = "310107020020"       # 中远两湾城第一居委会, zone zhongyuan
from tests.dispatch.lifecycle import Street, act, get, upload


def reported(s: Street, committee: str | None, headers: dict | None = None, **extra) -> dict:
    """An inspector's report at a fresh point of xiangyi naming `committee`; the ticket."""
    body = event(at=s.point(), **({"committee": committee} if committee else {}), **extra)
    return ticket_of(report(s.client, headers or s.inspector, body))


def closed(s: Street, committee: str | None) -> dict:
    """A ticket of `committee` handled by 绿化市容所 and closed (核查 passed) now."""
    tid = reported(s, committee)["id"]
    act(s, s.sanitation, tid, "accept")
    upload(s, s.sanitation, tid, stage="after")
    act(s, s.sanitation, tid, "resolve")
    act(s, s.command, tid, "verify", passed=True)
    return get(s, tid)


def evaluate(s: Street, headers: dict, ticket_id: int, expect: int = 201, **body) -> dict:
    response = s.client.post(f"/api/v1/tickets/{ticket_id}/evaluation", headers=headers,
                             json={"responsiveness": "satisfied", "handling": "satisfied", **body})
    assert response.status_code == expect, response.get_json()
    return response.get_json()
