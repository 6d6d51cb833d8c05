"""复盘 (after-action review) of an emergency: its record, its tickets and their times, who reported on duty when.

``build`` gathers it in words and local (Asia/Shanghai) times, once, for the printable page and the xlsx.
An active emergency's review is a preliminary one (its page says 进行中); ending makes it final.
"""
from __future__ import annotations

import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlmodel import Session

from dispatch.emergency.models import LOG_ACTION_LABELS, Emergency
from dispatch.emergency.serialize import emergency_public
from dispatch.street.config import StreetConfig
from dispatch.tickets.models import STATUS_LABELS

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HOW_LABELS = {"report": "应急期间上报", "pulled": "指挥中心纳入"}
TICKET_HEADERS = ("工单号", "类别", "片区", "承办部门", "来源", "上报", "纳入", "派遣", "签收", "处置完成", "结案",
                  "状态", "移出", "处置用时(分)")
LOG_HEADERS = ("时间", "事项", "操作人", "级别", "说明")
CHECKIN_HEADERS = ("部门", "到岗时限", "到岗时间", "情况", "超时升级")


def _local(value: str | None, config: StreetConfig) -> str:
    if not value:
        return ""
    return datetime.fromisoformat(value).astimezone(config.calendar.timezone).strftime("%m-%d %H:%M")


def _minutes(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    return round((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 60, 1)


def build(emergency: Emergency, *, session: Session, config: StreetConfig, now: datetime) -> dict:
    """The review's content: a header, the record, the tickets and the 到岗, each row in words and local times."""
    body = emergency_public(emergency, session=session, config=config, now=now, detail=True)
    levels = {1: "Ⅰ级", 2: "Ⅱ级", 3: "Ⅲ级", 4: "Ⅳ级"}
    zone_names = config.zone_names()
    tickets = [(t["number"], t["category_name"], zone_names.get(t["zone"], t["zone"] or "片区外"),
                t["department_name"] or "", HOW_LABELS.get(t["how"], t["how"]), _local(t["created_at"], config),
                _local(t["joined_at"], config), _local(t["dispatched_at"], config), _local(t["accepted_at"], config),
                _local(t["resolved_at"], config), _local(t["closed_at"], config),
                STATUS_LABELS.get(t["status"], t["status"]), _local(t["released_at"], config),
                _minutes(t["created_at"], t["resolved_at"]))
               for t in body["tickets"]]
    log = [(_local(e["at"], config), LOG_ACTION_LABELS.get(e["action"], e["action"]),
            "系统" if e["actor_role"] == "system" else e["actor"], levels.get(e["level"], ""), e["note"] or "")
           for e in body["log"]]
    checkins = [(c["department_name"], _local(c["due_at"], config), _local(c["checked_in_at"], config),
                 ("迟到" if c["late"] else "按时") if c["checked_in_at"] else ("未到岗（超时）" if c["late"] else "未到岗"),
                 _local(c["escalated_at"], config))
                for c in body["checkins"]]
    return {"emergency": body, "final": emergency.status == "ended", "tickets": tickets, "log": log,
            "checkins": checkins, "declared_at": _local(body["declared_at"], config),
            "ended_at": _local(body["ended_at"], config), "generated_at": _local(now.isoformat(), config),
            "duration": _duration(body["elapsed_minutes"])}


def _duration(minutes: float) -> str:
    """"3小时05分"."""
    whole = int(minutes)
    return f"{whole // 60}小时{whole % 60:02d}分" if whole >= 60 else f"{whole}分钟"


def _sheet(book: Workbook, title: str, headers: tuple, rows: list, *, first: bool = False):
    sheet = book.active if first else book.create_sheet(title)
    sheet.title = title
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = "A2"
    for index in range(1, len(headers) + 1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = 16
    return sheet


def xlsx(data: dict) -> bytes:
    """The review as a workbook: 概况, 时间线, 工单, 到岗."""
    e = data["emergency"]
    book = Workbook()
    about = _sheet(book, "概况", ("项目", "内容"), [
        ("应急事件", e["title"]), ("预案", e["plan_name"]), ("级别", e["level_name"]),
        ("范围", "、".join(e["zone_names"])), ("启动", data["declared_at"]),
        ("结束", data["ended_at"] or "进行中"), ("持续", data["duration"]), ("说明", e["note"]),
        ("工单总数", e["counts"]["total"]), ("已处置", e["counts"]["handled"]), ("未处置", e["counts"]["open"]),
        ("生成时间", data["generated_at"]), ("性质", "复盘（最终）" if data["final"] else "复盘（初稿，应急仍在进行）")],
        first=True)
    about.column_dimensions["B"].width = 48
    for cell in about["B"]:
        cell.alignment = Alignment(wrap_text=True)
    _sheet(book, "时间线", LOG_HEADERS, data["log"])
    _sheet(book, "工单", TICKET_HEADERS, data["tickets"])
    _sheet(book, "到岗", CHECKIN_HEADERS, data["checkins"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
