"""Evaluation statistics (评价) over the tickets table: the formulas of the CJ/T 292 / GB/T 30428.4 family.

Everything is a function of the arguments: the session, the street config, ``now`` and a period
``[start, end)``. Nothing reads the clock. Counting happens in SQL (``SUM(CASE …) GROUP BY``) and no ticket
is read into Python: the handling time, which needs the working-time calendar, is stored on each ticket when
it is resolved (``handling_minutes``, dispatch.tickets.clock.resolve), and 未评价's working-time window is one
instant found on the calendar (dispatch.evaluation.service.last_closing_past_window).

The cohort
    The period selects tickets by ``created_at`` (reported in ``[start, end)``). Every period
    figure below is counted over that cohort, so the numbers of one report describe the same
    tickets. A ticket of status ``duplicate`` is a report linked to another ticket, not a case
    of its own: it is counted in ``duplicates`` only. "Deadline passed" means
    ``resolve_deadline < now``; 挂账 (suspended) and 作废 (cancelled) mean the *current* status.

Definitions (one ticket counts at most once in each figure)
    上报数 reported          tickets reported in the period, duplicates excluded.
    重复上报 duplicates        reports in the period linked to another ticket.
    应结案数 due_to_close     reported in the period AND (closed OR resolve deadline passed),
                             minus 挂账 (suspended), 作废 (cancelled) and duplicates.
    结案数 closed             due_to_close tickets with status closed.
    按期结案数 closed_on_time closed tickets whose last resolution (``resolved_at``, the one that
                             passed 核查) is <= ``resolve_deadline`` (the deadline after any approved
                             延期). A closed ticket that never had a resolve deadline (自行处置 on the
                             spot, never dispatched) has no deadline to miss: on time.
    结案率 close_rate         = 结案数 / 应结案数
    按期结案率 on_time_close_rate = 按期结案数 / 应结案数
    应处置数 due_to_handle    reported in the period, dispatched (``dispatched_at`` set) AND
                             (status resolved or closed OR resolve deadline passed), minus
                             suspended, cancelled and duplicates.
    处置数 handled            due_to_handle tickets with ``resolved_at`` set.
    按期处置数 handled_on_time due_to_handle tickets with ``resolved_at <= resolve_deadline``.
    处置率 handle_rate        = 处置数 / 应处置数
    按期处置率 on_time_handle_rate = 按期处置数 / 应处置数
    返工数 rework             due_to_close tickets with ``rework_count > 0`` — tickets that had
                             rework, not the sum of rework_count (a ticket sent back three
                             times counts once; its rework_count is on the ticket).
    返工率 rework_rate        = 返工数 / 应结案数
    延期数 extended           due_to_handle tickets with ``extension_count > 0`` (approved 延期).
    延期率 extension_rate     = 延期数 / 应处置数
    督办数 supervised         tickets reported in the period flagged 督办 (duplicates excluded).
    督办分 supervision_points  supervision.points − supervision.penalty × 督办数, floored at 0
                             (10 − 2 × 督办数 as shipped).
    应回访数 followups_due    回访 (follow-up visits, dispatch.followup) of the period's tickets that are due
                             by ``now`` (``due_at <= now``) or already visited; a ticket closed, reopened
                             and closed again may have two.
    已回访数 followups_done   followups_due with a visit recorded (reached or 未联系上).
    回访率 followup_rate      = 已回访数 / 应回访数
    联系上数 followups_reached visits that reached someone.
    满意数 followups_satisfied visits rated 满意 or 基本满意.
    不满意数 followups_dissatisfied visits rated 不满意.
    满意率 satisfaction_rate  = 满意数 / 联系上数 (未联系上 visits are in neither).
    综合指标 composite        按期结案率·w1 + 结案率·w2 + (1 − 返工率)·w3 + 督办分: 0–100; the weights
                             w1..w3 (50, 30, 10 as shipped) and the 督办 points make 100.
    平均处置时长 avg_handling_hours  mean WORKING hours from ``dispatched_at`` to ``resolved_at``
                             over the 处置数 tickets (calendar ``working_minutes_between``: only
                             08:30–12:00 and 13:00–17:30 of statutory workdays count). A 挂账 pause
                             of a ticket that was later resumed is not subtracted. Stored at 处置完成
                             (``tickets.handling_minutes``) with the calendar of that moment, cleared by
                             返工 and written again at the next 处置完成.

吹哨报到 (joint handling): assist tasks given (吹哨) in the period, counted for the ASSISTING department
(grouped by zone or category: the ticket's). A task the command center closed (关闭协办) before a
deadline it had not met is not owed for that deadline ("waived"); closed after it, it counts as missed.
    协办任务数 assists        assist tasks given in the period.
    应报到数 due_to_check_in  assists whose 报到 deadline has passed at ``now`` or that checked in, not waived.
    报到数 checked_in         due_to_check_in tasks that checked in (``checked_in_at`` set).
    按时报到数 checked_in_on_time  … checked in by the 报到 deadline.
    报到率 checkin_rate       = 报到数 / 应报到数
    按时报到率 on_time_checkin_rate = 按时报到数 / 应报到数
    应完成数 due_to_finish    assists whose task deadline has passed at ``now`` or that are done, not waived.
    按期完成数 finished_on_time due_to_finish tasks done (协办完成) by their task deadline.
    协办按期完成率 on_time_assist_rate = 按期完成数 / 应完成数

    A rate whose denominator is 0 is ``None`` (not 0): "nothing was due" is not "0 %". The
    composite uses only the rates that are defined, rescaled to 100 (the weights of the defined
    terms plus the 督办 points make 100 %). All three rates share the 应结案数 denominator, so in
    practice the composite is either complete or — when 应结案数 < min_due_to_close (1) —
    ``None``: a group with nothing due would otherwise score on 督办 points alone, and an idle
    department would rank 100 above the ones that worked.

    The weights, the 督办 points and penalty and min_due_to_close are the street's local scheme, in
    config/evaluation.toml (``StreetConfig.evaluation``), passed to the formulas as ``evaluation``.

Snapshot figures (the state at ``now`` over ALL tickets, not only those of the period)
    open              status pending_dispatch, dispatched, in_progress, resolved or suspended.
    overdue           a running deadline is past (``tickets.clock.late_clause``: dispatched past its
                      response deadline, or dispatched / in_progress past its resolve deadline; the
                      same test as ``?overdue=1``, the desk and the cockpit).
    pending_dispatch  status pending_dispatch (waiting for the command center).
    reported_today    reported on the local (Asia/Shanghai) day of ``now``, duplicates excluded.
    closed_today      status closed with ``closed_at`` on the local day of ``now``.

The 居委's evaluations (评价; dispatch.evaluation), over the same cohort
    已评价 evaluated          tickets of the cohort a 居委 evaluated.
    未评价 unevaluated        closed tickets of the cohort with a 居民区, not evaluated, whose window
                             (``committee_window`` after 结案, on the working-time calendar) has passed at ``now``.
    响应度满意率 responsiveness_satisfied_rate = (满意 + 基本满意 of 响应度) / 已评价
    处置满意率 handling_satisfied_rate         = (满意 + 基本满意 of 处置) / 已评价
    居委评价分 evaluation_score  mean over the evaluated tickets of (响应度 points × responsiveness +
                             处置 points × handling) / 100, the points of each answer and the two shares
                             from ``[committee]`` of config/evaluation.toml (满意 100, 基本满意 60, 不满意 0;
                             50/50 as shipped); None when nothing was evaluated.
    排名分 ranking_score      综合指标 × (100 − w) / 100 + 居委评价分 × w / 100 with w = committee.weight (20 as
                             shipped); 综合指标 alone when there is no 居委评价分; None without a composite.
    待复核 reviews_open       复核 requests waiting for the command center now (snapshot over all tickets).

Grouping: by ``department``, ``zone``, ``category`` or ``committee`` (居民区) (names from the street config,
in Chinese); tickets with no department (not yet dispatched), no zone (out of area) or no 居民区 form one group
with key ``None`` (未派遣 / 片区外 / 无居民区), listed last. Grouped by department, the groups are ranked by
排名分, best first (None last).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, func, literal_column, or_, select
from sqlmodel import Session

from dispatch.deadlines.calendar import WorkCalendar, require_aware
from dispatch.evaluation import service as evaluation_service
from dispatch.evaluation.models import Evaluation, Grade, ReviewRequest
from dispatch.followup.models import Followup, FollowupVisit, Rating
from dispatch.street.config import StreetConfig
from dispatch.street.schemas import EvaluationFile
from dispatch.tickets import clock as ticket_clock
from dispatch.tickets import joint_clock
from dispatch.tickets.models import OPEN_STATUSES, AssistTask, Status, Ticket

GROUPINGS = ("department", "zone", "category", "committee")

UNASSIGNED_NAMES = {"department": "未派遣", "zone": "片区外", "category": "未分类", "committee": "无居民区"}

MAX_TREND_DAYS = 366
DEFAULT_PERIOD = timedelta(days=30)  # a period not given: the last 30 days up to now (API and cockpit)

# Integer counts of one group, in the order they are shown.
COUNTS = ("reported", "duplicates", "due_to_close", "closed", "closed_on_time", "due_to_handle", "handled",
          "handled_on_time", "rework", "extended", "supervised", "followups_due", "followups_done", "followups_reached",
          "followups_satisfied", "followups_dissatisfied", "open", "overdue", "pending_dispatch",
          "reported_today", "closed_today", "evaluated", "unevaluated", "responsiveness_satisfied",
          "handling_satisfied", "reviews_open", "assists", "due_to_check_in", "checked_in", "checked_in_on_time",
          "due_to_finish", "finished_on_time")
# Rates: name -> (numerator, denominator).
RATES = {
    "close_rate": ("closed", "due_to_close"),
    "on_time_close_rate": ("closed_on_time", "due_to_close"),
    "handle_rate": ("handled", "due_to_handle"),
    "on_time_handle_rate": ("handled_on_time", "due_to_handle"),
    "rework_rate": ("rework", "due_to_close"),
    "extension_rate": ("extended", "due_to_handle"),
    "responsiveness_satisfied_rate": ("responsiveness_satisfied", "evaluated"),
    "handling_satisfied_rate": ("handling_satisfied", "evaluated"),
    "checkin_rate": ("checked_in", "due_to_check_in"),
    "on_time_checkin_rate": ("checked_in_on_time", "due_to_check_in"),
    "on_time_assist_rate": ("finished_on_time", "due_to_finish"),
    "followup_rate": ("followups_done", "followups_due"),
    "satisfaction_rate": ("followups_satisfied", "followups_reached"),
}

_NOT_A_CASE = (Status.cancelled, Status.suspended, Status.duplicate)


@dataclass
class _Tally:
    """Raw counts of one group, plus the working minutes behind the average handling time."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    handling_minutes: float = 0.0
    handling_tickets: int = 0
    evaluation_points: float = 0.0  # the sum of the evaluated tickets' 居委评价分

    def add(self, other: _Tally) -> None:
        for name in COUNTS:
            self.counts[name] += other.counts[name]
        self.handling_minutes += other.handling_minutes
        self.handling_tickets += other.handling_tickets
        self.evaluation_points += other.evaluation_points


# --- the formulas --------------------------------------------------------------------------------


def rate(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, or None when the denominator is 0."""
    return numerator / denominator if denominator else None


def supervision_points(supervised: int, *, evaluation: EvaluationFile) -> float:
    """The 督办 part of the composite: full points minus the penalty per supervised ticket, >= 0."""
    return max(0.0, evaluation.supervision.points - evaluation.supervision.penalty * supervised)


def composite(*, close_rate: float | None, on_time_close_rate: float | None, rework_rate: float | None,
              supervised: int, due_to_close: int, evaluation: EvaluationFile) -> float | None:
    """综合指标 (0–100) over the defined terms, rescaled to 100; None when too little fell due."""
    if due_to_close < evaluation.min_due_to_close:
        return None
    weights = evaluation.weights
    terms = {"on_time_close_rate": (on_time_close_rate, weights.on_time_close_rate),
             "close_rate": (close_rate, weights.close_rate),
             "no_rework_rate": (None if rework_rate is None else 1.0 - rework_rate, weights.no_rework_rate)}
    defined = [(value, weight) for value, weight in terms.values() if value is not None]
    if not defined:
        return None
    earned = sum(weight * value for value, weight in defined) + supervision_points(supervised, evaluation=evaluation)
    possible = sum(weight for _, weight in defined) + evaluation.supervision.points
    return 100.0 * earned / possible if possible else None


def evaluation_points(responsiveness: str, handling: str, *, evaluation: EvaluationFile) -> float:
    """One evaluation's 居委评价分 (0–100): each answer's points weighed by the two shares of [committee]."""
    scheme = evaluation.committee
    points = scheme.grades.model_dump()
    return (points[responsiveness] * scheme.responsiveness + points[handling] * scheme.handling) / 100


def ranking_score(composite_score: float | None, evaluation_score: float | None, *,
                  evaluation: EvaluationFile) -> float | None:
    """排名分: 综合指标 and 居委评价分 mixed by committee.weight; 综合指标 alone without evaluations."""
    if composite_score is None or evaluation_score is None:
        return composite_score
    weight = evaluation.committee.weight
    return composite_score * (100 - weight) / 100 + evaluation_score * weight / 100


def figures(tally: _Tally, *, evaluation: EvaluationFile) -> dict:
    """Counts, rates, composite, the 居委's evaluation and average handling time of one group, JSON-ready."""
    counts = tally.counts
    rates = {name: rate(counts[num], counts[den]) for name, (num, den) in RATES.items()}
    score = composite(close_rate=rates["close_rate"], on_time_close_rate=rates["on_time_close_rate"],
                      rework_rate=rates["rework_rate"], supervised=counts["supervised"],
                      due_to_close=counts["due_to_close"], evaluation=evaluation)
    score = None if score is None else round(score, 2)
    evaluated = tally.evaluation_points / counts["evaluated"] if counts["evaluated"] else None
    evaluated = None if evaluated is None else round(evaluated, 2)
    ranked = ranking_score(score, evaluated, evaluation=evaluation)
    hours = tally.handling_minutes / 60 / tally.handling_tickets if tally.handling_tickets else None
    return {
        **counts,
        **{name: None if value is None else round(value, 4) for name, value in rates.items()},
        "supervision_points": supervision_points(counts["supervised"], evaluation=evaluation),
        "composite": score,
        "evaluation_score": evaluated,
        "ranking_score": None if ranked is None else round(ranked, 2),
        "avg_handling_hours": None if hours is None else round(hours, 2),
    }


# --- SQL ------------------------------------------------------------------------------------------


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _conditions(now: datetime) -> dict:
    """The SQL test of each period figure, for one ticket row."""
    t = Ticket
    is_case = t.status.notin_(_NOT_A_CASE)
    deadline_passed = ticket_clock.passed_clause("resolve", now)
    on_time = ticket_clock.met_on_time_clause("resolve")
    due_to_close = and_(is_case, or_(t.status == Status.closed, deadline_passed))
    closed = and_(due_to_close, t.status == Status.closed)
    due_to_handle = and_(is_case, t.dispatched_at.is_not(None),
                         or_(t.status.in_((Status.resolved, Status.closed)), deadline_passed))
    handled = and_(due_to_handle, t.resolved_at.is_not(None))
    return {
        "reported": t.status != Status.duplicate,
        "duplicates": t.status == Status.duplicate,
        "due_to_close": due_to_close,
        "closed": closed,
        "closed_on_time": and_(closed, on_time),
        "due_to_handle": due_to_handle,
        "handled": handled,
        "handled_on_time": and_(due_to_handle, on_time),
        "rework": and_(due_to_close, t.rework_count > 0),
        "extended": and_(due_to_handle, t.extension_count > 0),
        "supervised": and_(t.status != Status.duplicate, t.supervised.is_(True)),
    }


def _key_columns(dims: tuple[str, ...], *, assists: bool = False) -> list:
    """The GROUP BY columns of `dims`; for 吹哨报到 tasks, "department" is the ASSISTING department's."""
    return [AssistTask.department if assists and dim == "department" else getattr(Ticket, dim) for dim in dims]


def _rows(session: Session, query, keys: list):
    """(key tuple, values) per row of `query` grouped by `keys` (one row keyed () without keys)."""
    for row in session.execute(query.group_by(*keys) if keys else query):
        yield tuple(row[:len(keys)]), row[len(keys):]


def _grouped(session: Session, keys: list, aggregates: list, where: list):
    return _rows(session, select(*keys, *aggregates).where(*where), keys)


def _local_midnight(day: date, calendar: WorkCalendar) -> datetime:
    return datetime.combine(day, time(0), tzinfo=calendar.timezone)


def _scope(department: str | None, zone: str | None) -> list:
    """WHERE conditions restricting every figure to one department and/or one zone."""
    return ([Ticket.department == department] if department else []) + ([Ticket.zone == zone] if zone else [])


def _tally(*, session: Session, config: StreetConfig, now: datetime, start: datetime, end: datetime,
           dims: tuple[str, ...], department: str | None, zone: str | None) -> dict[tuple, _Tally]:
    """The raw counts per combination of the `dims` columns' values (GROUP BY every one of them), keyed by the
    tuple of values in `dims` order; one entry keyed () when `dims` is empty."""
    keys = _key_columns(dims)
    scope = _scope(department, zone)
    tallies: dict[tuple, _Tally] = {}

    def tally(key) -> _Tally:
        return tallies.setdefault(key, _Tally())

    # The period's cohort: one pass, every figure a SUM(CASE …).
    conditions = _conditions(now)
    cohort = [*scope, Ticket.created_at >= start, Ticket.created_at < end]
    names = list(conditions)
    # and in the same pass the handling time in working hours: the 处置时长 each resolution stored
    # (tickets.clock.resolve), summed in SQL
    handled = and_(conditions["handled"], Ticket.handling_minutes.is_not(None))
    handling = [func.coalesce(func.sum(case((handled, Ticket.handling_minutes), else_=0.0)), 0.0), _count(handled)]
    for key, values in _grouped(session, keys, [_count(conditions[n]) for n in names] + handling, cohort):
        entry = tally(key)
        entry.counts.update(zip(names, (int(v) for v in values[:len(names)])))
        entry.handling_minutes += float(values[-2])
        entry.handling_tickets += int(values[-1])

    # The 回访 of the cohort's tickets (跟踪回访): one row per 回访, its visit if recorded.
    visit = FollowupVisit
    followup = {
        "followups_due": or_(Followup.done_at.is_not(None), Followup.due_at <= now),
        "followups_done": Followup.done_at.is_not(None),
        "followups_reached": visit.reached.is_(True),
        "followups_satisfied": and_(visit.reached.is_(True),
                                    visit.rating.in_((Rating.satisfied, Rating.basically_satisfied))),
        "followups_dissatisfied": and_(visit.reached.is_(True), visit.rating == Rating.dissatisfied),
    }
    names = list(followup)
    aggregates = [_count(followup[n]) for n in names]
    query = (select(*keys, *aggregates)
             .select_from(Followup).join(Ticket, Ticket.id == Followup.ticket_id)
             .outerjoin(visit, visit.followup_id == Followup.id).where(*cohort))
    for key, values in _rows(session, query, keys):
        tally(key).counts.update(zip(names, (int(v) for v in values)))

    # Snapshot at `now`: open tickets, and what was reported or closed today.
    today = now.astimezone(config.calendar.timezone).date()
    day_start, day_end = _local_midnight(today, config.calendar), _local_midnight(today + timedelta(days=1),
                                                                                  config.calendar)
    t = Ticket
    is_open = t.status.in_(OPEN_STATUSES)
    snapshot = {
        "open": is_open,
        "overdue": ticket_clock.late_clause(now),
        "pending_dispatch": t.status == Status.pending_dispatch,
        "reported_today": and_(t.status != Status.duplicate, t.created_at >= day_start, t.created_at < day_end),
        "closed_today": and_(t.status == Status.closed, t.closed_at >= day_start, t.closed_at < day_end),
    }
    names = list(snapshot)
    where = [*scope, or_(is_open, t.created_at >= day_start, t.closed_at >= day_start)]
    for key, values in _grouped(session, keys, [_count(snapshot[n]) for n in names], where):
        tally(key).counts.update(zip(names, (int(v) for v in values)))

    _tally_evaluations(session, config, now, keys, cohort, scope, tally)
    _assist_tally(session, tally, now=now, start=start, end=end, dims=dims, department=department, zone=zone)

    return tallies


def _tally_evaluations(session: Session, config: StreetConfig, now: datetime, key: list, cohort: list, scope: list,
                       tally) -> None:
    """The 居委's evaluations of the cohort, its 未评价 tickets, and the 复核 requests open now — all counted in SQL."""
    satisfied = (Grade.satisfied, Grade.basically_satisfied)
    scheme = config.evaluation.committee
    grade_points = scheme.grades.model_dump()

    def points(column):  # an answer's points (满意 100, 基本满意 60, 不满意 0 as shipped)
        return case(*((column == grade, float(value)) for grade, value in grade_points.items()), else_=0.0)

    e = Evaluation
    aggregates = [func.count(), _count(e.responsiveness.in_(satisfied)), _count(e.handling.in_(satisfied)),
                  func.coalesce(func.sum(points(e.responsiveness) * scheme.responsiveness
                                         + points(e.handling) * scheme.handling), 0.0)]
    query = select(*key, *aggregates).join(Ticket, Ticket.id == e.ticket_id).where(*cohort)
    for group, (count, responsiveness, handling, total) in _rows(session, query, key):
        if not count:
            continue
        entry = tally(group)
        entry.counts["evaluated"] += int(count)
        entry.counts["responsiveness_satisfied"] += int(responsiveness)
        entry.counts["handling_satisfied"] += int(handling)
        entry.evaluation_points += float(total) / 100
    # 未评价: closed no later than the last 结案 whose window has ended by `now` (the window's end only grows with
    # the closing instant, so one instant found on the calendar divides the closings; no row is read)
    last_closing = evaluation_service.last_closing_past_window(config=config, now=now)
    if last_closing is not None:
        query = (select(*key, func.count()).select_from(Ticket).outerjoin(Evaluation, Evaluation.ticket_id == Ticket.id)
                 .where(*cohort, Ticket.status == Status.closed, Ticket.committee.is_not(None),
                        Evaluation.id.is_(None), Ticket.closed_at <= last_closing))
        for group, (count,) in _rows(session, query, key):
            if count:
                tally(group).counts["unevaluated"] += int(count)
    query = (select(*key, func.count()).select_from(ReviewRequest).join(Ticket, Ticket.id == ReviewRequest.ticket_id)
             .where(*scope, ReviewRequest.status == "pending"))
    for group, (count,) in _rows(session, query, key):
        tally(group).counts["reviews_open"] += int(count)


def _assist_conditions(now: datetime) -> dict:
    """The SQL test of each 吹哨报到 figure, for one assist task row."""
    due_in = and_(joint_clock.passed_clause("checkin", now), joint_clock.not_waived_clause("checkin"))
    due_done = and_(joint_clock.passed_clause("task", now), joint_clock.not_waived_clause("task"))
    return {
        "assists": literal_column("1") == 1,
        "due_to_check_in": due_in,
        "checked_in": and_(due_in, joint_clock.met_clause("checkin")),
        "checked_in_on_time": and_(due_in, joint_clock.met_on_time_clause("checkin")),
        "due_to_finish": due_done,
        "finished_on_time": and_(due_done, joint_clock.met_on_time_clause("task")),
    }


def _assist_tally(session: Session, tally, *, now: datetime, start: datetime, end: datetime, dims: tuple[str, ...],
                  department: str | None, zone: str | None) -> None:
    """Add the 吹哨报到 figures of the tasks given in [start, end): by the assisting department, or by the
    ticket's zone, category or 居民区."""
    keys = _key_columns(dims, assists=True)
    conditions = _assist_conditions(now)
    names = list(conditions)
    where = [AssistTask.created_at >= start, AssistTask.created_at < end,
             *([AssistTask.department == department] if department else []), *([Ticket.zone == zone] if zone else [])]
    query = (select(*keys, *[_count(conditions[n]) for n in names]).select_from(AssistTask)
             .join(Ticket, Ticket.id == AssistTask.ticket_id).where(*where))
    for key, values in _rows(session, query, keys):
        if not keys and not any(values):
            continue
        tally(key).counts.update(zip(names, (int(v or 0) for v in values)))


# --- the public functions --------------------------------------------------------------------------


def group_names(*, config: StreetConfig, group_by: str) -> dict[str, str]:
    """The configured groups in config order: key -> Chinese name."""
    if group_by == "department":
        return {code: d.name for code, d in config.departments.items()}
    if group_by == "zone":
        return config.zone_names()
    if group_by == "category":
        return {slug: c.name for slug, c in config.categories.items()}
    if group_by == "committee":
        return {code: c.name for code, c in config.committees.by_code.items()}
    raise ValueError(f"group_by must be one of {', '.join(GROUPINGS)} or None, got {group_by!r}")


def summary(*, session: Session, config: StreetConfig, now: datetime, start: datetime, end: datetime,
            group_by: str | None = None, department: str | None = None, zone: str | None = None) -> dict:
    """The evaluation (评价) of tickets reported in [start, end), in total and per group.

    ``department`` restricts every figure to that department's tickets (a department user's view),
    ``zone`` to that zone's (片区).
    """
    return summaries(session=session, config=config, now=now, start=start, end=end, views=[(group_by, zone)],
                     department=department)[0]


def summaries(*, session: Session, config: StreetConfig, now: datetime, start: datetime, end: datetime,
              views: list[tuple[str | None, str | None]], department: str | None = None) -> list[dict]:
    """``summary`` for each ``(group_by, zone)`` of `views` over the same period, in that order — the same dicts,
    counted in ONE pass over the cohort: every SQL query is grouped by all the dimensions the views need (their
    group_bys, and the zone when the views' zones differ), and each view's groups and totals are sums of those
    fine groups' counts; the rates and averages are computed from the summed counts (``figures``), never averaged.
    """
    for name, value in (("now", now), ("start", start), ("end", end)):
        require_aware(value, name)
    if end <= start:
        raise ValueError("the period is empty: end must be after start")
    views = list(views)
    for group_by, _ in views:
        if group_by:
            group_names(config=config, group_by=group_by)  # a ValueError for an unknown grouping
    if not views:
        return []
    zones = {zone for _, zone in views}
    shared_zone = next(iter(zones)) if len(zones) == 1 else None  # one zone for all: restricted in SQL
    dims = tuple(dim for dim in GROUPINGS
                 if any(g == dim for g, _ in views) or (dim == "zone" and len(zones) > 1))
    fine = _tally(session=session, config=config, now=now, start=start, end=end, dims=dims, department=department,
                  zone=shared_zone)
    found = []
    for group_by, zone in views:
        at = dims.index(group_by) if group_by else None
        zone_at = dims.index("zone") if zone and shared_zone is None else None
        tallies: dict[str | None, _Tally] = {}
        for key, entry in fine.items():
            if zone_at is not None and key[zone_at] != zone:
                continue
            tallies.setdefault(None if at is None else key[at], _Tally()).add(entry)
        found.append(_summary(config=config, now=now, start=start, end=end, group_by=group_by,
                              department=department, zone=zone, tallies=tallies))
    return found


def _summary(*, config: StreetConfig, now: datetime, start: datetime, end: datetime, group_by: str | None,
             department: str | None, zone: str | None, tallies: dict[str | None, _Tally]) -> dict:
    names = group_names(config=config, group_by=group_by) if group_by else {}
    totals = _Tally()
    for entry in tallies.values():
        totals.add(entry)
    groups = []
    if group_by:
        restricted = {"department": department, "zone": zone}.get(group_by)
        keys = [restricted] if restricted else list(names)
        keys += sorted((k for k in tallies if k is not None and k not in keys), key=str)
        evaluation = config.evaluation
        groups = [{"key": key, "name": names.get(key, key),
                   **figures(tallies.get(key) or _Tally(), evaluation=evaluation)}
                  for key in keys]
        if group_by == "department":  # ranked by 排名分; stable: config order
            groups.sort(key=lambda g: (g["ranking_score"] is None, -(g["ranking_score"] or 0.0)))
        if None in tallies:
            groups.append({"key": None, "name": UNASSIGNED_NAMES[group_by],
                           **figures(tallies[None], evaluation=evaluation)})
    tz = config.calendar.timezone
    return {
        "from": start.astimezone(tz).isoformat(),
        "to": end.astimezone(tz).isoformat(),
        "group_by": group_by,
        "department": department,
        "zone": zone,
        "totals": figures(totals, evaluation=config.evaluation),
        "groups": groups,
        "generated_at": now.astimezone(tz).isoformat(),
    }


def _bucket(column, bounds: list[datetime], low: int, high: int):
    """SQL for the i in [low, high) with bounds[i] <= column < bounds[i + 1] (column known in range)."""
    if high - low == 1:
        return literal_column(str(int(low)))
    middle = (low + high) // 2
    return case((column < bounds[middle], _bucket(column, bounds, low, middle)),
                else_=_bucket(column, bounds, middle, high))


def trend(*, session: Session, config: StreetConfig, now: datetime, days: int = 30,
          department: str | None = None, zone: str | None = None) -> list[dict]:
    """Reported and closed tickets per local day, the last `days` days up to today, oldest first."""
    require_aware(now, "now")
    if not 1 <= days <= MAX_TREND_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_TREND_DAYS}")
    calendar = config.calendar
    today = now.astimezone(calendar.timezone).date()
    first = today - timedelta(days=days - 1)
    bounds = [_local_midnight(first + timedelta(days=i), calendar) for i in range(days + 1)]
    scope = _scope(department, zone)

    def per_day(column, condition) -> list[int]:
        # Counted in SQL, GROUP BY the day index; the index is a binary search over the local
        # midnights written as nested CASEs: log2(days) comparisons a row, the same SQL everywhere
        # (no dialect-specific time-zone functions).
        days_of = (select(_bucket(column, bounds, 0, days).label("day"))
                   .where(*scope, condition, column >= bounds[0], column < bounds[-1]).subquery())
        counts = [0] * days
        rows = session.execute(select(days_of.c.day, func.count()).group_by(days_of.c.day))
        for index, count in rows:
            counts[int(index)] = int(count)
        return counts

    reported = per_day(Ticket.created_at, Ticket.status != Status.duplicate)
    closed = per_day(Ticket.closed_at, Ticket.status == Status.closed)
    return [{"date": (first + timedelta(days=i)).isoformat(), "reported": reported[i], "closed": closed[i]}
            for i in range(days)]
