"""GET /api/v1/tickets?q=: number, address, words of the description; hostile input never a 500.

Every test runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL (LIKE is case-sensitive there).
"""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.dispatch.helpers import INTERIOR, event, list_tickets, report, ticket_of


@pytest.fixture
def database_url(both_backends_url):
    return both_backends_url


# name → (category, where, description, address); reported in this order, one minute apart
TICKETS = {
    "lamp": ("other", INTERIOR["jiaoxi"], "路灯不亮 LED 灯罩破损", "宜川路 300 号"),
    "bikes": ("exposed_garbage", INTERIOR["xiangyi"], "共享单车倒伏，占用盲道", "中山北路 2000 弄"),
    "wide": ("exposed_garbage", INTERIOR["zhongyuan"], "３号楼门口垃圾，约100%堆满", "普雄路１２号"),
    "under": ("street_vending", INTERIOR["jiaoxi"], "摊贩_占道 经营 it's \"quoted\"", None),
}


@pytest.fixture
def tickets(client, inspector, clock):
    found = {}
    for minute, (name, (category, at, description, address)) in enumerate(TICKETS.items()):
        clock.set(datetime(2026, 12, 4, 2, minute, tzinfo=UTC))
        extra = {"address": address} if address else {}
        found[name] = ticket_of(report(client, inspector, event(category=category, at=at, description=description,
                                                                **extra)))
    return found


def found(client, headers, tickets, q: str, more: str = "") -> list[str]:
    from urllib.parse import quote

    body = list_tickets(client, headers, f"q={quote(q)}{more}")
    by_id = {t["id"]: name for name, t in tickets.items()}
    assert body["count"] == len(body["data"])
    return sorted(by_id[t["id"]] for t in body["data"])


# q → the tickets it finds (every query is a read: one set of tickets answers them all)
QUERIES = [
    # a word of the description
    ("路灯", ["lamp"]),
    # every word must be found (AND), each anywhere: the description, the address
    ("垃圾 普雄路", ["wide"]),
    ("垃圾 宜川路", []),
    # ASCII case is ignored (PostgreSQL's LIKE is case-sensitive: lower() on both sides)
    ("led", ["lamp"]),
    # the address
    ("中山北路", ["bikes"]),
    # width: half-width digits find full-width ones in the text, and full-width typing finds half-width
    ("3号楼", ["wide"]),
    ("普雄路12号", ["wide"]),
    ("ＬＥＤ", ["lamp"]),
    # the ideographic space separates words too
    ("单车\u3000盲道", ["bikes"]),
    # LIKE's wildcards match themselves: % and _ are characters, not "anything"
    ("%", ["wide"]),
    ("100%", ["wide"]),
    ("_", ["under"]),
    ("摊贩_占道", ["under"]),
    ("摊贩%占道", []),
    # quotes and backslashes are plain characters
    ("it's", ["under"]),
    ('"quoted"', ["under"]),
    ("\\", []),
    ("' OR 1=1 --", []),
    ("'); DROP TABLE tickets; --", []),
    # nothing found
    ("不存在的词", []),
]


def test_q_finds_words_of_the_description_and_the_address(client, command, tickets):
    answers = {q: found(client, command, tickets, q) for q, _ in QUERIES}
    assert answers == dict(QUERIES)


def test_a_number_or_its_tail_finds_the_ticket(client, command, tickets):
    number = tickets["bikes"]["number"]  # YC-20261204-0002
    assert number.endswith("-0002")
    assert found(client, command, tickets, number) == ["bikes"]
    assert found(client, command, tickets, number.lower()) == ["bikes"]
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in number)
    assert found(client, command, tickets, wide) == ["bikes"]       # typed on a Chinese keyboard
    assert found(client, command, tickets, "0002") == ["bikes"]      # the tail
    assert found(client, command, tickets, "20261204-0003") == ["wide"]
    assert found(client, command, tickets, "YC-20261204-0099") == []


def test_q_combines_with_the_other_filters_and_the_callers_visibility(client, command, make_user, tickets):
    assert found(client, command, tickets, "垃圾", "&zone=zhongyuan") == ["wide"]
    assert found(client, command, tickets, "垃圾", "&category=street_vending") == []
    assert found(client, command, tickets, "路", "&created_from=2026-12-04T10:01:00") == ["bikes", "wide"]
    # a date alone is a whole Shanghai day, created_to's included
    assert found(client, command, tickets, "路", "&created_from=2026-12-04&created_to=2026-12-04") == \
        ["bikes", "lamp", "wide"]
    assert found(client, command, tickets, "路", "&created_to=2026-12-03") == []
    # 绿化市容所 holds the two exposed_garbage tickets only
    sanitation = make_user("san", "department", department="sanitation")[1]
    assert found(client, sanitation, tickets, "路") == ["bikes", "wide"]
    assert found(client, sanitation, tickets, tickets["lamp"]["number"]) == []


# a filter the list refuses → the message naming what is wrong
BAD_FILTERS = [
    ("q=" + "a" * 101, "q must be at most 100 characters"),
    ("q=%00", "q must be text without control characters"),
    ("q=a%0Ab", "q must be text without control characters"),
    ("created_from=2026-12-05&created_to=2026-12-04", "created_to must be after created_from"),
    ("created_from=2026-12-04T10:00&created_to=2026-12-04T10:00", "created_to must be after created_from"),
    ("zone=nowhere", "zone: unknown value(s) nowhere"),
    ("category=%25", "category: unknown value(s) %"),
    ("status=closed,'", "status: unknown value(s) '"),
    ("created_from=yesterday", "created_from must be an ISO-8601 date-time"),
]


def test_bad_filters_are_400_with_a_clear_message(client, command, tickets):
    for query, message in BAD_FILTERS:
        response = client.get(f"/api/v1/tickets?{query}", headers=command)
        assert (response.status_code, response.get_json().get("error")) == (
            400, {"code": "invalid_filter", "message": message}), query


def test_a_long_query_at_the_limit_and_a_blank_one_answer(client, command, tickets):
    assert list_tickets(client, command, "q=" + "路" * 100)["count"] == 0
    assert list_tickets(client, command, "q=%20%20%20")["count"] == 4  # blank: no search
    many = "%20".join(["路"] * 30)  # more words than searched: the first eight count
    assert list_tickets(client, command, "q=" + many)["count"] == 3
