"""A list of tickets as a spreadsheet (工单清单): the columns, in Chinese, of the rows a list shows.

The rows are tickets in their public shape (``serialize.ticket_public``, with the desk's ``state``); the
file is written by ``dispatch.spreadsheet``. Times are the street's local time.
"""
from __future__ import annotations

from datetime import datetime, tzinfo

from dispatch import spreadsheet
from dispatch.street.config import StreetConfig
from dispatch.web.desk_service import QUEUES
from dispatch.tickets.models import STATUS_LABELS

MAX_ROWS = 5000  # a bigger list is cut here, and the file says so (说明)
SHEET = "工单清单"
STATE_NAMES = {state: QUEUES[state] for state in ("warning", "overdue")}  # the desk's tabs of the same names
HEADER = ("工单号", "状态", "时限状态", "督办", "类别", "片区", "处置部门", "地址", "描述", "上报时间",
          "签收时限", "签收时间", "处置时限", "处置完成时间", "结案时间", "返工次数")
WIDTHS = (19, 12, 10, 6, 16, 12, 16, 24, 40, 17, 17, 17, 17, 17, 17, 8)


def _local(text: str | None, tz: tzinfo) -> str:
    return datetime.fromisoformat(text).astimezone(tz).strftime("%Y-%m-%d %H:%M") if text else ""


def row(ticket: dict, *, config: StreetConfig) -> list:
    """One ticket's cells, in the order of HEADER."""
    tz = config.calendar.timezone
    deadlines = ticket.get("deadlines") or {}
    due = {kind: _local((deadlines.get(kind) or {}).get("due_at"), tz) for kind in ("response", "resolve")}
    return [ticket["number"], STATUS_LABELS.get(ticket["status"], ticket["status"]),
            STATE_NAMES.get(ticket.get("state") or "", ""), "是" if ticket.get("supervised") else "",
            ticket["category_name"], config.zone_names().get(ticket.get("zone"), "片区外"),
            ticket.get("department_name") or "", ticket.get("address") or "", ticket.get("description") or "",
            _local(ticket["created_at"], tz), due["response"], _local(ticket.get("accepted_at"), tz), due["resolve"],
            _local(ticket.get("resolved_at"), tz), _local(ticket.get("closed_at"), tz), ticket.get("rework_count", 0)]


def title(label: str, args, *, config: StreetConfig, department: str | None) -> str:
    """Which list, in words, with its filters: "待签收 · 绿化市容所 · 搜索“垃圾” · 片区 香溢片区 · 2026-12-01 至 …"."""
    parts = [label]
    if department and department in config.departments:
        parts.append(config.departments[department].name)
    if args.get("q"):
        parts.append(f"搜索“{args['q']}”")
    names = {"zone": config.zone_names(), "category": {slug: c.name for slug, c in config.categories.items()},
             "status": {str(k): v for k, v in STATUS_LABELS.items()}}
    for name, words in (("category", "类别"), ("zone", "片区"), ("status", "状态")):
        if args.get(name):
            parts.append(words + " " + "、".join(names[name].get(v.strip(), v.strip()) for v in args[name].split(",")))
    if args.get("created_from") or args.get("created_to"):
        parts.append(f"上报 {args.get('created_from') or '…'} 至 {args.get('created_to') or '…'}")
    return " · ".join(parts)


def filename(what: str, now: datetime, fmt: str, tz: tzinfo) -> str:
    """yichuan-tickets-<what>-YYYYMMDD-HHMM.<fmt> (ASCII: every browser keeps it)."""
    return f"yichuan-tickets-{what}-{now.astimezone(tz):%Y%m%d-%H%M}.{fmt}"


def to_file(tickets: list[dict], *, fmt: str, config: StreetConfig, title: str, total: int,
            now: datetime) -> bytes:
    """The list as xlsx (sheet 工单清单 and 说明: which list, when, how many) or CSV."""
    rows = [row(t, config=config) for t in tickets]
    if fmt == "csv":
        return spreadsheet.to_csv(HEADER, rows)
    tz = config.calendar.timezone
    notes = [("清单", title), ("导出时间", now.astimezone(tz).strftime("%Y-%m-%d %H:%M")),
             ("条数", f"{len(rows)}" + (f"（共 {total} 条，仅导出前 {len(rows)} 条）" if total > len(rows) else ""))]
    return spreadsheet.to_xlsx(SHEET, HEADER, rows, widths=WIDTHS, notes=notes)
