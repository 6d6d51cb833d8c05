"""The /api/v1 operations, one declaration each. A new route is documented by adding its `Operation` here."""
from __future__ import annotations

from dispatch.evaluation.schemas import (AwaitingList, EvaluationCreate, EvaluationResult, ReviewDecided,
                                         ReviewDecision, ReviewsList, ReviewsQuery, TicketEvaluation)
from dispatch.emergency import review as emergency_review
from dispatch.emergency.schemas import (CheckinDone, Declare, EmergenciesPage, EmergenciesQuery, EmergencyEnvelope,
                                        EndRequest, LevelChange, PlansPublic, PullIn, ReleaseRequest)
from dispatch.followup.schemas import (FollowupsPage, FollowupsQuery, ReopenRequestsPage, TicketFollowups,
                                       VisitRecorded, VisitRequest)
from dispatch.intake.models import IDEMPOTENCY_KEY_MAX, IDEMPOTENCY_KEY_PATTERN, EventCreate
from dispatch.openapi.models import (CategoriesPublic, DepartmentsPublic, ErrorBody, Health, PhotoUpload,
                                     PhotoUploaded, TicketsPage, ZoneCollection)
from dispatch.openapi.registry import Operation, Param, Reply, build, query_params
from dispatch.reports.schemas import (HotspotsLive, MonthlyReportCreate, MonthlyReportPublic, MonthlyReportQuery,
                                      MonthlyReportsList, Recurrence)
from dispatch.stats.export import XLSX_MIMETYPE
from dispatch.stats.schemas import StatsQuery, StatsReport, TrendQuery, TrendReport
from dispatch.street.config import StreetConfig
from dispatch.street.public import CommitteesPublic, CommitteesQuery, ConfigReloaded, LocateQuery, ZoneLocation
from dispatch.tickets.filters import AssistsQuery, PhotoQuery, TicketsQuery, described_codes
from dispatch.tickets.schemas import ActionRequest, AssistsPage, BulkActionRequest, BulkActionResult, TicketEnvelope

TICKET_ID = Param("ticket_id", "path", {"type": "integer", "minimum": 1}, "the ticket's id")
PHOTO_ID = Param("photo_id", "path", {"type": "integer", "minimum": 1}, "the photo's `id` in the ticket's photos")
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
MONTH = Param("month", "path", {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$"}, "YYYY-MM")
EMERGENCY_ID = Param("emergency_id", "path", {"type": "integer", "minimum": 1}, "the emergency's id")
FOLLOWUP_ID = Param("followup_id", "path", {"type": "integer", "minimum": 1}, "the 回访's `id`")


def _zone_codes(config: StreetConfig) -> dict:
    return {"enum": list(config.zone_names())}


def operations(config: StreetConfig) -> list[Operation]:
    """Every documented /api/v1 route (and /healthz); enums of codes come from the street's config."""
    return [
        Operation("GET", "/healthz", "Health: the database answers", "system", auth=False,
                  responses={200: Health, 503: Reply(Health, "The database does not answer")}),
        Operation("GET", "/api/v1/zones", "Zones (片区) as GeoJSON", "reference", auth=False,
                  responses={200: Reply(ZoneCollection, media_type="application/geo+json")}),
        Operation("GET", "/api/v1/zones/locate", "The zone (片区) a point falls in", "reference", auth=False,
                  params=query_params(LocateQuery), responses={200: ZoneLocation}, errors=(400,),
                  description="The same index and tolerance intake uses; GCJ-02 and BD-09 are converted to "
                              "WGS-84 first. Out of area: zone null, how outside."),
        Operation("GET", "/api/v1/committees", "Residential committees (居民区, 居委会), all or one zone's",
                  "reference", auth=False, params=query_params(CommitteesQuery, zone=_zone_codes(config)),
                  responses={200: CommitteesPublic}, errors=(400,)),
        Operation("GET", "/api/v1/categories", "Event categories with their deadlines", "reference",
                  auth=False, responses={200: CategoriesPublic}),
        Operation("GET", "/api/v1/departments", "Departments (处置部门)", "reference", auth=False,
                  responses={200: DepartmentsPublic}),
        Operation("POST", "/api/v1/events", "Report an event (事件上报)", "intake", request=EventCreate,
                  params=(Param("Idempotency-Key", "header",
                                {"type": "string", "minLength": 1, "maxLength": IDEMPOTENCY_KEY_MAX,
                                 "pattern": IDEMPOTENCY_KEY_PATTERN},
                                "a retry with the same key returns the first ticket (200) instead of a new one; "
                                "1–200 printable ASCII characters (! to ~, spaces inside only), else 400 "
                                "invalid_idempotency_key; keys belong to their user"),),
                  responses={201: Reply(TicketEnvelope, "The new ticket"),
                             200: Reply(TicketEnvelope, "Replay of an Idempotency-Key: the ticket it made")},
                  errors=(400, 403, 413, 422),
                  description="Inspectors, 居委 (committee: the report is an 约请, source `committee`) and the "
                              "command center. The ticket is geolocated, given its 居民区 (a committee boundary "
                              "covering the point, else `committee` — 422 committee_not_in_zone for a committee "
                              "of another zone), deduplicated (same category within 50 m / 24 h → status "
                              "duplicate, duplicate_of set), routed and numbered."),
        Operation("GET", "/api/v1/tickets", "Tickets you may see, newest first", "tickets",
                  params=query_params(TicketsQuery, **described_codes(config)),
                  responses={200: TicketsPage}, errors=(400, 403)),
        Operation("GET", "/api/v1/tickets/{ticket_id}", "One ticket with its timeline (留痕), deadlines, photos",
                  "tickets", params=(TICKET_ID,), responses={200: TicketEnvelope}, errors=(403, 404)),
        Operation("POST", "/api/v1/tickets/{ticket_id}/actions", "One step of the closed loop (签收, 退单, 核查, 吹哨, 报到…)",
                  "tickets", params=(TICKET_ID,), request=ActionRequest, responses={200: TicketEnvelope},
                  errors=(400, 403, 404, 409, 422),
                  description="吹哨报到: `whistle` (command center) names the lead `department` and `assists` "
                              "(department, task, optional limit); `check_in` (报到) and `finish_task` (协办完成, "
                              "`note`, optional `photo_id`) are taken by a department with an open assist task; "
                              "`close_task` (command center: `task_id`, `reason`). `resolve` answers 409 "
                              "assist_tasks_open while an assist task is open. "
                              "改派 (reassign: `department` and `reason`) and 催办 (urge) belong to the command "
                              "center; 催办 answers 409 urge_too_soon within an hour of the ticket's last one."),
        Operation("POST", "/api/v1/tickets/bulk-actions", "派遣, 督办 or 催办 on many selected tickets",
                  "tickets", request=BulkActionRequest, responses={200: BulkActionResult}, errors=(400, 403, 422),
                  description="The command center and admins. Each ticket is checked and acted on by itself, in "
                              "its own transaction: the answer lists, in the order sent, which succeeded and for "
                              "the others the error a single action would have answered (not_found, "
                              "illegal_transition, no_desk, urge_too_soon …). 403 for a role that may not take "
                              "the action at all."),
        Operation("GET", "/api/v1/assists", "Assist tasks of 吹哨报到 (协办): a department's own, or all", "tickets",
                  params=query_params(AssistsQuery, department={"enum": [code for code in config.departments
                                                                         if config.has_desk(code)]}),
                  responses={200: AssistsPage}, errors=(400, 403),
                  description="A department gets its own tasks (`department` is ignored); the command center and "
                              "admins every department's, or one's. `state=open` (default): 待报到 and 已报到, the "
                              "next deadline first; `state=all`: every task, newest first."),
        Operation("POST", "/api/v1/tickets/{ticket_id}/photos", "Add a before/after photo (JPEG, PNG, WebP)",
                  "tickets", params=(TICKET_ID,), request=PhotoUpload, body_media_type="multipart/form-data",
                  responses={201: PhotoUploaded}, errors=(403, 404, 409, 413, 415, 422),
                  description="409 ticket_ended: an ended ticket (closed, cancelled, duplicate) takes no more "
                              "photos, except a duplicate's own reporter's `before` photo. 422 corrupt_photo: it "
                              "does not decode; 422 photo_too_large: more than photo_max_pixels."),
        Operation("GET", "/api/v1/tickets/{ticket_id}/photos/{photo_id}", "A photo's bytes", "tickets",
                  params=(TICKET_ID, PHOTO_ID, *query_params(PhotoQuery)),
                  responses={200: tuple(Reply(None, "The stamped photo without metadata (original=1: as uploaded)",
                                              media_type=media_type) for media_type in PHOTO_TYPES)},
                  errors=(400, 403, 404),
                  description="To whoever may see the ticket (404 otherwise): the served copy — upright, with the "
                              "ticket's stamp (水印: number, 处置前/后, 上报时间, upload time, address and "
                              "coordinates) along its bottom, in the upload's format, without any metadata (no "
                              "EXIF GPS, XMP or IPTC); `original=1` gives the command "
                              "center and admins the photo as uploaded (403 for other roles). `Cache-Control: "
                              "private` (`no-store` for a category not shown publicly)."),
        Operation("GET", "/api/v1/tickets/{ticket_id}/photos/{photo_id}/thumbnail",
                  "A photo's thumbnail (JPEG, at most 480 px, stamped, no EXIF)", "tickets", params=(TICKET_ID, PHOTO_ID),
                  responses={200: Reply(None, "The thumbnail", media_type="image/jpeg")},
                  errors=(404,), description="For lists and pages on mobile data; the same access and caching as "
                                             "the photo."),
        Operation("GET", "/api/v1/tickets/{ticket_id}/evaluation", "The 居委's evaluation (评价) of a ticket",
                  "evaluation", params=(TICKET_ID,), responses={200: TicketEvaluation}, errors=(404,),
                  description="Whoever may see the ticket: awaiting (closed, inside committee_window, with the "
                              "time left), evaluated, unevaluated (未评价: the window passed) or not_due; its "
                              "latest 复核 request."),
        Operation("POST", "/api/v1/tickets/{ticket_id}/evaluation", "Evaluate a closed ticket (评价, 居委 only)",
                  "evaluation", params=(TICKET_ID,), request=EvaluationCreate,
                  responses={201: EvaluationResult}, errors=(400, 403, 404, 409, 422),
                  description="A 居委 of the ticket's 居民区, once, within committee_window after 结案 "
                              "(config/evaluation.toml). 409 not_closed, already_evaluated, "
                              "evaluation_window_closed. An 不满意 处置 with a note opens a 复核 request."),
        Operation("GET", "/api/v1/evaluations/pending", "What awaits the 居委's evaluation", "evaluation",
                  responses={200: AwaitingList}, errors=(403,),
                  description="The caller's (a 居委's) closed tickets still inside the window, the window "
                              "closing soonest first."),
        Operation("GET", "/api/v1/reviews", "复核 requests for the command center", "evaluation",
                  params=query_params(ReviewsQuery), responses={200: ReviewsList}, errors=(400, 403)),
        Operation("POST", "/api/v1/reviews/{review_id}/decision", "Decide a 复核: 复核返工 or dismiss",
                  "evaluation",
                  params=(Param("review_id", "path", {"type": "integer", "minimum": 1}, "the 复核 request's id"),),
                  request=ReviewDecision, responses={200: ReviewDecided}, errors=(400, 403, 404, 409, 422),
                  description="The command center and admins. rework: the transition table's review_rework "
                              "(closed → in_progress for the same department, on the timeline, the resolve "
                              "clock restarted as a failed 核查's rework); dismiss: recorded with the reason. "
                              "409 review_decided, no_department, version_conflict."),
        Operation("GET", "/api/v1/followups", "Follow-up visits (回访) due, overdue or done", "followup",
                  params=query_params(FollowupsQuery, zone=_zone_codes(config)), responses={200: FollowupsPage},
                  errors=(400, 403),
                  description="An inspector: its zone's; the command center and admins: every zone's (?zone=); "
                              "a department: 403. A 回访 falls due when a ticket closes and its source's rate in "
                              "config/followup.toml selects it (docs/domain.md)."),
        Operation("POST", "/api/v1/followups/{followup_id}/visit", "Record a 回访 (once)", "followup",
                  params=(FOLLOWUP_ID,), request=VisitRequest, responses={201: VisitRecorded},
                  errors=(400, 403, 404, 409, 422),
                  description="The zone's inspectors and the command center (403 for others). reached with a "
                              "rating, or 未联系上 without one; 不满意 needs a note and asks the command center to "
                              "reopen the ticket as rework (the ticket actions reopen / decline_reopen decide). "
                              "409 followup_done: recorded already."),
        Operation("GET", "/api/v1/tickets/{ticket_id}/followups", "A ticket's 回访 with their visits", "followup",
                  params=(TICKET_ID,), responses={200: TicketFollowups}, errors=(403, 404)),
        Operation("GET", "/api/v1/reopen-requests", "不满意 回访 waiting for the command center's 回访返工 decision",
                  "followup", responses={200: ReopenRequestsPage}, errors=(403,),
                  description="The command center and admins. Decide each with the ticket action `reopen` "
                              "(back to its department as rework) or `decline_reopen` (with a reason)."),
        Operation("GET", "/api/v1/stats", "Evaluation (评价) figures, in total and per group", "stats",
                  params=query_params(StatsQuery, zone=_zone_codes(config)),
                  responses={200: (Reply(StatsReport),
                                   Reply(None, "The report as a workbook (format=xlsx)", media_type=XLSX_MIMETYPE),
                                   Reply(None, "The report as CSV, UTF-8 with BOM (format=csv)",
                                         media_type="text/csv"))},
                  errors=(400, 403),
                  description="The command center and admins; a department user gets its own department's "
                              "figures only. The formulas are in docs/stats.md."),
        Operation("GET", "/api/v1/stats/trend", "Reported and closed tickets per local day", "stats",
                  params=query_params(TrendQuery, zone=_zone_codes(config)), responses={200: TrendReport},
                  errors=(400, 403),
                  description="The command center and admins; a department user: its own department's tickets."),
        Operation("GET", "/api/v1/reports/monthly", "Stored monthly reports (月度研判), newest first", "reports",
                  responses={200: MonthlyReportsList}, errors=(403,),
                  description="The command center and admins. `due`: the month the scheduler makes now (on the "
                              "first working day of the next month). docs/reports.md."),
        Operation("POST", "/api/v1/reports/monthly", "Make and store a month's report now", "reports",
                  request=MonthlyReportCreate, responses={201: Reply(MonthlyReportPublic, "The stored report")},
                  errors=(400, 403, 409, 422),
                  description="409 report_exists when the month has a report (a stored month is never "
                              "recomputed): send new_version true with a reason to store version 2, 3 … beside "
                              "it. 400 invalid_month: the month is not over yet."),
        Operation("GET", "/api/v1/reports/monthly/{month}", "A stored monthly report (JSON or xlsx)", "reports",
                  params=(MONTH, *query_params(MonthlyReportQuery)),
                  responses={200: (Reply(MonthlyReportPublic),
                                   Reply(None, "The report as a workbook (format=xlsx)", media_type=XLSX_MIMETYPE))},
                  errors=(400, 403, 404),
                  description="As it was stored: totals and groups (the figures of docs/stats.md), 环比, 通报, 顽症."),
        Operation("GET", "/api/v1/hotspots", "Recurring hotspots (顽症) now", "reports",
                  responses={200: HotspotsLive}, errors=(403,),
                  description="The command center and admins: places where one category was reported ≥ "
                              "min_reports times within window_days inside radius_m, with a report in the last "
                              "window_days (config/reports.toml; the rule: docs/reports.md)."),
        Operation("GET", "/api/v1/tickets/{ticket_id}/recurrence", "此处 30 天内第 N 次上报: a report's recurrences",
                  "reports", params=(TICKET_ID,), responses={200: Recurrence}, errors=(403, 404),
                  description="To whoever may read the ticket: N and the other reports (visible: whether you may "
                              "open each)."),
        *emergency_operations(),
        Operation("POST", "/api/v1/admin/reload-config", "Re-read config/ without a restart (admin)", "admin",
                  responses={200: ConfigReloaded}, errors=(403, 422),
                  description="Validates every file first; on any problem nothing changes and the 422 lists "
                              "them (file, key, reason). A category or department that tickets use cannot "
                              "be removed."),
    ]


def emergency_operations() -> list[Operation]:
    """应急指挥: 预案, declaring, levels, the end, tickets pulled in and released, 到岗, the 复盘 workbook."""
    one = (EMERGENCY_ID,)
    return [
        Operation("GET", "/api/v1/emergencies/plans", "The 应急预案 (config/emergencies.toml)", "emergencies",
                  responses={200: PlansPublic}),
        Operation("GET", "/api/v1/emergencies", "Emergencies, newest first, with counts and 到岗", "emergencies",
                  params=query_params(EmergenciesQuery), responses={200: EmergenciesPage}, errors=(400,)),
        Operation("POST", "/api/v1/emergencies", "启动应急: declare an emergency (command center, admin)",
                  "emergencies", request=Declare, responses={201: EmergencyEnvelope}, errors=(400, 403, 422),
                  description="While it is active, new reports of its 预案's categories in its zones are handled "
                              "under it (the 预案's natural-time limits and faster ladder); each department of the "
                              "预案 must report on duty (到岗) within its limit. Messages go to the outbox at once."),
        Operation("GET", "/api/v1/emergencies/{emergency_id}", "One emergency; the command center also gets its "
                  "record, tickets and the open tickets that may be pulled in", "emergencies", params=one,
                  responses={200: EmergencyEnvelope}, errors=(404,)),
        Operation("POST", "/api/v1/emergencies/{emergency_id}/level", "升级 / 降级 (1 = Ⅰ级 … 4 = Ⅳ级)", "emergencies",
                  params=one, request=LevelChange, responses={200: EmergencyEnvelope},
                  errors=(400, 403, 404, 409, 422), description="409 same_level, or emergency_ended."),
        Operation("POST", "/api/v1/emergencies/{emergency_id}/end", "结束应急; the 复盘 becomes final", "emergencies",
                  params=one, request=EndRequest, responses={200: EmergencyEnvelope}, errors=(400, 403, 404, 409, 422),
                  description="Its tickets keep the 预案's deadlines until released one by one."),
        Operation("POST", "/api/v1/emergencies/{emergency_id}/tickets", "纳入应急: pull an open ticket in",
                  "emergencies", params=one, request=PullIn, responses={200: EmergencyEnvelope},
                  errors=(400, 403, 404, 409, 422),
                  description="Each running deadline becomes the earlier of itself and now + the 预案's limit. "
                              "422 not_covered: another category or zone; 409: ended, suspended, already in."),
        Operation("POST", "/api/v1/emergencies/{emergency_id}/tickets/{ticket_id}/release",
                  "移出应急: the ticket's normal limits back", "emergencies", params=(EMERGENCY_ID, TICKET_ID),
                  request=ReleaseRequest, responses={200: EmergencyEnvelope}, errors=(400, 403, 404, 409, 422),
                  description="Each running deadline is counted again under the category's limits from the "
                              "ticket's own history (dispatch, 延期, 挂账/恢复), as if never pulled in."),
        Operation("POST", "/api/v1/emergencies/{emergency_id}/checkin", "到岗: your department reports on duty",
                  "emergencies", params=one, responses={200: CheckinDone}, errors=(403, 404, 409),
                  description="Department users; 409 not_called (the 预案 does not call the department), "
                              "already_checked_in, emergency_ended."),
        Operation("GET", "/api/v1/emergencies/{emergency_id}/review.xlsx", "复盘 as a workbook", "emergencies",
                  params=one, responses={200: Reply(None, "概况, 时间线, 工单, 到岗",
                                                    media_type=emergency_review.XLSX_MIMETYPE)},
                  errors=(403, 404)),
    ]


def document(config: StreetConfig, *, version: str) -> dict:
    """The OpenAPI 3.1 document of /api/v1."""
    return build(operations(config), title="宜川路街道 event dispatch API", version=version,
                 description="Grid-governance events (网格化管理): report, dispatch, handle, verify. "
                             "Errors are {\"error\": {\"code\", \"message\"}}. Open311 GeoReport v2 is "
                             "served separately under /open311/v2/ (see docs/open311.md).",
                 error_model=ErrorBody)

