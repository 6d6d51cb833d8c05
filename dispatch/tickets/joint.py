"""吹哨报到 (joint handling): the effects of the joint actions and what a joint case is made of.

The command center blows the whistle (吹哨) on an open ticket: it names the lead department (the ticket's
department, dispatched to it when the ticket waited for dispatch) and one or more assisting departments
(协办), each with its task. Each assisting department must 报到 (check in) and then finish its part (协办完成,
a note, optionally a photo it added to the ticket); the command center may close a task with a reason.
While a task is open (待报到 or 已报到) the lead cannot resolve the ticket (``require_none_open``).

The actions are rows of the transition table (``tickets.transitions``: whistle, check_in, finish_task,
close_task) and go through ``tickets.flows.perform`` like every action, so each is on the timeline. The
deadlines of a task are its clock's (``tickets.joint_clock``).
"""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from dispatch.deadlines.limits import Limit
from dispatch.errors import ApiError
from dispatch.street.config import StreetConfig
from dispatch.text import is_blank
from dispatch.tickets import joint_clock
from dispatch.tickets.joint_clock import CHECKED_IN, CLOSED, DONE, OPEN, PENDING
from dispatch.tickets.models import AssistTask, Photo, Ticket
from dispatch.users.models import User

STATE_LABELS = {PENDING: "待报到", CHECKED_IN: "已报到", DONE: "已完成", CLOSED: "已关闭"}
INVITATION_SOURCE = "committee"  # a report by a 居委 is an 约请: confirmed by a whistle (or a plain dispatch)


def tasks_of(*, session: Session, ticket_id: int) -> list[AssistTask]:
    """Every assist task of the ticket, in the order they were given."""
    return list(session.exec(select(AssistTask).where(AssistTask.ticket_id == ticket_id)
                             .order_by(col(AssistTask.id))))


def open_tasks(*, session: Session, ticket_id: int) -> list[AssistTask]:
    """The ticket's open tasks (待报到, 已报到)."""
    return [t for t in tasks_of(session=session, ticket_id=ticket_id) if t.state in OPEN]


def listed(*, session: Session, department: str | None, open_only: bool) -> list[tuple[Ticket, AssistTask]]:
    """Assist tasks with their tickets (of `department`, None: all; `open_only`: 待报到 and 已报到), the next
    deadline first for open ones, newest first otherwise."""
    query = select(Ticket, AssistTask).join(AssistTask, AssistTask.ticket_id == Ticket.id)
    if department:
        query = query.where(AssistTask.department == department)
    if open_only:
        query = query.where(col(AssistTask.state).in_(OPEN))
    rows = list(session.exec(query.order_by(col(AssistTask.id).desc())).all())
    if open_only:
        rows.sort(key=lambda pair: (joint_clock.due(pair[1], "checkin" if joint_clock.runs(pair[1], "checkin")
                                                    else "task"), pair[1].id))
    return rows


def open_departments(*, session: Session, ticket_id: int) -> frozenset[str]:
    """The departments with an open task on the ticket: who may 报到 and 完成 on it."""
    return frozenset(t.department for t in open_tasks(session=session, ticket_id=ticket_id))


def assisted_ticket_ids(departments: list[str]):
    """A subquery of the ids of the tickets any of `departments` was given a task on (to read them)."""
    return select(AssistTask.ticket_id).where(col(AssistTask.department).in_(departments))


def assists(*, session: Session, ticket_id: int, department: str) -> bool:
    """True when `department` was given a task on this ticket (it may read the ticket)."""
    return session.exec(assisted_ticket_ids([department]).where(AssistTask.ticket_id == ticket_id)).first() is not None


def require_none_open(*, session: Session, config: StreetConfig, ticket: Ticket, action: str) -> None:
    """409 naming the open tasks: the lead cannot resolve while an assisting department's task is open."""
    found = open_tasks(session=session, ticket_id=ticket.id)
    if found:
        names = "、".join(f"{_name(config, t.department)}（{STATE_LABELS[t.state]}）" for t in found)
        raise ApiError(409, "assist_tasks_open",
                       f"cannot {action}: assisting tasks are still open — {names}; each must be done (协办完成) "
                       "or closed by the command center first", status=ticket.status,
                       open_tasks=[{"id": t.id, "department": t.department, "state": t.state} for t in found])


def _name(config: StreetConfig, code: str) -> str:
    department = config.departments.get(code)
    return department.name if department else code


def _text(value: str | None) -> str | None:
    return None if value is None or is_blank(value) else value.strip()


def _limit(text: str | None, default: Limit, where: str) -> Limit:
    if text is None:
        return default
    try:
        found = Limit.parse(text)
    except ValueError as exc:
        raise ApiError(422, "validation_error", f"{where}: {exc}") from None
    return found


def check_whistle(*, session: Session, config: StreetConfig, ticket: Ticket, lead: str | None, assists_wanted) -> str:
    """422 unless the whistle names a lead department with a desk and at least one other department with a
    desk, each once, with a task, none already assisting with an open task; the lead's code."""
    if not lead:
        raise ApiError(422, "validation_error", "吹哨 needs the lead `department` (the ticket has none yet)")
    if lead not in config.departments:
        raise ApiError(422, "unknown_department", f"unknown department {lead!r}")
    if not config.has_desk(lead):
        raise ApiError(422, "no_desk", f"department {lead!r} has no desk: name a department or station to lead")
    if not assists_wanted:
        raise ApiError(422, "validation_error", "吹哨 needs `assists`: one or more assisting departments with a task")
    taken = open_departments(session=session, ticket_id=ticket.id)
    seen = set()
    for i, item in enumerate(assists_wanted):
        code = item.department
        if code not in config.departments:
            raise ApiError(422, "unknown_department", f"assists[{i}]: unknown department {code!r}")
        if not config.has_desk(code):
            raise ApiError(422, "no_desk", f"assists[{i}]: department {code!r} has no desk")
        if code == lead:
            raise ApiError(422, "validation_error", f"assists[{i}]: {code!r} leads this ticket; it cannot also assist")
        if code in seen:
            raise ApiError(422, "validation_error", f"assists[{i}]: {code!r} is named twice")
        if code in taken:
            raise ApiError(422, "already_assisting", f"assists[{i}]: {code!r} already has an open task on this ticket")
        if _text(item.task) is None:
            raise ApiError(422, "validation_error", f"assists[{i}]: `task` is required (one line)")
        seen.add(code)
    return lead


def add_tasks(*, session: Session, config: StreetConfig, ticket: Ticket, actor: User, assists_wanted,
              now: datetime) -> list[AssistTask]:
    """Give each assisting department its task, both deadlines counted from `now` (checked by ``check_whistle``)."""
    natural = _natural(config, ticket)  # urgent categories: natural time, as their tickets
    checkin_default, task_default = config.joint.limits(natural=natural)
    made = []
    for i, item in enumerate(assists_wanted):
        work = _limit(item.limit, task_default, f"assists[{i}].limit")
        task = AssistTask(ticket_id=ticket.id, department=item.department, task=_text(item.task)[:200],
                          state=PENDING, created_at=now, created_by=actor.id, checkin_limit="", checkin_due=now,
                          task_limit="", task_due=now)
        joint_clock.start(task, category=ticket.category, checkin=checkin_default, work=work, config=config, now=now)
        session.add(task)
        made.append(task)
    session.flush()
    return made


def _natural(config: StreetConfig, ticket: Ticket) -> bool:
    """True for a category whose ticket limits are natural time (NH/NM: urgent)."""
    category = config.categories[ticket.category]
    return any(Limit.parse(text).unit.is_natural for text in (category.response, category.resolve))


def task_data(task: AssistTask, config: StreetConfig) -> dict:
    """A task as the timeline's data records it."""
    return {"task_id": task.id, "department": task.department, "department_name": _name(config, task.department),
            "task": task.task, "checkin_due": joint_clock.due(task, "checkin").isoformat(),
            "task_due": joint_clock.due(task, "task").isoformat()}


def whistle_note(config: StreetConfig, ticket: Ticket, *, lead: str, made: list[AssistTask]) -> str:
    """吹哨：城管执法中队牵头，派出所、房办协办 (and 确认约请 for a 居委's invitation)."""
    helpers = "、".join(_name(config, t.department) for t in made)
    note = f"吹哨：{_name(config, lead)}牵头，{helpers}协办"
    return ("确认约请，" + note) if ticket.source == INVITATION_SOURCE else note


def own_task(*, session: Session, ticket: Ticket, actor: User) -> AssistTask:
    """The actor's department's open task on the ticket (the table's check found one)."""
    found = next((t for t in open_tasks(session=session, ticket_id=ticket.id) if t.department == actor.department),
                 None)
    if found is None:  # checked before: a race with a close
        raise ApiError(409, "no_open_task", "your department has no open task on this ticket", status=ticket.status)
    return found


def check_in(session, config, ticket, actor, request, now):
    """报到: the assisting department takes up its task."""
    task = own_task(session=session, ticket=ticket, actor=actor)
    if task.state != PENDING:
        raise ApiError(409, "already_checked_in", "your department has already checked in (已报到)",
                       status=ticket.status)
    late = now > joint_clock.due(task, "checkin")
    task.state, task.checked_in_at, task.checked_in_by = CHECKED_IN, now, actor.id
    joint_clock.clear(task, "checkin")
    session.add(task)
    note = request.note or f"{_name(config, task.department)}报到" + ("（迟到）" if late else "")
    return note, {**task_data(task, config), "late": late}


def finish_task(session, config, ticket, actor, request, now):
    """协办完成: the assisting department's part is done (a note; optionally a photo it added to the ticket)."""
    task = own_task(session=session, ticket=ticket, actor=actor)
    if task.state != CHECKED_IN:
        raise ApiError(409, "not_checked_in", "check in (报到) before marking the task done", status=ticket.status)
    note = _text(request.note)
    if note is None:
        raise ApiError(422, "validation_error", "协办完成 needs a `note` saying what was done")
    if request.photo_id is not None:
        photo = session.get(Photo, request.photo_id)
        uploader = session.get(User, photo.uploaded_by) if photo is not None else None
        if photo is None or photo.ticket_id != ticket.id or uploader is None \
                or uploader.department != task.department:
            raise ApiError(422, "validation_error",
                           "photo_id: not a photo your department added to this ticket")
        task.photo_id = photo.id
    late = now > joint_clock.due(task, "task")
    task.state, task.done_at, task.done_by, task.done_note = DONE, now, actor.id, note
    joint_clock.clear(task, "checkin")
    joint_clock.clear(task, "task")
    session.add(task)
    return note, {**task_data(task, config), "late": late, "photo_id": task.photo_id}


def _close(session, config, task: AssistTask, *, actor: User | None, reason: str, now: datetime) -> dict:
    task.state, task.closed_at, task.closed_by, task.close_reason = CLOSED, now, actor.id if actor else None, reason
    joint_clock.clear(task, "checkin")
    joint_clock.clear(task, "task")
    session.add(task)
    return task_data(task, config)


def close_task(session, config, ticket, actor, request, now):
    """关闭协办: the command center closes an open task with a reason; it no longer blocks the lead."""
    reason = _text(request.reason) or _text(request.note)
    if reason is None:
        raise ApiError(422, "validation_error", "关闭协办 needs a `reason`")
    if request.task_id is None:
        raise ApiError(422, "validation_error", "关闭协办 needs `task_id`")
    task = session.get(AssistTask, request.task_id)
    if task is None or task.ticket_id != ticket.id:
        raise ApiError(404, "not_found", f"no assist task {request.task_id} on this ticket")
    if task.state not in OPEN:
        raise ApiError(409, "task_ended", f"the task is {STATE_LABELS[task.state]}", status=ticket.status)
    data = _close(session, config, task, actor=actor, reason=reason, now=now)
    return f"关闭{_name(config, task.department)}的协办：{reason}", data


def close_open(*, session: Session, config: StreetConfig, ticket: Ticket, actor: User, reason: str,
               now: datetime) -> list[dict]:
    """Close every open task of the ticket (作废: the case is void); the tasks closed."""
    return [_close(session, config, task, actor=actor, reason=reason, now=now)
            for task in open_tasks(session=session, ticket_id=ticket.id)]
