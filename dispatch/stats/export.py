"""The evaluation (评价) as a spreadsheet: xlsx (openpyxl) or CSV (UTF-8 with BOM, for Excel)."""
from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font

from dispatch import spreadsheet
from dispatch.spreadsheet import CSV_MIMETYPE, XLSX_MIMETYPE  # noqa: F401  (the stats views' names)
from dispatch.street.schemas import EvaluationFile

GROUP_HEADERS = {"department": "部门", "zone": "片区", "category": "类别", "committee": "居民区", None: "范围"}
TOTAL_LABEL = "合计"

# (field of a summary group, Chinese header, kind): kind "count", "rate" (shown as %), "number".
COLUMNS = (
    ("reported", "上报数", "count"),
    ("due_to_close", "应结案数", "count"),
    ("closed", "结案数", "count"),
    ("closed_on_time", "按期结案数", "count"),
    ("close_rate", "结案率", "rate"),
    ("on_time_close_rate", "按期结案率", "rate"),
    ("due_to_handle", "应处置数", "count"),
    ("handled", "处置数", "count"),
    ("handled_on_time", "按期处置数", "count"),
    ("handle_rate", "处置率", "rate"),
    ("on_time_handle_rate", "按期处置率", "rate"),
    ("rework", "返工数", "count"),
    ("rework_rate", "返工率", "rate"),
    ("extended", "延期数", "count"),
    ("extension_rate", "延期率", "rate"),
    ("supervised", "督办数", "count"),
    ("followups_due", "应回访数", "count"),
    ("followups_done", "已回访数", "count"),
    ("followup_rate", "回访率", "rate"),
    ("followups_reached", "联系上数", "count"),
    ("followups_satisfied", "满意数", "count"),
    ("satisfaction_rate", "满意率", "rate"),
    ("composite", "综合指标", "number"),
    ("avg_handling_hours", "平均处置时长(工作时)", "number"),
    ("evaluated", "已评价", "count"),
    ("unevaluated", "未评价", "count"),
    ("responsiveness_satisfied_rate", "响应度满意率", "rate"),
    ("handling_satisfied_rate", "处置满意率", "rate"),
    ("evaluation_score", "居委评价分", "number"),
    ("ranking_score", "排名分", "number"),
    ("assists", "协办任务数", "count"),
    ("due_to_check_in", "应报到数", "count"),
    ("checked_in", "报到数", "count"),
    ("checked_in_on_time", "按时报到数", "count"),
    ("checkin_rate", "报到率", "rate"),
    ("on_time_checkin_rate", "按时报到率", "rate"),
    ("due_to_finish", "应完成数", "count"),
    ("finished_on_time", "按期完成数", "count"),
    ("on_time_assist_rate", "协办按期完成率", "rate"),
)


def header(report: dict) -> list[str]:
    """The header row: the group column (部门/片区/类别) then one column per figure."""
    return [GROUP_HEADERS[report["group_by"]], *(title for _, title, _ in COLUMNS)]


def _rows(report: dict) -> list[tuple[str, dict]]:
    rows = [(group["name"], group) for group in report["groups"]]
    rows.append((TOTAL_LABEL, report["totals"]))
    return rows


def _text(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind == "number":
        return f"{value:.2f}" if isinstance(value, float) else str(value)
    return str(value)


def to_csv(report: dict) -> bytes:
    """The report as CSV, UTF-8 with a BOM so that Excel reads the Chinese headers."""
    return spreadsheet.to_csv(header(report), ([label, *(_text(figures[name], kind) for name, _, kind in COLUMNS)]
                                               for label, figures in _rows(report)))


def composite_formula(evaluation: EvaluationFile) -> str:
    """综合指标's formula with the street's weights, in words, e.g. for the 说明 sheet."""
    w, s = evaluation.weights, evaluation.supervision
    return (f"按期结案率×{w.on_time_close_rate:g} + 结案率×{w.close_rate:g} + (1−返工率)×{w.no_rework_rate:g}"
            f" + 督办分({s.points:g}分，每件督办扣{s.penalty:g}分，扣完为止)")


def ranking_formula(evaluation: EvaluationFile) -> str:
    """居委评价分 and 排名分 with the street's weights, in words (the 说明 sheet)."""
    c = evaluation.committee
    g = c.grades
    return (f"居委评价分 = 响应度×{c.responsiveness:g}% + 处置×{c.handling:g}%（满意{g.satisfied:g}、基本满意"
            f"{g.basically_satisfied:g}、不满意{g.dissatisfied:g}分，按已评价工单平均）；排名分 = 综合指标×"
            f"{100 - c.weight:g}% + 居委评价分×{c.weight:g}%（无评价时即综合指标）；评价期限为结案后"
            f"{evaluation.committee_window}，逾期计未评价")


def to_xlsx(report: dict, *, evaluation: EvaluationFile) -> bytes:
    """The report as an xlsx workbook: sheet 评价 (header, groups, 合计) and sheet 说明 (period, formulas)."""
    book = Workbook()
    sheet = spreadsheet.new_sheet(book, "评价", header(report), first=True)
    for label, figures in _rows(report):
        sheet.append([label, *(figures[name] for name, _, _ in COLUMNS)])
        row = sheet.max_row
        for offset, (_, _, kind) in enumerate(COLUMNS, start=2):
            cell = sheet.cell(row=row, column=offset)
            if kind == "rate":
                cell.number_format = "0.0%"
            elif kind == "number":
                cell.number_format = "0.00"
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = 18
    about = book.create_sheet("说明")
    for line in (("统计期间(起)", report["from"]), ("统计期间(止, 不含)", report["to"]),
                 ("生成时间", report["generated_at"]),
                 ("口径", "按上报时间统计；应结案数 = 处置时限已过或已结案的案件，剔除挂账、作废和重复上报"),
                 ("综合指标", composite_formula(evaluation)),
                 ("居委评价", ranking_formula(evaluation)),
                 ("吹哨报到", "按吹哨时间统计协办部门的任务；报到率 = 报到数/应报到数，按时报到率 = 按时报到数/应报到数，"
                          "协办按期完成率 = 按期完成数/应完成数；城运中心在时限前关闭的任务不计入"),
                 ("回访率", "已回访数 / 应回访数；应回访数 = 已到期或已回访的回访任务"),
                 ("满意率", "(满意 + 基本满意) / 联系上数；未联系上不计"),
                 ("空值", "分母为0时比率留空(不是0%)")):
        about.append(list(line))
    about.column_dimensions["A"].width = 20
    return spreadsheet.save(book)
