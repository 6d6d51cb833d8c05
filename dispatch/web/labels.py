"""The Chinese names the pages show for the API's codes: statuses, actions, roles, deadline kinds, ….

One dict, ``page_labels()``, taken from where Python defines each name (the transition table's action
labels, the roles of ``guard``, the desk's queue names) or defined here when no other Python module names
it. ``base.html`` renders it into every page as ``<script type="application/json" id="yc-labels">`` (a
data block: the strict Content-Security-Policy allows it, and /m/'s offline copy of the page carries it);
``static/js/labels.js`` reads it as ``YC.labels``. No page script keeps its own copy.

>>> labels = page_labels()
>>> labels["statuses"]["in_progress"], labels["actions"]["accept"], labels["roles"]["inspector"]
('处置中', '签收', '网格巡查员')
>>> labels["deadline_kinds"]["response"], labels["limit_units"]["WH"], labels["desk_queues"]["warning"]
('签收时限', '工作时', '即将超期')
>>> labels["sources"]["committee"], labels["grades"]["basically_satisfied"], labels["roles"]["committee"]
('约请', '基本满意', '居委')
>>> labels["followup_ratings"]["basically_satisfied"], labels["actions"]["reopen"], labels["desk_queues"]["followups"]
('基本满意', '回访返工', '回访')
"""
from __future__ import annotations

from dispatch.emergency.models import LOG_ACTION_LABELS as EMERGENCY_ACTION_LABELS
from dispatch.followup.service import RATING_LABELS, REASON_LABELS
from dispatch.tickets.clock import KIND_LABELS
from dispatch.tickets.models import STATUS_LABELS
from dispatch.tickets.transitions import TRANSITIONS
from dispatch.web.desk_service import COMMAND_QUEUES, FOLLOWUP_QUEUES, QUEUES, REVIEW_QUEUE
from dispatch.web.guard import ROLE_LABELS

# Timeline (留痕) steps that are no action of the transition table (those take the table's own label).
TIMELINE_ACTION_LABELS = {
    "report": "上报",
    "await_dispatch": "待城运中心派遣",
    "photo": "照片",
    "link_duplicate": "重复合并",
    "duplicate_reported": "重复上报",
    "escalate": "超期升级",
    "assist_escalate": "协办超期升级",  # dispatch.escalation.assist_sweep
    "recompute_deadlines": "节假日数据更新",  # dispatch.tickets.recompute
    "evaluate": "居委评价",          # dispatch.evaluation.flows
    "request_review": "申请复核",
    "dismiss_review": "驳回复核",
    "emergency_join": "纳入应急",  # dispatch.emergency.flows: handled under an emergency's 预案
    "emergency_release": "移出应急",
    "followup_due": "待回访",  # dispatch.followup: a closing selected for a 回访
    "followup_visit": "回访",
    "followup_escalate": "回访超期升级",
}
# Where a report came from (ticket.source); a 居委's report is an 约请 (invitation to the departments).
SOURCE_LABELS = {"api": "巡查上报", "web": "巡查上报", "open311": "市民上报", "committee": "约请"}
# The answers of a 居委's evaluation (响应度, 处置).
GRADE_LABELS = {"satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意"}
# A ticket's evaluation state (GET /api/v1/tickets/{id}/evaluation) and a 复核 request's status.
EVALUATION_STATE_LABELS = {"awaiting": "待评价", "evaluated": "已评价", "unevaluated": "未评价", "not_due": "—"}
REVIEW_STATUS_LABELS = {"pending": "待复核", "rework": "已复核返工", "dismissed": "已驳回"}
DEADLINE_KIND_LABELS = {kind: name + "时限" for kind, name in KIND_LABELS.items()}  # 签收时限, 处置时限
LIMIT_UNIT_LABELS = {"WH": "工作时", "WD": "工作日", "NH": "小时", "NM": "分钟"}
# A ticket's state on the cockpit's map (desk_service.deadline_state, or 督办 when supervised).
TICKET_STATE_LABELS = {"normal": "正常", "warning": "预警", "overdue": "超期", "supervised": "督办"}
# What a department of departments.toml is (its `kind`).
DEPARTMENT_KIND_LABELS = {"command": "城运中心", "department": "处置部门", "station": "片区网格化管理站"}
SYSTEM_ACTOR = "系统"


def page_labels() -> dict[str, dict[str, str]]:
    """Every code → Chinese name the pages need, grouped by what the code is (plain str keys, JSON-ready)."""
    return {
        "statuses": {str(code): name for code, name in STATUS_LABELS.items()},
        "actions": {**TIMELINE_ACTION_LABELS, **{action: move.label for action, move in TRANSITIONS.items()}},
        "roles": {**{str(role): name for role, name in ROLE_LABELS.items()}, "system": SYSTEM_ACTOR},
        "deadline_kinds": dict(DEADLINE_KIND_LABELS),
        "limit_units": dict(LIMIT_UNIT_LABELS),
        "ticket_states": dict(TICKET_STATE_LABELS),
        "desk_queues": {**QUEUES, **COMMAND_QUEUES, **REVIEW_QUEUE, **FOLLOWUP_QUEUES},
        "department_kinds": dict(DEPARTMENT_KIND_LABELS),
        "sources": dict(SOURCE_LABELS),
        "grades": dict(GRADE_LABELS),
        "evaluation_states": dict(EVALUATION_STATE_LABELS),
        "review_statuses": dict(REVIEW_STATUS_LABELS),
        "emergency_actions": dict(EMERGENCY_ACTION_LABELS),  # the steps of an emergency's record (应急留痕)
        "followup_ratings": {str(code): name for code, name in RATING_LABELS.items()},
        "followup_reasons": dict(REASON_LABELS),
    }
