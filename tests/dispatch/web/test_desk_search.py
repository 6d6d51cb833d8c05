"""The desk's lists: search and filters on the queues, 历史 and 全部 (/desk/list.json), export, open by number.

On SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
"""
from __future__ import annotations

import csv
import io
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from tests.dispatch.helpers import INTERIOR, event, local, offset, report, ticket_of
from tests.dispatch.lifecycle import act, get, upload


@pytest.fixture
def database_url(both_backends_url):
    return both_backends_url


@pytest.fixture
def desk(street):
    """At Wed 2026-11-25: for 绿化市容所 three 暴露垃圾 tickets to sign for, one closed, one cancelled."""
    s = street
    found = {}
    for minute, (name, description, zone) in enumerate((
            ("bin", "垃圾桶满溢 3号楼", "xiangyi"), ("pile", "建筑垃圾一堆", "zhongyuan"),
            ("bags", "黑色垃圾袋若干", "jiaoxi"), ("closed", "垃圾已清运 5号楼", "xiangyi"),
            ("cancelled", "误报的垃圾", "xiangyi"))):
        s.clock.set(local(2026, 11, 23 + minute % 3, 9, minute))
        at = offset(*INTERIOR[zone], east_m=80.0 * minute)  # 80 m apart: no duplicates
        found[name] = ticket_of(report(s.client, s.inspector, event(at=at, description=description)))
    s.clock.set(local(2026, 11, 25, 10, 0))
    act(s, s.sanitation, found["closed"]["id"], "accept")
    upload(s, s.sanitation, found["closed"]["id"], stage="after")
    act(s, s.sanitation, found["closed"]["id"], "resolve")
    act(s, s.command, found["closed"]["id"], "verify", passed=True)
    act(s, s.command, found["cancelled"]["id"], "cancel", reason="误报")
    return {name: get(s, t["id"]) for name, t in found.items()}


def numbers(rows) -> list[str]:
    return sorted(t["number"] for t in rows)


def desk_json(street, path: str, headers=None, expect: int = 200) -> dict:
    response = street.client.get(path, headers=headers or street.sanitation)
    assert response.status_code == expect, (path, response.get_json())
    return response.get_json()


def test_the_queues_are_narrowed_by_search_and_filters(street, desk):
    pending = desk_json(street, "/desk/queues.json")["queues"]["pending"]
    assert numbers(pending["tickets"]) == numbers([desk["bin"], desk["pile"], desk["bags"]])
    for query, expected in (
            ("q=" + quote("3号楼"), ["bin"]),                              # a word of the description
            ("q=" + quote("ＢＩＮ") + "&q=x", []),                         # nothing matches, first value counts
            ("q=" + desk["pile"]["number"][3:], ["pile"]),                 # a number without its prefix
            ("zone=jiaoxi", ["bags"]),
            ("zone=xiangyi,zhongyuan&q=" + quote("垃圾"), ["bin", "pile"]),
            ("created_from=2026-11-24&created_to=2026-11-24", ["pile"]),  # a date range: both days included
            ("category=street_vending", [])):
        body = desk_json(street, "/desk/queues.json?" + query)
        assert numbers(body["queues"]["pending"]["tickets"]) == numbers([desk[n] for n in expected]), query
        assert body["queues"]["pending"]["count"] == len(expected)
        assert body["filtered"] is True


def test_a_bad_filter_of_the_queues_is_400(street, desk):
    for query, message in (("zone=nowhere", "zone: unknown value(s) nowhere"),
                           ("q=" + "x" * 101, "q must be at most 100 characters"),
                           ("created_from=2026-11-25&created_to=2026-11-24", "created_to must be after created_from")):
        body = desk_json(street, "/desk/queues.json?" + query, expect=400)
        assert body["error"] == {"code": "invalid_filter", "message": message}, query


def test_history_lists_closed_and_cancelled_tickets_paged_and_searchable(street, desk):
    body = desk_json(street, "/desk/list.json?tab=history")
    assert numbers(body["tickets"]) == numbers([desk["closed"], desk["cancelled"]])
    assert body["count"] == 2 and all(t["visible"] for t in body["tickets"])
    assert numbers(desk_json(street, "/desk/list.json?tab=history&q=" + quote("5号楼"))["tickets"]) == \
        [desk["closed"]["number"]]
    assert numbers(desk_json(street, "/desk/list.json?tab=history&status=cancelled")["tickets"]) == \
        [desk["cancelled"]["number"]]
    # a status outside 历史 finds nothing there (全部 has it)
    assert desk_json(street, "/desk/list.json?tab=history&status=dispatched")["count"] == 0
    assert desk_json(street, "/desk/list.json?tab=all&status=dispatched")["count"] == 3
    # paged: newest first, the count is the whole
    first = desk_json(street, "/desk/list.json?tab=all&limit=2")
    second = desk_json(street, "/desk/list.json?tab=all&limit=2&offset=2")
    assert first["count"] == second["count"] == 5
    assert len(first["tickets"]) == 2 and len(second["tickets"]) == 2
    assert not {t["id"] for t in first["tickets"]} & {t["id"] for t in second["tickets"]}
    # another department's history is its own: 城管 never held these
    assert desk_json(street, "/desk/list.json?tab=history", headers=street.chengguan)["count"] == 0
    # the command center sees every department's, or one department's
    assert desk_json(street, "/desk/list.json?tab=history", headers=street.command)["count"] == 2
    assert desk_json(street, "/desk/list.json?tab=history&department=chengguan", headers=street.command)["count"] == 0


def test_a_returned_then_closed_ticket_stays_in_the_history_of_the_department_that_returned_it(street, desk):
    ticket = desk["bags"]
    act(street, street.sanitation, ticket["id"], "return", reason="属城管")
    act(street, street.command, ticket["id"], "dispatch", department="chengguan")
    act(street, street.command, ticket["id"], "cancel", reason="已由城管处理")
    assert desk["bags"]["number"] in numbers(desk_json(street, "/desk/list.json?tab=history")["tickets"])
    assert numbers(desk_json(street, "/desk/list.json?tab=history", headers=street.chengguan)["tickets"]) == \
        [ticket["number"]]


def test_a_bad_list_query_is_400(street, desk):
    for query in ("tab=pending", "tab=", "tab=history&limit=0", "tab=all&status=nope"):
        assert desk_json(street, "/desk/list.json?" + query, expect=400)["error"]["code"] == "invalid_filter", query


def test_export_the_current_list_as_xlsx_and_csv(street, desk):
    response = street.client.get("/desk/export?tab=pending&format=xlsx&zone=xiangyi,zhongyuan",
                                 headers=street.sanitation)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="yichuan-tickets-pending-' in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    sheet = book["工单清单"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["工单号", "状态", "时限状态"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert sorted(r[0] for r in rows) == numbers([desk["bin"], desk["pile"]])
    assert {r[1] for r in rows} == {"已派遣"} and {r[header.index("处置部门")] for r in rows} == {"绿化市容所"}
    notes = {row[0].value: row[1].value for row in book["说明"].iter_rows()}
    assert notes["清单"] == "待签收 · 绿化市容所 · 片区 香溢片区、中远两湾城片区"
    assert notes["条数"] == "2"

    response = street.client.get("/desk/export?tab=history&format=csv&q=" + quote("5号楼"), headers=street.sanitation)
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith("\ufeff".encode())  # Excel reads the Chinese headers
    table = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert table[0][0] == "工单号" and [r[0] for r in table[1:]] == [desk["closed"]["number"]]
    assert table[1][1] == "已结案"


def test_an_exported_description_is_never_a_formula(street, desk):
    s = street
    ticket = ticket_of(report(s.client, s.inspector, event(at=offset(*INTERIOR["xiangyi"], north_m=300),
                                                           description="=HYPERLINK(\"http://x\")")))
    table = list(csv.reader(io.StringIO(s.client.get("/desk/export?tab=pending&format=csv", headers=s.sanitation)
                                        .data.decode("utf-8-sig"))))
    row = next(r for r in table if r[0] == ticket["number"])
    assert row[table[0].index("描述")] == "'=HYPERLINK(\"http://x\")"


def test_a_bad_export_is_400(street, desk):
    for query in ("tab=pending&format=pdf", "tab=nope&format=csv", "tab=suspended&format=csv"):
        assert desk_json(street, "/desk/export?" + query, expect=400)["error"]["code"] == "invalid_filter", query


def test_a_ticket_opens_by_its_number(street, desk):
    number = desk["bin"]["number"]
    for typed in (number, number.lower()):
        page = street.client.get(f"/desk/tickets/{typed}", headers=street.sanitation)
        assert page.status_code == 200
        assert f'data-ticket-id="{desk["bin"]["id"]}"' in page.text and number in page.text
    assert street.client.get(f"/desk/tickets/{desk['bin']['id']}", headers=street.sanitation).status_code == 200
    assert street.client.get(f"/desk/tickets/{desk['bin']['id']}.json", headers=street.sanitation).status_code == 200
    # unknown, malformed, or not this department's: the same 404 page, naming what was asked
    for path in ("/desk/tickets/YC-20261125-0099", "/desk/tickets/nonsense"):
        page = street.client.get(path, headers=street.sanitation)
        assert page.status_code == 404 and page.mimetype == "text/html"
        assert f"没有编号为 {path.rsplit('/', 1)[1]} 的工单" in page.text
    assert street.client.get(f"/desk/tickets/{number}", headers=street.chengguan).status_code == 404


def test_open_by_number_box(street, desk):
    number = desk["bin"]["number"]
    response = street.client.get("/desk/open?number=" + quote(" " + number.lower() + " "), headers=street.sanitation)
    assert response.status_code == 302 and response.headers["Location"] == f"/desk/tickets/{number}"
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in number)
    assert street.client.get("/desk/open?number=" + quote(wide), headers=street.sanitation) \
        .headers["Location"] == f"/desk/tickets/{number}"
    # not a whole number: searched in 全部
    response = street.client.get("/desk/open?number=0001", headers=street.sanitation)
    assert response.status_code == 302 and response.headers["Location"] == "/desk/?q=0001#all"
    assert street.client.get("/desk/open?number=", headers=street.sanitation).headers["Location"] == "/desk/"
