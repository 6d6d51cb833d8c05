"""Ticket actions: check the transition table, the actor, the version; apply; record the timeline."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from blinker import Signal
from sqlmodel import Session, col, func, select

from dispatch.deadlines.limits import Limit
from dispatch.errors import ApiError
from dispatch.street.config import StreetConfig
from dispatch.text import is_blank
from dispatch.tickets import clock, joint
from dispatch.tickets import service as ticket_service
from dispatch.tickets import transitions
from dispatch.tickets.models import ExtensionRequest, Photo, ReopenRequest, Status, Ticket, TimelineEntry
from dispatch.tickets import visibility
from dispatch.tickets.schemas import ActionRequest, BulkActionRequest
from dispatch.tickets.transitions import TRANSITIONS
from dispatch.users.models import Role, User

log = logging.getLogger(__name__)

# Sent by `perform` after an action is applied and recorded, before its commit, with the ticket as sender and
# session, config, action, actor and now: another domain adds its rows to the same transaction (a closing
# opens its 回访: dispatch.followup), so they are committed with the action or not at all.
moved = Signal("a ticket action was applied (before its commit)")

URGE_INTERVAL = timedelta(hours=1)  # 催办: at most once an hour per ticket (409 urge_too_soon otherwise)

# Listeners told of each action inside its transaction, before the commit: listener(session, config, ticket,
# action, data, now). Another domain registers one (``on_action``) to act on a step without this package
# importing it: the escalation outbox queues the 催办 and 改派 notifications this way (escalation.notify).
Listener = Callable[..., None]
_LISTENERS: list[Listener] = []


def on_action(listener: Listener) -> Listener:
    """Register `listener` (once) to be told of every action, in its transaction."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)
    return listener


def _require(value, message: str):
    if value is None or (isinstance(value, str) and is_blank(value)):  # invisible characters alone are blank
        raise ApiError(422, "validation_error", message)
    return value


def check_actor(ticket: Ticket, actor: User, action: str, *, assisting: frozenset[str] = frozenset()) -> None:
    """403 unless the actor's role (and department or zone) may take `action` on this ticket; `assisting`: the
    departments with an open assist task on it (协办)."""
    move = TRANSITIONS[action]
    if actor.role not in move.roles:
        raise ApiError(403, "forbidden", f"role {actor.role!r} may not {action} ({move.label})")
    if move.own_department and ticket.department != actor.department:
        raise ApiError(403, "forbidden", f"only the ticket's department may {action} ({move.label})")
    if move.assisting and actor.department not in assisting:
        raise ApiError(403, "forbidden", f"only a department with an open assisting task on this ticket may "
                                         f"{action} ({move.label})")
    if actor.role == Role.inspector and ticket.reporter_id != actor.id and ticket.zone != actor.zone:
        raise ApiError(403, "forbidden", "inspectors act on their own reports and their zone's tickets")


def perform(*, session: Session, config: StreetConfig, ticket: Ticket, actor: User, request: ActionRequest,
            now: datetime, via: str | None = None) -> Ticket:
    """Apply one action to a ticket, or raise 403/409/422 leaving it untouched.

    A move taken only through a decision (``Move.via``, e.g. 复核返工 on a 复核 request) needs that `via`.
    """
    action = request.action
    move = TRANSITIONS[action]
    assisting = joint.open_departments(session=session, ticket_id=ticket.id) if move.assisting else frozenset()
    check_actor(ticket, actor, action, assisting=assisting)
    if move.via != via:
        raise ApiError(409, "illegal_transition", f"{action} ({move.label}) is decided on a {move.via} request",
                       status=ticket.status)
    if ticket.status not in move.sources:
        raise ApiError(409, "illegal_transition",
                       f"cannot {action} ({move.label}) a ticket that is {ticket.status}", status=ticket.status)
    if request.version is not None and request.version != ticket.version:
        raise ApiError(409, "version_conflict", f"ticket changed (version {ticket.version}); reload and retry",
                       status=ticket.status, version=ticket.version)
    expected = ticket.version
    before = ticket.status
    note, extra, *outcome = _APPLY[action](session, config, ticket, actor, request, now)
    if not ticket_service.claim(session=session, ticket=ticket, expected_version=expected):
        session.rollback()
        current = ticket_service.get(session=session, ticket_id=ticket.id)
        raise ApiError(409, "version_conflict", "another action on this ticket won; reload and retry",
                       status=current.status if current else None)
    transitions.apply(ticket, action, *outcome)
    ticket.updated_at = now
    ticket_service.record(session=session, ticket=ticket, action=action, now=now, actor=actor, from_status=before,
                          to_status=ticket.status, note=note, data=extra)
    told = {**extra, "note": note, "by": actor.display_name or actor.username}
    for listener in _LISTENERS:
        listener(session, config, ticket, action, told, now)
    session.add(ticket)
    moved.send(ticket, session=session, config=config, action=action, actor=actor, now=now)
    session.commit()
    log.info("ticket %s: %s by %s (%s → %s)", ticket.number, action, actor.username, before, ticket.status)
    return ticket


def perform_many(*, session: Session, config: StreetConfig, actor: User, request: BulkActionRequest,
                 now: datetime) -> dict:
    """One action on each of the selected tickets, each on its own (its own checks and transaction): what
    succeeded and, for the others, why not — the error a single action would have answered."""
    move = TRANSITIONS[request.action]
    if actor.role not in move.roles:
        raise ApiError(403, "forbidden", f"role {actor.role!r} may not {request.action} ({move.label})")
    results = []
    for ticket_id in request.ticket_ids:
        ticket = visibility.readable(session=session, ticket_id=ticket_id, user=actor)
        if ticket is None:
            results.append({"ticket_id": ticket_id, "number": None, "ok": False, "status": None,
                            "error": {"code": "not_found", "message": f"no ticket {ticket_id}"}})
            continue
        single = ActionRequest(action=request.action, department=request.department, note=request.note)
        try:
            perform(session=session, config=config, ticket=ticket, actor=actor, request=single, now=now)
        except ApiError as exc:
            session.rollback()
            current = ticket_service.get(session=session, ticket_id=ticket_id)
            results.append({"ticket_id": ticket_id, "number": current.number, "ok": False, "status": current.status,
                            "error": {"code": exc.code, "message": exc.message}})
            continue
        results.append({"ticket_id": ticket_id, "number": ticket.number, "ok": True, "status": ticket.status,
                        "error": None})
    succeeded = sum(1 for r in results if r["ok"])
    log.info("bulk %s by %s: %d of %d", request.action, actor.username, succeeded, len(results))
    return {"action": request.action, "succeeded": succeeded, "failed": len(results) - succeeded, "results": results}


def _text(request: ActionRequest) -> str | None:
    """The reason, else the note: the first that is not blank (whitespace or invisible characters)."""
    return next((text for text in (request.reason, request.note) if not is_blank(text)), None)


def _dispatch(session, config, ticket, actor, request, now):
    note, data = _dispatch_to(session, config, ticket, actor, _desk_department(config, request), now)
    return request.note or note, data


def _dispatch_to(session, config, ticket, actor, code: str, now):
    """A new dispatch round to department `code`: its deadlines from `now`; the default note and the data."""
    ticket.department = code
    ticket.accepted_at = None
    clock.start_clocks(session, ticket, config=config, now=now, actor_id=actor.id)
    data = {"department": code}
    # 返工 and 延期 are counted per dispatch: the new department is not charged with an earlier
    # holder's (the timeline keeps them, and this entry says what was carried before)
    earlier = {"rework_count": ticket.rework_count, "extension_count": ticket.extension_count}
    if any(earlier.values()):
        data["earlier_round"] = earlier
        ticket.rework_count = ticket.extension_count = 0
    return f"派遣至 {config.departments[code].name}", data


def _desk_department(config, request) -> str:
    """The department `request` names, checked: known, and with a desk (someone there can sign for it)."""
    code = _require(request.department, f"{request.action} needs `department`")
    if code not in config.departments:
        raise ApiError(422, "unknown_department", f"unknown department {code!r}")
    if not config.has_desk(code):  # nobody there could sign for it
        raise ApiError(422, "no_desk", f"department {code!r} has no desk: dispatch to a department or station")
    return code


def _reassign(session, config, ticket, actor, request, now):
    """改派: the command center takes the ticket from its department and dispatches it to another at once.

    For the department it leaves this is a 退单 the command center made: its deadlines end (history reason
    "reassign"), a waiting extension request is withdrawn, and it keeps read access (ticket_departments).
    For the new one it is a dispatch: a new round, deadlines from `now`, a new escalation ladder, 返工 and
    延期 counted from zero. A 督办 flag stays.
    """
    code = _desk_department(config, request)
    reason = _require(_text(request), "改派 needs a `reason`")
    if code == ticket.department:
        raise ApiError(422, "same_department", f"the ticket is already with {code!r}: 改派 needs another department")
    previous = _release(session, ticket, reason="reassign", why="工单改派，撤回", now=now, actor=actor)
    _, data = _dispatch_to(session, config, ticket, actor, code, now)
    earlier = config.departments.get(previous) if previous else None
    return reason, {**data, "reassigned_from": previous, "reassigned_from_name": earlier.name if earlier else None,
                    "department_name": config.departments[code].name}


def _urge(session, config, ticket, actor, request, now):
    """催办: a reminder to the department on the timeline (and through the outbox), once an hour at most."""
    last = last_urge(session=session, ticket=ticket)
    if last is not None and now - last.at < URGE_INTERVAL:
        wait = -int(-(URGE_INTERVAL - (now - last.at)).total_seconds() // 60)  # whole minutes, rounded up
        raise ApiError(409, "urge_too_soon", f"this ticket was urged at {last.at.isoformat()}; "
                       f"urge again in {wait} min", status=ticket.status, retry_after_minutes=wait)
    return request.note or "城运中心催办", {"department": ticket.department}


def last_urge(*, session: Session, ticket: Ticket) -> TimelineEntry | None:
    """The latest 催办 of the ticket's current dispatch round (None: not urged since it was dispatched)."""
    if ticket.dispatched_at is None:
        return None
    return session.exec(select(TimelineEntry).where(
        TimelineEntry.ticket_id == ticket.id, TimelineEntry.action == "urge",
        TimelineEntry.at >= ticket.dispatched_at).order_by(col(TimelineEntry.id).desc())).first()


def _accept(session, config, ticket, actor, request, now):
    ticket.accepted_at = now
    clock.clear_schedule(ticket, "response")
    return request.note, {}


def _release(session, ticket: Ticket, *, reason: str, why: str, now: datetime, actor: User) -> str | None:
    """Take the ticket off its department's books: clocks stopped, deadlines ended, no waiting extension.

    Returns the department it had (None if it had none, and then nothing changes but the clocks).
    """
    _stop_clocks(session, ticket, now, why)
    department = ticket.department
    if department is not None:
        clock.end_deadlines(session, ticket, reason=reason, now=now, actor_id=actor.id)
        ticket.department = ticket.dispatched_at = ticket.accepted_at = None
        ticket.escalation_level = -1
    return department


def _return(session, config, ticket, actor, request, now):
    reason = _require(_text(request), "退单 needs a `reason`")
    # the next department asks for its own extension
    previous = _release(session, ticket, reason="return", why="退单撤回", now=now, actor=actor)
    return reason, {"returned_by": previous}


def _start(session, config, ticket, actor, request, now):
    return request.note, {}


def _last_rework_at(session: Session, ticket_id: int) -> datetime | None:
    """When the ticket was last sent back to rework: a failed 核查, a 复核返工 or a 回访返工."""
    return session.exec(select(func.max(TimelineEntry.at)).where(
        TimelineEntry.ticket_id == ticket_id, col(TimelineEntry.action).in_(("verify", "review_rework", "reopen")),
        TimelineEntry.to_status != Status.closed)).one()


def _require_after_photo(session, config, ticket: Ticket, *, always: bool = False) -> None:
    category = config.categories.get(ticket.category)
    if not (always or (category and category.after_photo_required)):
        return
    since = _last_rework_at(session, ticket.id)
    query = select(Photo.id).where(Photo.ticket_id == ticket.id, Photo.stage == "after")
    if since is not None:
        query = query.where(Photo.uploaded_at >= since)
    if session.exec(query).first() is None:
        raise ApiError(422, "after_photo_required",
                       "this category needs an `after` photo (POST /api/v1/tickets/<id>/photos, stage=after) first")


def _stop_clocks(session, ticket: Ticket, now: datetime, why: str) -> None:
    """The work is done (or void): nothing escalates and no extension request stays waiting."""
    clock.stop_clocks(ticket)
    _withdraw_extension(session, ticket, now, why)


def _resolve(session, config, ticket, actor, request, now):
    joint.require_none_open(session=session, config=config, ticket=ticket, action="resolve (处置完成)")
    _require_after_photo(session, config, ticket)
    clock.resolve(ticket, now=now, calendar=config.calendar)
    _stop_clocks(session, ticket, now, "已处置，撤回")
    return request.note, {}


def _self_resolve(session, config, ticket, actor, request, now):
    """自行处置: the inspector fixed it on the spot, so a department it was dispatched to is relieved of it.

    Its deadlines end (history reason "self_resolve") and it leaves that department's books: neither
    signed for nor handled by it. A failed 核查 then sends it to the command center (pending_dispatch).
    """
    joint.require_none_open(session=session, config=config, ticket=ticket, action="self_resolve (自行处置)")
    _require_after_photo(session, config, ticket, always=True)  # 自行处置 needs a photo whatever the category
    relieved = _release(session, ticket, reason="self_resolve", why="已自行处置，撤回", now=now, actor=actor)
    clock.resolve(ticket, now=now, calendar=config.calendar)  # after the release: no 派遣, no 处置时长
    return request.note or "巡查员自行处置", {"self_resolved_by": actor.id, "relieved_department": relieved}


def _self_resolver(session: Session, ticket_id: int) -> int | None:
    """Who resolved the ticket on the spot, if its latest resolution was a 自行处置."""
    entry = session.exec(select(TimelineEntry).where(TimelineEntry.ticket_id == ticket_id,
                                                     col(TimelineEntry.action).in_(("resolve", "self_resolve")))
                         .order_by(col(TimelineEntry.id).desc())).first()
    return entry.actor_id if entry and entry.action == "self_resolve" else None


def _verify(session, config, ticket, actor, request, now):
    passed = _require(request.passed, "核查 needs `passed`: true or false")
    if actor.role == Role.inspector and _self_resolver(session, ticket.id) == actor.id:
        raise ApiError(403, "forbidden", "a self-resolved ticket is verified by another inspector or the command center")
    if passed:
        ticket.closed_at = now
        return request.note or "核查通过，结案", {"passed": True}, "passed"
    _require(_text(request), "核查不通过 needs a `note` saying what is wrong")
    outcome = _rework(session, config, ticket)
    return _text(request), {"passed": False, "rework_count": ticket.rework_count}, outcome


def _rework(session, config, ticket: Ticket) -> str:
    """返工: the work is to be done again — rework + 1, the resolution undone, and the resolve deadline's ladder
    scheduled again where it stood (the deadline itself stays); "rework" (back to its department) or, when no
    department holds it (自行处置 on the spot), "redispatch" (the command center dispatches it)."""
    ticket.rework_count += 1
    clock.unresolve(ticket)
    if ticket.department is None:
        return "redispatch"
    clock.reschedule(session, config, ticket, "resolve")
    return "rework"


def _review_rework(session, config, ticket, actor, request, now):
    """复核返工: the closed ticket goes back to the department that handled it, its clock restarted as a failed
    核查's rework restarts it (the resolve deadline's ladder above what it already reached)."""
    reason = _require(_text(request), "复核返工 needs a `reason`")
    if ticket.department is None:  # resolved on the spot by an inspector: nobody to send it back to
        raise ApiError(409, "no_department", "the ticket was resolved on the spot (自行处置): no department to "
                       "send it back to; dismiss the 复核 request instead", status=ticket.status)
    ticket.rework_count += 1
    clock.unresolve(ticket)
    ticket.closed_at = None
    clock.reschedule(session, config, ticket, "resolve")
    return reason, {"rework_count": ticket.rework_count, "department": ticket.department}


def pending_extension(*, session: Session, ticket_id: int) -> ExtensionRequest | None:
    """The extension request (申请延期) waiting for the command center, if any."""
    return session.exec(select(ExtensionRequest).where(ExtensionRequest.ticket_id == ticket_id,
                                                       ExtensionRequest.status == "pending")).first()


def approved_extensions(*, session: Session, ticket: Ticket) -> list[str]:
    """The amounts ("1 WD", "4 WH") approved for the ticket's current dispatch round, oldest first: what its
    resolve deadline has been moved by beyond its category's limit."""
    if ticket.dispatched_at is None:
        return []
    return list(session.exec(select(ExtensionRequest.amount).where(
        ExtensionRequest.ticket_id == ticket.id, ExtensionRequest.status == "approved",
        col(ExtensionRequest.decided_at) >= ticket.dispatched_at).order_by(col(ExtensionRequest.id))).all())


def pending_reopen(*, session: Session, ticket_id: int) -> ReopenRequest | None:
    """The reopen request (回访不满意) waiting for the command center, if any."""
    return session.exec(select(ReopenRequest).where(ReopenRequest.ticket_id == ticket_id,
                                                    ReopenRequest.status == "pending")).first()


def request_reopen(*, session: Session, ticket: Ticket, visit_id: int | None, reason: str, actor: User,
                   now: datetime) -> ReopenRequest:
    """Ask the command center to reopen a closed ticket as rework (an 不满意 回访); the caller commits."""
    if ticket.status != Status.closed:
        raise ApiError(409, "illegal_transition", "only a closed ticket can be reopened", status=ticket.status)
    if pending_reopen(session=session, ticket_id=ticket.id) is not None:
        raise ApiError(409, "reopen_pending", "a reopen request is already waiting", status=ticket.status)
    found = ReopenRequest(ticket_id=ticket.id, visit_id=visit_id, reason=reason, requested_by=actor.id,
                          requested_at=now)
    session.add(found)
    session.flush()
    return found


def permitted(ticket: Ticket, *, user: User, extension: ExtensionRequest | None,
              tasks: list | None = None, reopen: ReopenRequest | None = None) -> list[str]:
    """The actions `user` may take on this ticket now: the transition table, the actor check, and what
    the ticket's state adds (one extension request at a time; a decision needs one waiting — an extension,
    or a reopen request for 回访返工; 督办 once; `tasks`, the ticket's assist tasks: 报到 before 协办完成,
    关闭协办 while one is open)."""
    open_tasks = [t for t in tasks or [] if t.state in joint.OPEN]
    assisting = frozenset(t.department for t in open_tasks)
    allowed = []
    for name in transitions.actions_for(ticket.status):
        try:
            check_actor(ticket, user, name, assisting=assisting)
        except ApiError:
            continue
        own = next((t for t in open_tasks if t.department == user.department), None)
        if (name == "check_in" and own.state != joint.PENDING) or (name == "finish_task"
                                                                   and own.state != joint.CHECKED_IN):
            continue
        if name == "close_task" and not open_tasks:
            continue
        if name == "request_extension" and extension is not None:
            continue
        if name in ("approve_extension", "reject_extension") and extension is None:
            continue
        if name in ("reopen", "decline_reopen") and reopen is None:
            continue
        if name == "supervise" and ticket.supervised:
            continue
        allowed.append(name)
    return allowed


def _withdraw_extension(session: Session, ticket: Ticket, now: datetime, why: str) -> None:
    """Mark a waiting extension request withdrawn (it no longer applies)."""
    pending = pending_extension(session=session, ticket_id=ticket.id)
    if pending is not None:
        pending.status, pending.decided_at, pending.decision_note = "withdrawn", now, why
        session.add(pending)


def _request_extension(session, config, ticket, actor, request, now):
    reason = _require(_text(request), "申请延期 needs a `reason`")
    if (request.hours is None) == (request.days is None):
        raise ApiError(422, "validation_error", "申请延期 needs exactly one of `hours` (working) or `days` (working)")
    if pending_extension(session=session, ticket_id=ticket.id):
        raise ApiError(409, "extension_pending", "an extension request is already waiting", status=ticket.status)
    amount = Limit(request.hours, "WH") if request.hours is not None else Limit(request.days, "WD")
    if amount.minutes(config.calendar) < 1:
        raise ApiError(422, "validation_error", "申请延期 must ask for at least one working minute")
    ext = ExtensionRequest(ticket_id=ticket.id, amount=str(amount), reason=reason, requested_by=actor.id,
                           requested_at=now)
    session.add(ext)
    session.flush()
    return reason, {"extension": ext.id, "amount": str(amount)}


def _decide_extension(approve: bool):
    def apply(session, config, ticket, actor, request, now):
        ext = pending_extension(session=session, ticket_id=ticket.id)
        if ext is None:
            raise ApiError(409, "no_extension_pending", "no extension request is waiting", status=ticket.status)
        ext.status = "approved" if approve else "rejected"
        ext.decided_by, ext.decided_at, ext.decision_note = actor.id, now, request.note
        session.add(ext)
        data = {"extension": ext.id, "amount": ext.amount}
        if approve:
            new_at = clock.extend(session, config, ticket, Limit.parse(ext.amount), now=now, actor_id=actor.id)
            ticket.extension_count += 1
            data["resolve_deadline"] = new_at.isoformat()
        return request.note, data

    return apply


def _suspend(session, config, ticket, actor, request, now):
    ticket.suspended_at = now
    clock.pause(ticket, now=now, calendar=config.calendar)
    return _text(request), {}


def _resume(session, config, ticket, actor, request, now):
    moved = clock.resume(session, config, ticket, now=now, actor_id=actor.id)
    ticket.suspended_at = None
    return request.note, {f"{kind}_deadline": at.isoformat() for kind, at in moved.items()}


def _supervise(session, config, ticket, actor, request, now):
    if ticket.supervised:  # 督办 is a flag for the ticket's life: a second one would add nothing but noise
        raise ApiError(409, "already_supervised", "this ticket is already supervised (督办)", status=ticket.status)
    ticket.supervised = True
    return request.note or "城运中心督办", {}


def _cancel(session, config, ticket, actor, request, now):
    reason = _require(_text(request), "作废 needs a `reason`")
    ticket.cancelled_at = now
    ticket.suspended_at = None
    _stop_clocks(session, ticket, now, "工单作废，撤回")
    closed = joint.close_open(session=session, config=config, ticket=ticket, actor=actor, reason="工单作废", now=now)
    return reason, {"closed_tasks": [t["task_id"] for t in closed]} if closed else {}


def _whistle(session, config, ticket, actor, request, now):
    """吹哨: the lead (dispatched to it when the ticket waits for dispatch) and the assisting departments' tasks."""
    lead = joint.check_whistle(session=session, config=config, ticket=ticket,
                               lead=request.department or ticket.department, assists_wanted=request.assists)
    if ticket.status == Status.pending_dispatch:
        _dispatch(session, config, ticket, actor, request.model_copy(update={"department": lead}), now)
        outcome = "dispatch"
    elif lead != ticket.department:
        raise ApiError(409, "lead_is_set", f"the ticket is led by {ticket.department!r}: whistle with that lead, "
                       "or have it returned (退单) and whistle again", status=ticket.status)
    else:
        outcome = "join"
    made = joint.add_tasks(session=session, config=config, ticket=ticket, actor=actor,
                           assists_wanted=request.assists, now=now)
    note = joint.whistle_note(config, ticket, lead=lead, made=made)
    if request.note:
        note += f"。{request.note}"
    data = {"lead": lead, "assists": [joint.task_data(t, config) for t in made],
            "invitation": ticket.source == joint.INVITATION_SOURCE}
    return note, data, outcome


def _decide_reopen(approve: bool):
    """回访返工 / 驳回返工: the command center decides the waiting reopen request (409 when none waits)."""
    def apply(session, config, ticket, actor, request, now):
        found = pending_reopen(session=session, ticket_id=ticket.id)
        if found is None:
            raise ApiError(409, "no_reopen_pending", "no reopen request is waiting", status=ticket.status)
        text = _text(request)
        if not approve:
            _require(text, "驳回返工 needs a `reason`")
        found.status = "approved" if approve else "declined"
        found.decided_by, found.decided_at, found.decision_note = actor.id, now, text
        session.add(found)
        data = {"reopen_request": found.id, "visit": found.visit_id}
        if not approve:
            return text, data
        ticket.closed_at = None
        outcome = _rework(session, config, ticket)
        return text or "回访不满意，城运中心批准返工", {**data, "rework_count": ticket.rework_count}, outcome

    return apply


_APPLY = {
    "dispatch": _dispatch, "accept": _accept, "return": _return, "start": _start, "resolve": _resolve,
    "verify": _verify, "request_extension": _request_extension,
    "approve_extension": _decide_extension(True), "reject_extension": _decide_extension(False),
    "suspend": _suspend, "resume": _resume, "supervise": _supervise, "cancel": _cancel,
    "self_resolve": _self_resolve, "review_rework": _review_rework, "whistle": _whistle, "check_in": joint.check_in,
    "finish_task": joint.finish_task, "close_task": joint.close_task, "reopen": _decide_reopen(True),
    "decline_reopen": _decide_reopen(False), "reassign": _reassign, "urge": _urge,
}
assert set(_APPLY) == set(TRANSITIONS), "every action in the table has an effect"
