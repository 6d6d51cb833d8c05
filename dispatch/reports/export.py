"""A stored monthly report as an xlsx workbook (openpyxl): one sheet per part, the figures as numbers."""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from dispatch.stats.export import COLUMNS, TOTAL_LABEL

GROUP_SHEETS = {"zone": ("片区", "片区"), "category": ("类别", "类别"), "department": ("部门", "部门"),
                "committee": ("居民区", "居民区")}
DEADLINE_NAMES = {"response": "签收", "resolve": "处置"}


def _bold_header(sheet) -> None:
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = 18


def _figure_row(label: str, figures: dict) -> list:
    return [label, *(figures.get(name) for name, _, _ in COLUMNS)]


def _formats(sheet) -> None:
    for row in sheet.iter_rows(min_row=2):
        for cell, (_, _, kind) in zip(row[1:], COLUMNS):
            cell.number_format = "0.0%" if kind == "rate" else "0.00" if kind == "number" else "General"


def to_xlsx(report: dict) -> bytes:
    """Sheets 总体 (合计 and 上月), one per grouping, 通报 (departments, 超期, 退单), 顽症, 说明."""
    book = Workbook()
    sheet = book.active
    sheet.title = "总体"
    sheet.append(["月份", *(title for _, title, _ in COLUMNS)])
    sheet.append(_figure_row(f"{report['month']} {TOTAL_LABEL}", report["totals"]))
    sheet.append(_figure_row(f"{report['previous']['month']} (上月)", report["previous"]["totals"]))
    sheet.append(["环比", *(report["totals"]["changes"].get(name) for name, _, _ in COLUMNS)])
    _formats(sheet)
    _bold_header(sheet)
    for grouping in report["groupings"]:
        title, header = GROUP_SHEETS.get(grouping, (grouping, grouping))
        page = book.create_sheet(title)
        page.append([header, *(t for _, t, _ in COLUMNS), "环比 上报数", "环比 综合指标"])
        for group in report["groups"][grouping]:
            page.append([*_figure_row(group["name"], group), group["changes"].get("reported"),
                         group["changes"].get("composite")])
        _formats(page)
        _bold_header(page)
    names = report["names"]
    bulletin = report["bulletin"]
    page = book.create_sheet("通报")
    page.append(["部门", "超期案件数", "退单次数"])
    for row in bulletin["departments"]:
        page.append([row["name"], row["overdue"], row["returned"]])
    page.append([])
    page.append(["超期", "案件编号", "部门", "时限", "到期时间", "类别", "地址"])
    for row in bulletin["overdue"]:
        page.append(["", row["number"], names["departments"].get(row["department"], row["department"]),
                     DEADLINE_NAMES.get(row["deadline"], row["deadline"]), row["due_at"],
                     names["categories"].get(row["category"], row["category"]), row["address"]])
    page.append([])
    page.append(["退单", "案件编号", "部门", "退单时间", "理由", "类别", "地址"])
    for row in bulletin["returned"]:
        page.append(["", row["number"], names["departments"].get(row["department"], row["department"]),
                     row["at"], row["reason"], names["categories"].get(row["category"], row["category"]),
                     row["address"]])
    _bold_header(page)
    page = book.create_sheet("顽症")
    page.append(["序号", "类别", "片区", "次数", "最高第N次", "首次上报", "最近上报", "经度", "纬度", "案件"])
    for index, spot in enumerate(report["hotspots"], start=1):
        page.append([index, spot["category_name"], names["zones"].get(spot["zone"], spot["zone"]), spot["count"],
                     spot["peak"], spot["first_at"], spot["last_at"], spot["lng"], spot["lat"],
                     "、".join(t["number"] for t in spot["tickets"])])
    _bold_header(page)
    rule = report["rules"]["hotspots"]
    about = book.create_sheet("说明")
    for line in (("月份", report["month"]), ("版本", report.get("version")), ("统计期间(起)", report["from"]),
                 ("统计期间(止, 不含)", report["to"]), ("生成时间", report["generated_at"]),
                 ("口径", "按上报时间统计；应结案数 = 处置时限已过或已结案的案件，剔除挂账、作废和重复上报"),
                 ("综合指标", report["rules"]["composite"]),
                 ("环比", "本月 − 上月；比率为百分点(0.05 = 5 个百分点)；上月数据"
                          + ("取自上月已存报告" if report["previous"]["source"] == "snapshot" else "为生成时计算")),
                 ("超期", "签收或处置时限到达“超期”级(到期时间在本月)，记入当时承办部门"),
                 ("退单", "部门用户在本月的退单操作"),
                 ("顽症", f"同一类别在 {rule['radius_m']:g} 米范围内 {rule['window_days']} 天内上报 ≥ "
                          f"{rule['min_reports']} 次(不含重复上报和作废)")):
        about.append(list(line))
    about.column_dimensions["A"].width = 20
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
