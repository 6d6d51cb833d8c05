"""The ticket's clock (时限): its two deadlines, which of them run, which is late, what is next on the ladder.

The one owner of these rules. The list (``?overdue=1``), the statistics, the desk, the cockpit, the
escalation sweep and the actions all ask here; nothing else reads or writes the per-deadline columns
(``<kind>_deadline``, ``_limit``, ``_next_level``, ``_next_at``, ``_remaining``).

A ticket has two deadlines (``KINDS``): ``response`` (签收, sign for it) and ``resolve`` (处置完成).

Running
    A deadline's clock runs while the ticket is in a status of ``RUNS[kind]`` and the deadline is set:
    the response clock while it waits for 签收 (dispatched), the resolve clock until 处置完成
    (dispatched or in_progress). 挂账 (suspended) stops both; a resumed ticket's clocks run again.
Late (超期)
    A running deadline is late at ``now`` when ``now > deadline``. ``late_clause(now)`` is the same
    test in SQL, so the list, the stats and the pages count the same tickets.
Missed
    What a ticket's page shows per deadline: met after the deadline, or not met and past it (for a
    suspended ticket, past it when the clock stopped); an ended ticket (closed, cancelled) can no
    longer miss a deadline it had not met.
Warning (预警)
    A running deadline whose ladder has reached, or is due to reach, the warning level (level 0, at a
    configured share of the window) and that is not late.
The ladder
    Each deadline carries the next escalation level due and when (``_next_level``, ``_next_at``,
    indexed); the sweep asks ``due_clause`` for what is due, reads ``ladder_columns`` of those tickets,
    asks a ``Planner`` for the levels to record and the schedule after them, and ``advance_tickets`` to
    write the schedules back (one statement for a whole batch of tickets, both deadlines and the level reached).

应急 (emergency)
    A ticket handled under an emergency (``emergency_plan``, set by ``join_emergency``) takes its 预案's
    natural-time limits at dispatch and climbs the 预案's faster ladder. Pulled in while open, each running
    deadline becomes the earlier of itself and `now` + the 预案's limit (pulling in never gives more time);
    released, each running deadline is counted again under the category's limits from its own history
    (dispatch, 延期, 挂账/恢复), as if it had never been pulled in. Both are in ``deadline_history``
    (reasons ``emergency`` and ``emergency_release``).

Time is passed in (``now``); nothing here reads the clock.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Boolean, and_, or_
from sqlmodel import Session, col, func, select

from dispatch import bulk
from dispatch.deadlines.calendar import WorkCalendar
from dispatch.deadlines.limits import Limit, deadline_after, remaining, resume_deadline
from dispatch.street.config import StreetConfig
from dispatch.tickets import holders
from dispatch.street.schemas import EscalationLevel
from dispatch.tickets.ladder import due_at, next_level
from dispatch.tickets.models import DeadlineChange, Escalation, Status, Ticket

KINDS = ("response", "resolve")
KIND_LABELS = {"response": "签收", "resolve": "处置"}  # as the pages name the deadlines: 签收时限, 处置时限
RUNS = {"response": (Status.dispatched,), "resolve": (Status.dispatched, Status.in_progress)}
WARNING_LEVEL = 0
# Statuses that never escalate: 挂账 stops the clock; the others ended the ticket's life.
NEVER_ESCALATE = (Status.suspended.value, Status.closed.value, Status.cancelled.value, Status.duplicate.value)
_ENDED = (Status.closed, Status.cancelled, Status.duplicate)  # no clock runs any more
_MET = {"response": "accepted_at", "resolve": "resolved_at"}
EMERGENCY_JOIN, EMERGENCY_RELEASE = "emergency_join", "emergency_release"  # the ticket's timeline actions
ROUND_STARTS = ("dispatch", "reassign")  # the timeline steps that start a dispatch round (new deadlines)


@dataclass(frozen=True)
class _Columns:
    deadline: str
    limit: str
    next_level: str
    next_at: str
    remaining: str


_COLUMNS = {kind: _Columns(f"{kind}_deadline", f"{kind}_limit", f"{kind}_next_level", f"{kind}_next_at",
                           f"{kind}_remaining") for kind in KINDS}


# --- reading one deadline ------------------------------------------------------------------------------


def due(ticket: Ticket, kind: str) -> datetime | None:
    """The deadline's instant (None: not set)."""
    return getattr(ticket, _COLUMNS[kind].deadline)


def limit(ticket: Ticket, kind: str) -> Limit | None:
    """The limit the deadline was computed from ("4 WH", "30 NM"), None when not set."""
    text = getattr(ticket, _COLUMNS[kind].limit)
    return Limit.parse(text) if text else None


def limit_text(ticket: Ticket, kind: str) -> str | None:
    return getattr(ticket, _COLUMNS[kind].limit)


def met_at(ticket: Ticket, kind: str) -> datetime | None:
    """When the deadline was met: 签收 (accepted_at) for response, 处置完成 (resolved_at) for resolve."""
    return getattr(ticket, _MET[kind])


def next_step(ticket: Ticket, kind: str) -> tuple[int | None, datetime | None]:
    """The next escalation level of this deadline and when it is due (None, None: nothing scheduled)."""
    columns = _COLUMNS[kind]
    return getattr(ticket, columns.next_level), getattr(ticket, columns.next_at)


def stopped_remaining(ticket: Ticket, kind: str) -> float | None:
    """The time that was left when 挂账 stopped the clock (the limit's own measure)."""
    return getattr(ticket, _COLUMNS[kind].remaining)


def running_kinds(ticket: Ticket, status: str | None = None) -> list[str]:
    """The deadlines whose clock runs in `status` (default: the ticket's): set, and of a running status."""
    status = ticket.status if status is None else status
    return [kind for kind in KINDS if status in RUNS[kind] and due(ticket, kind) is not None]


def is_late(ticket: Ticket, kind: str, *, now: datetime) -> bool:
    """True when this deadline runs and `now` is past it."""
    return kind in running_kinds(ticket) and now > due(ticket, kind)


def late_kinds(ticket: Ticket, *, now: datetime) -> list[str]:
    """The running deadlines `now` is past."""
    return [kind for kind in running_kinds(ticket) if now > due(ticket, kind)]


def late_clause(now: datetime):
    """SQL: the ticket has a running deadline that `now` is past (the test of ``is_late``)."""
    return or_(*(and_(col(Ticket.status).in_(RUNS[kind]), getattr(Ticket, _COLUMNS[kind].deadline) < now)
                 for kind in KINDS))


def passed_clause(kind: str, now: datetime):
    """SQL: the deadline is set and `now` is past it, whether or not it still runs (the evaluation's "due")."""
    deadline = getattr(Ticket, _COLUMNS[kind].deadline)
    return and_(deadline.is_not(None), deadline < now)


def met_on_time_clause(kind: str):
    """SQL: the deadline was met, by its deadline (after any 延期) or with no deadline to miss (自行处置)."""
    deadline, met = getattr(Ticket, _COLUMNS[kind].deadline), getattr(Ticket, _MET[kind])
    return and_(met.is_not(None), or_(deadline.is_(None), met <= deadline))


def missed(ticket: Ticket, kind: str, *, now: datetime) -> bool:
    """Met after the deadline, or unmet and past it (a suspended ticket: when its clock stopped)."""
    deadline, met = due(ticket, kind), met_at(ticket, kind)
    if deadline is None:
        return False
    if met is not None:
        return met > deadline
    until = ticket.suspended_at if ticket.suspended_at is not None else now
    return until > deadline and ticket.status not in _ENDED


def remaining_minutes(ticket: Ticket, kind: str, *, now: datetime, calendar: WorkCalendar) -> float | None:
    """Time left on a deadline in its own measure (working or natural minutes); negative when overdue."""
    deadline, lim = due(ticket, kind), limit(ticket, kind)
    if deadline is None or lim is None:
        return None
    return remaining(now, deadline, lim, calendar)


def shown_remaining(ticket: Ticket, kind: str, *, now: datetime, calendar: WorkCalendar) -> float | None:
    """The time left a page shows: at 挂账 the time left when the clock stopped; None once met or ended."""
    if ticket.suspended_at is not None:
        return stopped_remaining(ticket, kind)
    if due(ticket, kind) is None or met_at(ticket, kind) is not None or ticket.status in _ENDED:
        return None
    return remaining_minutes(ticket, kind, now=now, calendar=calendar)


def provisional(ticket: Ticket, kind: str, *, calendar: WorkCalendar) -> bool:
    """True when the deadline was counted in working time over a year with no official holiday schedule
    (预计): the year's 调休, once published, may still move it. Natural-time deadlines never are."""
    deadline, lim = due(ticket, kind), limit(ticket, kind)
    if deadline is None or lim is None or lim.unit.is_natural:
        return False
    return calendar.spans_provisional(window_start(ticket), deadline)


def _running_from(kind: str, since: datetime):
    return and_(col(Ticket.status).in_(RUNS[kind]), getattr(Ticket, _COLUMNS[kind].deadline) >= since)


def running_from_clause(since: datetime):
    """SQL: a running deadline at or after `since`."""
    return or_(*(_running_from(kind, since) for kind in KINDS))


def provisional_clause(since: datetime):
    """SQL: a running working-time deadline at or after `since` (the start of the first provisional year)."""
    def working(kind: str):
        text = col(getattr(Ticket, _COLUMNS[kind].limit))
        return or_(text.like("%WD"), text.like("%WH"))

    return or_(*(and_(_running_from(kind, since), working(kind)) for kind in KINDS))


def _warned(ticket: Ticket, kind: str, *, now: datetime) -> bool:
    level, at = next_step(ticket, kind)
    if level == WARNING_LEVEL:
        return at is not None and at <= now
    return level is not None and level > WARNING_LEVEL


def state(ticket: Ticket, *, now: datetime, config: StreetConfig) -> str:
    """"overdue", "warning" or "normal" for a ticket's running deadlines at `now`."""
    if late_kinds(ticket, now=now):
        return "overdue"
    has_warning = any(level.level == WARNING_LEVEL for level in config.escalation.level)
    if has_warning and any(_warned(ticket, kind, now=now) for kind in running_kinds(ticket)):
        return "warning"
    return "normal"


def earliest_running_due(ticket: Ticket) -> datetime | None:
    """The first deadline still running (None: none runs)."""
    return min((due(ticket, kind) for kind in running_kinds(ticket)), default=None)


# --- the escalation ladder --------------------------------------------------------------------------


def window_start(ticket: Ticket) -> datetime:
    """Where the deadline's window opened, for the warning's share: the dispatch (else the report)."""
    return ticket.dispatched_at or ticket.created_at


def _set_next(ticket: Ticket, kind: str, step: tuple[int, datetime] | None) -> None:
    columns = _COLUMNS[kind]
    setattr(ticket, columns.next_level, step[0] if step else None)
    setattr(ticket, columns.next_at, step[1] if step else None)


def schedule_next(ticket: Ticket, kind: str, *, config: StreetConfig, start: datetime,
                  reached: int | None) -> None:
    """Set the next escalation due for that deadline after level `reached` (or clear it)."""
    _set_next(ticket, kind, Planner(config).next(ticket, kind, start=start, reached=reached))


def clear_schedule(ticket: Ticket, kind: str) -> None:
    """Nothing more escalates on this deadline (met, suspended, or the ticket ended)."""
    _set_next(ticket, kind, None)


@dataclass(frozen=True)
class Due:
    """One level of one deadline whose time has come."""

    kind: str
    level: int
    due_at: datetime


def plan(ticket: Ticket, kind: str, *, config: StreetConfig, now: datetime) -> tuple[list[Due], int | None,
                                                                                    datetime | None]:
    """The levels of one deadline due by `now`, in order, and the schedule after them (the ticket is not changed)."""
    return Planner(config, now).levels_due(ticket, kind)


@dataclass(frozen=True)
class Plan:
    """What a sweep does to one deadline of one row — a ticket, or an assist task (dispatch.tickets.joint_clock):
    the levels due, in order, and the schedule after them (`old_*`: the schedule it was planned from, which the
    write-back checks is still there)."""

    row_id: int
    kind: str
    due: list[Due]
    old_level: int
    old_at: datetime
    new_level: int | None
    new_at: datetime | None


@dataclass(frozen=True)
class Window:
    """A deadline the ladder climbs that is not one of a ticket's own two (an assist task's 报到 or task
    deadline, dispatch.tickets.joint_clock): the category whose steps apply, where the window opened (for
    the warning's share), the deadline and the limit it was counted from."""

    category: str
    start: datetime
    deadline: datetime
    limit: str


class Planner:
    """``plan`` for the many tickets of one sweep: the ladder, each (category, kind of limit)'s steps and
    each limit's text are looked up once, not once per level. Works on a ``Ticket`` or on a row of
    ``ladder_columns()`` (with ``id``), and on any other deadline given as a ``Window`` (one ladder for all)."""

    def __init__(self, config: StreetConfig, now: datetime | None = None):
        self._config, self._now = config, now
        self._levels = sorted(config.escalation.level, key=lambda lv: lv.level)
        self._limits: dict[str, Limit] = {}
        self._steps: dict[tuple[str, bool], dict] = {}

    def _ladder(self, ticket, kind: str) -> tuple[datetime, Limit, dict] | None:
        """The deadline, its limit and the category's steps for that kind of limit (None: no deadline)."""
        columns = _COLUMNS[kind]
        return self._ladder_of(ticket.category, getattr(ticket, columns.deadline), getattr(ticket, columns.limit),
                               plan_code=getattr(ticket, "emergency_plan", None))

    def _ladder_of(self, category: str, deadline: datetime | None, text: str | None,
                   plan_code: str | None = None) -> tuple[datetime, Limit, dict] | None:
        if deadline is None or not text:
            return None
        lim = self._limits.get(text)
        if lim is None:
            lim = self._limits[text] = Limit.parse(text)
        plan = self._config.emergencies.get(plan_code) if plan_code else None  # an emergency's faster ladder
        key = (category, lim.unit.is_natural, plan.code if plan else None)
        steps = self._steps.get(key)
        if steps is None:
            steps = self._config.escalation.steps(category=key[0], natural=key[1])
            steps = self._steps[key] = plan.steps(steps) if plan else steps
        return deadline, lim, steps

    def _next(self, found, *, start: datetime, reached: int | None) -> tuple[int, datetime] | None:
        if found is None:
            return None
        deadline, lim, steps = found
        return next_level(self._levels, reached=reached, start=start, deadline=deadline, limit=lim,
                          calendar=self._config.calendar, steps=steps)

    def next(self, ticket, kind: str, *, start: datetime, reached: int | None) -> tuple[int, datetime] | None:
        """The first level above `reached` (None: nothing reached yet) and when it is due."""
        return self._next(self._ladder(ticket, kind), start=start, reached=reached)

    def window_next(self, window: Window, *, reached: int | None) -> tuple[int, datetime] | None:
        """``next`` for a deadline given as a ``Window``."""
        return self._next(self._ladder_of(window.category, window.deadline, window.limit), start=window.start,
                          reached=reached)

    def level_due(self, ticket, kind: str, level: EscalationLevel, *, start: datetime) -> datetime | None:
        """When `level` falls due for this deadline as it stands (None: no deadline)."""
        found = self._ladder(ticket, kind)
        if found is None:
            return None
        deadline, lim, steps = found
        return due_at(level, start=start, deadline=deadline, limit=lim, calendar=self._config.calendar,
                      after=steps.get(level.level))

    def _climb(self, kind: str, level: int | None, at: datetime | None,
               step) -> tuple[list[Due], int | None, datetime | None]:
        """From the scheduled (level, at), every level due by `now` in order and the schedule after them;
        `step(reached)` gives the level after `reached`."""
        found: list[Due] = []
        while level is not None and at is not None and at <= self._now:
            found.append(Due(kind, level, at))
            following = step(level)
            level, at = following if following else (None, None)
        return found, level, at

    def levels_due(self, ticket, kind: str) -> tuple[list[Due], int | None, datetime | None]:
        """The levels of one deadline due by `now`, in order, and the schedule after them."""
        level, at = next_step(ticket, kind)
        start = window_start(ticket)
        return self._climb(kind, level, at, lambda reached: self.next(ticket, kind, start=start, reached=reached))

    def window_levels_due(self, window: Window, kind: str, level: int | None,
                          at: datetime | None) -> tuple[list[Due], int | None, datetime | None]:
        """``levels_due`` for a deadline given as a ``Window`` whose next level is (`level`, `at`)."""
        return self._climb(kind, level, at, lambda reached: self.window_next(window, reached=reached))

    def plan(self, ticket, kind: str) -> Plan | None:
        """What the sweep does to this deadline (None: nothing due)."""
        old_level, old_at = next_step(ticket, kind)
        found, level, at = self.levels_due(ticket, kind)
        if not found:
            return None
        return Plan(ticket.id, kind, found, old_level, old_at, level, at)


def ladder_columns() -> tuple:
    """The columns ``Planner`` reads, for a sweep that loads rows rather than tickets: the category,
    where the window opened, and each deadline's instant, limit and schedule."""
    found = [Ticket.category, Ticket.emergency_plan, Ticket.dispatched_at, Ticket.created_at]
    for kind in KINDS:
        columns = _COLUMNS[kind]
        found += [getattr(Ticket, name) for name in (columns.deadline, columns.limit, columns.next_level,
                                                     columns.next_at)]
    return tuple(found)


def advance_tickets(session: Session, plans: list[Plan], *, raised: dict[int, tuple[int, bool]],
                    now: datetime) -> int:
    """Write the schedules after `plans` (both deadlines of many tickets) and the levels the sweep just
    recorded, in one UPDATE per ticket — one statement for the whole batch (``bulk.update_many``), so each
    ticket gets one new row version, not one per deadline and another for its level.

    Each planned deadline is written only where its schedule is still the one planned from, and only on a
    ticket that still escalates; `raised` (ticket id → (highest level just recorded, 督办)) raises the
    ticket's ``escalation_level`` to that level (never lowers it), sets ``supervised`` when the level
    supervises (never clears it) and moves ``updated_at`` to `now`. Returns how many tickets were written:
    one per ticket of `plans` when nothing changed under the sweep."""
    by_ticket: dict[int, dict[str, Plan]] = {}
    for plan in plans:
        by_ticket.setdefault(plan.row_id, {})[plan.kind] = plan
    if not by_ticket:
        return 0
    table = Ticket.__table__
    at_type, level_type = table.c.response_next_at.type, table.c.response_next_level.type
    params: list[tuple[str, object]] = [("p_id", table.c.id.type)]
    sets, checks = [], ["id = {p_id}"]
    for kind in KINDS:
        level_col, at_col = _COLUMNS[kind].next_level, _COLUMNS[kind].next_at
        params += [(f"p_{kind}", Boolean()), (f"p_{kind}_old_level", level_type), (f"p_{kind}_old_at", at_type),
                   (f"p_{kind}_new_level", level_type), (f"p_{kind}_new_at", at_type)]
        sets += [f"{level_col} = CASE WHEN {{p_{kind}}} THEN {{p_{kind}_new_level}} ELSE {level_col} END",
                 f"{at_col} = CASE WHEN {{p_{kind}}} THEN {{p_{kind}_new_at}} ELSE {at_col} END"]
        checks.append(f"(NOT {{p_{kind}}} OR ({level_col} = {{p_{kind}_old_level}} AND {at_col} = {{p_{kind}_old_at}}))")
    params += [("p_level", table.c.escalation_level.type), ("p_supervise", Boolean()), ("p_now", at_type)]
    sets += ["escalation_level = CASE WHEN {p_level} IS NOT NULL AND escalation_level < {p_level} "
             "THEN {p_level} ELSE escalation_level END",
             "supervised = CASE WHEN {p_supervise} THEN {p_supervise} ELSE supervised END",
             "updated_at = COALESCE({p_now}, updated_at)"]
    checks += [f"status <> '{status}'" for status in NEVER_ESCALATE]
    rows = []
    for ticket_id, kinds in by_ticket.items():
        row = [ticket_id]
        for kind in KINDS:
            plan = kinds.get(kind)
            row += ([True, plan.old_level, plan.old_at, plan.new_level, plan.new_at] if plan is not None
                    else [False, None, None, None, None])
        level, supervise = raised.get(ticket_id, (None, False))
        row += [level, supervise, now if ticket_id in raised else None]
        rows.append(row)
    return bulk.update_many(session, table, params, rows, set_sql=", ".join(sets), where_sql=" AND ".join(checks))


def due_clause(kind: str, now: datetime):
    """SQL: this deadline has a level due by `now` on a ticket that still escalates."""
    return and_(col(getattr(Ticket, _COLUMNS[kind].next_at)) <= now, col(Ticket.status).not_in(NEVER_ESCALATE))


def schedule_columns(kind: str):
    """The (next level, next at) columns of a deadline, for the sweep's conditional UPDATE."""
    columns = _COLUMNS[kind]
    return getattr(Ticket, columns.next_level), getattr(Ticket, columns.next_at)


def reached(session: Session, ticket: Ticket, kind: str) -> int | None:
    """The highest escalation level this deadline reached in the current dispatch round."""
    return session.exec(select(func.max(Escalation.level)).where(
        Escalation.ticket_id == ticket.id, Escalation.deadline == kind,
        Escalation.round == ticket.dispatch_round)).one()


def reschedule(session: Session, config: StreetConfig, ticket: Ticket, kind: str,
               start: datetime | None = None) -> None:
    """Schedule the next level of this deadline above what it already reached this round."""
    schedule_next(ticket, kind, config=config, start=start or ticket.dispatched_at,
                  reached=reached(session, ticket, kind))


# --- changing the deadlines ------------------------------------------------------------------------


def move_deadline(session: Session, ticket: Ticket, kind: str, new_at: datetime | None, *, reason: str,
                  now: datetime, actor_id: int | None) -> None:
    """Change one deadline and record the change in its history."""
    old = due(ticket, kind)
    setattr(ticket, _COLUMNS[kind].deadline, new_at)
    session.add(DeadlineChange(ticket_id=ticket.id, deadline=kind, old_at=old, new_at=new_at, reason=reason,
                               at=now, actor_id=actor_id))


def start_clocks(session: Session, ticket: Ticket, *, config: StreetConfig, now: datetime,
                 actor_id: int | None) -> None:
    """On dispatch: a new round, recorded for the ticket's (new) department, and both deadlines from the
    category's limits (under an emergency: its 预案's), counted from `now`."""
    moved = clocks_started(ticket, config=config, now=now)
    holders.record(session=session, ticket=ticket, now=now)
    for kind, old_at, new_at in moved:
        session.add(DeadlineChange(ticket_id=ticket.id, deadline=kind, old_at=old_at, new_at=new_at,
                                   reason="dispatch", at=now, actor_id=actor_id))


def clocks_started(ticket: Ticket, *, config: StreetConfig, now: datetime) -> list[tuple[str, datetime | None,
                                                                                           datetime]]:
    """`start_clocks` on the ticket's columns only (intake writes the rows itself, in one statement per table):
    a new round, both deadlines and their next escalation; each deadline's (kind, old, new) for its history."""
    limits = _limits(ticket, config)
    ticket.dispatched_at = now
    ticket.dispatch_round += 1
    ticket.escalation_level = -1  # a new department, a new ladder (督办 flags stay)
    moved = []
    for kind, lim in limits.items():
        setattr(ticket, _COLUMNS[kind].limit, str(lim))
        old_at, new_at = due(ticket, kind), deadline_after(now, lim, config.calendar)
        setattr(ticket, _COLUMNS[kind].deadline, new_at)
        moved.append((kind, old_at, new_at))
        schedule_next(ticket, kind, config=config, start=now, reached=None)
    return moved


def _limits(ticket: Ticket, config: StreetConfig, *, normal: bool = False) -> dict[str, Limit]:
    """The limit of each deadline: the 预案's while the ticket is under an emergency (unless `normal`), else
    its category's."""
    plan = config.emergencies.get(ticket.emergency_plan) if ticket.emergency_plan and not normal else None
    source = plan or config.categories[ticket.category]
    return {"response": source.response_limit, "resolve": source.resolve_limit}


def join_emergency(session: Session, config: StreetConfig, ticket: Ticket, *, emergency_id: int, plan: str,
                   now: datetime, actor_id: int | None) -> dict:
    """应急: the ticket is handled under an emergency of 预案 `plan`. Each running deadline becomes the earlier
    of itself and `now` + the 预案's limit, and climbs the 预案's ladder; a ticket not yet dispatched gets the
    预案's limits at its dispatch. Returns what the ticket's timeline keeps of it (``replay`` reads it back):
    the deadlines that moved (``<kind>_deadline``) and the limits the running ones had (``limits_before``)."""
    ticket.emergency_id, ticket.emergency_plan = emergency_id, plan
    moved, before = {}, {}
    for kind, lim in _limits(ticket, config).items():
        if kind not in running_kinds(ticket):
            continue
        before[kind] = limit_text(ticket, kind)
        setattr(ticket, _COLUMNS[kind].limit, str(lim))
        sooner = deadline_after(now, lim, config.calendar)
        if sooner < due(ticket, kind):
            move_deadline(session, ticket, kind, sooner, reason="emergency", now=now, actor_id=actor_id)
            moved[f"{kind}_deadline"] = sooner.isoformat()
        reschedule(session, config, ticket, kind, start=now if f"{kind}_deadline" in moved else None)
    return {**moved, "limits_before": before}


def leave_emergency(session: Session, config: StreetConfig, ticket: Ticket, entries: list, *, now: datetime,
                    actor_id: int | None) -> dict[str, datetime]:
    """Released from an emergency: each running deadline is counted again under the category's limits from
    its own history (`entries`: the ticket's timeline, oldest first), as if it had never been pulled in, and
    climbs the normal ladder again. Returns the deadlines that moved."""
    ticket.emergency_id = ticket.emergency_plan = None
    moved = {}
    for kind, lim in _limits(ticket, config, normal=True).items():
        if kind not in running_kinds(ticket):
            continue
        setattr(ticket, _COLUMNS[kind].limit, str(lim))
        counted = replay(ticket, kind, entries, calendar=config.calendar)
        new_at = counted.due if counted else deadline_after(window_start(ticket), lim, config.calendar)
        if new_at != due(ticket, kind):
            move_deadline(session, ticket, kind, new_at, reason="emergency_release", now=now, actor_id=actor_id)
            moved[kind] = new_at
        reschedule(session, config, ticket, kind, start=counted.window_start if counted else None)
    return moved


def handling_minutes(ticket: Ticket, *, calendar: WorkCalendar) -> float | None:
    """处置时长: working minutes from 派遣 (dispatched_at) to 处置完成 (resolved_at); None unless both are set."""
    if ticket.dispatched_at is None or ticket.resolved_at is None:
        return None
    return calendar.working_minutes_between(ticket.dispatched_at, ticket.resolved_at)


def resolve(ticket: Ticket, *, now: datetime, calendar: WorkCalendar) -> None:
    """处置完成 at `now`: resolved_at and the stored 处置时长 (the figure the statistics average), together."""
    ticket.resolved_at = now
    ticket.handling_minutes = handling_minutes(ticket, calendar=calendar)


def unresolve(ticket: Ticket) -> None:
    """返工: the resolution is undone, and so is its 处置时长 (the next 处置完成 writes it again)."""
    ticket.resolved_at = None
    ticket.handling_minutes = None


def stop_clocks(ticket: Ticket) -> None:
    """Nothing escalates any more on either deadline."""
    for kind in KINDS:
        clear_schedule(ticket, kind)


def end_deadlines(session: Session, ticket: Ticket, *, reason: str, now: datetime, actor_id: int | None) -> None:
    """The department is relieved of the ticket: both deadlines end (recorded in their history)."""
    for kind in KINDS:
        move_deadline(session, ticket, kind, None, reason=reason, now=now, actor_id=actor_id)


def pause(ticket: Ticket, *, now: datetime, calendar: WorkCalendar) -> None:
    """挂账: keep the time left on each running deadline and stop its ladder (status not yet changed)."""
    for kind in running_kinds(ticket):
        setattr(ticket, _COLUMNS[kind].remaining, remaining_minutes(ticket, kind, now=now, calendar=calendar))
        clear_schedule(ticket, kind)


def resume(session: Session, config: StreetConfig, ticket: Ticket, *, now: datetime,
           actor_id: int | None) -> dict[str, datetime]:
    """恢复: each deadline that ran before 挂账 gets the time it had left, counted from `now`; its ladder is
    scheduled again with the warning window ending at the new deadline. Returns the new deadlines."""
    moved = {}
    for kind in running_kinds(ticket, ticket.suspended_from or Status.pending_dispatch):
        left = stopped_remaining(ticket, kind)
        if left is None:
            continue
        new_at, start = _resumed(now, left, limit(ticket, kind), config.calendar)
        move_deadline(session, ticket, kind, new_at, reason="resume", now=now, actor_id=actor_id)
        setattr(ticket, _COLUMNS[kind].remaining, None)
        reschedule(session, config, ticket, kind, start=start)
        moved[kind] = new_at
    return moved


def _resumed(at: datetime, left: float, lim: Limit, calendar: WorkCalendar) -> tuple[datetime, datetime]:
    """A clock restarted at `at` with `left` of `lim`: the new deadline, and where its warning window opens —
    the limit ending at the new deadline (the 挂账 time is not "gone")."""
    deadline = resume_deadline(at, left, lim, calendar)
    return deadline, resume_deadline(deadline, -lim.minutes(calendar), lim, calendar)


@dataclass(frozen=True)
class Replayed:
    """A running deadline as its history gives it under a calendar: the deadline and its warning window's start."""

    due: datetime
    window_start: datetime


def replay(ticket: Ticket, kind: str, entries: list, *, calendar: WorkCalendar) -> Replayed | None:
    """Count a running deadline again from its own history (the ticket's timeline, oldest first) under
    `calendar`, as the actions did: from the latest dispatch (or 改派), each approved 延期 added to the resolve
    deadline, each 挂账 keeping the time left and each 恢复 counting it from the resume, and — while the
    ticket is under an emergency — its pulling in (the earlier of the deadline and the 预案's limit from
    then). None when the history has no dispatch of the current round (nothing to count from)."""
    lim = limit(ticket, kind)
    if lim is None:
        return None
    starts = [i for i, e in enumerate(entries) if e.action in ROUND_STARTS]
    if not starts:
        return None
    first = entries[starts[-1]]
    releases = [i for i, e in enumerate(entries) if e.action == EMERGENCY_RELEASE]
    joins_from = max(starts[-1], releases[-1] if releases else -1)
    joins = [i for i, e in enumerate(entries) if e.action == EMERGENCY_JOIN and i > joins_from] \
        if ticket.emergency_plan else []
    # pulled in after its dispatch: until the pull its deadline ran under the limit it had then
    was = (entries[joins[0]].data or {}).get("limits_before", {}).get(kind) if joins else None
    counting = Limit.parse(was) if was else lim
    deadline, start, left = deadline_after(first.at, counting, calendar), first.at, None
    for i, entry in enumerate(entries[starts[-1] + 1:], start=starts[-1] + 1):
        if i in joins and left is None:
            sooner = deadline_after(entry.at, lim, calendar)
            deadline, start = (sooner, entry.at) if sooner < deadline else (deadline, start)
            counting = lim
        elif entry.action == "approve_extension" and kind == "resolve" and (entry.data or {}).get("amount"):
            deadline = deadline_after(deadline, Limit.parse(entry.data["amount"]), calendar)
        elif entry.action == "suspend" and kind in running_kinds(ticket, entry.from_status):
            left = remaining(entry.at, deadline, counting, calendar)
        elif entry.action == "resume" and left is not None:
            (deadline, start), left = _resumed(entry.at, left, counting, calendar), None
    return Replayed(deadline, start)


def extend(session: Session, config: StreetConfig, ticket: Ticket, amount: Limit, *, now: datetime,
           actor_id: int | None) -> datetime:
    """延期 approved: the resolve deadline moves by `amount` and its ladder is scheduled again."""
    new_at = deadline_after(due(ticket, "resolve"), amount, config.calendar)
    move_deadline(session, ticket, "resolve", new_at, reason="extension", now=now, actor_id=actor_id)
    reschedule(session, config, ticket, "resolve")
    return new_at
