"""The one table of allowed moves: which action, from which statuses, to which status, by whom.

It is also the only writer of a ticket's status (``apply``): the actions people take (``TRANSITIONS``)
and the moves the system makes at intake (``SYSTEM_MOVES``: linking a duplicate, automatic dispatch).
A ticket starts as ``REPORTED``. Where one action can end in different statuses, its target is a table of
outcomes (核查: passed → closed, failed → back to its department, or to the command center when it has
none; 回访返工 the same from closed); 恢复 (resume) goes back to the status it was suspended from (``RESTORE``).

吹哨报到 (joint handling, ``tickets.joint``): 吹哨 dispatches a ticket waiting for dispatch to its lead, or leaves
the status as it is; 报到 and 协办完成 are taken by a department with an open assist task on the ticket
(``assisting``), not by the ticket's own department; 关闭协办 by the command center.
"""
from __future__ import annotations

from dataclasses import dataclass

from dispatch.tickets.models import Status as S
from dispatch.users.models import Role as R

OPEN = frozenset({S.pending_dispatch, S.dispatched, S.in_progress, S.resolved, S.suspended})
SAME = None  # the action records a step but leaves the status as it is
RESTORE = "restore"  # back to the status the ticket was suspended (挂账) from
REPORTED = S.pending_dispatch  # every report starts here


@dataclass(frozen=True)
class Move:
    """An action's rule: allowed source statuses, target (SAME: unchanged), roles, extra checks."""

    sources: frozenset[str]
    target: str | dict[str, str] | None  # a status, SAME, RESTORE, or {outcome: status}
    roles: frozenset[str]
    own_department: bool = False  # only the ticket's own department may do it
    label: str = ""
    via: str | None = None  # taken only through this decision (e.g. "review": a 复核), not POST …/actions
    assisting: bool = False  # only a department with an open assist task (协办) on the ticket may do it


def _m(sources, target, roles, own_department=False, label="", via=None, assisting=False):
    return Move(frozenset(sources), target, frozenset(roles), own_department, label, via, assisting)


COMMAND = (R.command, R.admin)

TRANSITIONS: dict[str, Move] = {
    "dispatch": _m({S.pending_dispatch}, S.dispatched, COMMAND, label="派遣"),
    "accept": _m({S.dispatched}, S.in_progress, {R.department}, True, "签收"),
    "return": _m({S.dispatched, S.in_progress}, S.pending_dispatch, {R.department}, True, "退单"),
    "start": _m({S.in_progress}, SAME, {R.department}, True, "开始处置"),
    "resolve": _m({S.in_progress}, S.resolved, {R.department}, True, "处置完成"),
    "verify": _m({S.resolved}, {"passed": S.closed, "rework": S.in_progress, "redispatch": S.pending_dispatch},
                 {R.inspector, *COMMAND}, label="核查"),
    "request_extension": _m({S.dispatched, S.in_progress}, SAME, {R.department}, True, "申请延期"),
    "approve_extension": _m({S.dispatched, S.in_progress}, SAME, COMMAND, label="批准延期"),
    "reject_extension": _m({S.dispatched, S.in_progress}, SAME, COMMAND, label="驳回延期"),
    "suspend": _m({S.pending_dispatch, S.dispatched, S.in_progress}, S.suspended, COMMAND, label="挂账"),
    "resume": _m({S.suspended}, RESTORE, COMMAND, label="恢复"),
    "supervise": _m(OPEN - {S.suspended}, SAME, COMMAND, label="督办"),
    # 改派: a department's ticket goes to another department in a new dispatch round (fresh deadlines)
    "reassign": _m({S.dispatched, S.in_progress}, S.dispatched, COMMAND, label="改派"),
    # 催办: a reminder to the department holding the ticket (timeline + notification), at most once an hour
    "urge": _m({S.dispatched, S.in_progress}, SAME, COMMAND, label="催办"),
    "cancel": _m(OPEN, S.cancelled, COMMAND, label="作废"),
    "self_resolve": _m({S.pending_dispatch, S.dispatched}, S.resolved, {R.inspector}, label="自行处置"),
    # 复核返工: a 居委's 不满意 处置 asked for a 复核 and the command center sends the closed ticket back to the
    # same department (decided on the 复核 request: dispatch.evaluation.flows.decide_review)
    "review_rework": _m({S.closed}, S.in_progress, COMMAND, label="复核返工", via="review"),
    # 吹哨报到: the whistle names a lead (dispatched to it when waiting for dispatch) and assisting departments
    "whistle": _m({S.pending_dispatch, S.dispatched, S.in_progress}, {"dispatch": S.dispatched, "join": SAME},
                  COMMAND, label="吹哨"),
    "check_in": _m({S.dispatched, S.in_progress}, SAME, {R.department}, label="报到", assisting=True),
    "finish_task": _m({S.dispatched, S.in_progress}, SAME, {R.department}, label="协办完成", assisting=True),
    "close_task": _m({S.pending_dispatch, S.dispatched, S.in_progress, S.suspended}, SAME, COMMAND,
                     label="关闭协办"),
    # 回访不满意 (dispatch.followup): the command center reopens the closed ticket as rework for the same
    # department (or sends it to be dispatched when nobody held it), or declines with a reason
    "reopen": _m({S.closed}, {"rework": S.in_progress, "redispatch": S.pending_dispatch}, COMMAND, label="回访返工"),
    "decline_reopen": _m({S.closed}, SAME, COMMAND, label="驳回返工"),
}

ACTIONS = tuple(TRANSITIONS)

# Moves the system makes at intake (no user chooses them; the timeline says "system" or the reporter).
SYSTEM_MOVES: dict[str, Move] = {
    "link_duplicate": _m({S.pending_dispatch}, S.duplicate, (), label="重复上报合并"),
    "auto_dispatch": _m({S.pending_dispatch}, S.dispatched, (), label="自动派遣"),
}


class IllegalMove(ValueError):
    """A status change the table does not allow (a bug in the caller: actions check `allowed` first)."""


def _move(action: str) -> Move | None:
    return TRANSITIONS.get(action) or SYSTEM_MOVES.get(action)


def target(action: str, ticket, outcome: str | None = None) -> str:
    """The status `action` (with `outcome`, where the table has several) leads `ticket` to."""
    move = _move(action)
    if move is None:
        raise IllegalMove(f"no move {action!r} in the table")
    if move.target is SAME:
        return ticket.status
    if move.target == RESTORE:
        return ticket.suspended_from or S.pending_dispatch
    if isinstance(move.target, dict):
        if outcome not in move.target:
            raise IllegalMove(f"{action} needs one of the outcomes {sorted(move.target)}, got {outcome!r}")
        found = move.target[outcome]
        return ticket.status if found is SAME else found
    return move.target


def apply(ticket, action: str, outcome: str | None = None) -> str:
    """Set the ticket's status as the table says for `action` from its current status; the new status."""
    move = _move(action)
    if move is None or ticket.status not in move.sources:
        raise IllegalMove(f"{action} is not allowed from {ticket.status}")
    new = target(action, ticket, outcome)
    if new == S.suspended and ticket.status != S.suspended:
        ticket.suspended_from = ticket.status  # where 恢复 returns to
    elif move.target == RESTORE:
        ticket.suspended_from = None
    ticket.status = new
    return new


def allowed(action: str, status: str) -> bool:
    """True when `action` may be taken on a ticket in `status`."""
    move = TRANSITIONS.get(action)
    return move is not None and status in move.sources


def actions_for(status: str) -> list[str]:
    """The actions the table allows from `status` (role checks aside), taken directly (not `via` a decision)."""
    return [name for name, move in TRANSITIONS.items() if status in move.sources and move.via is None]
