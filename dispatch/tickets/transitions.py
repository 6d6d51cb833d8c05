"""The one table of allowed moves: which action, from which statuses, to which status, by whom."""
from __future__ import annotations

from dataclasses import dataclass

from dispatch.tickets.models import Status as S
from dispatch.users.models import Role as R

OPEN = frozenset({S.pending_dispatch, S.dispatched, S.in_progress, S.resolved, S.suspended})
SAME = None  # the action records a step but leaves the status as it is


@dataclass(frozen=True)
class Move:
    """An action's rule: allowed source statuses, target (SAME: unchanged), roles, extra checks."""

    sources: frozenset[str]
    target: str | None
    roles: frozenset[str]
    own_department: bool = False  # only the ticket's own department may do it
    label: str = ""


def _m(sources, target, roles, own_department=False, label=""):
    return Move(frozenset(sources), target, frozenset(roles), own_department, label)


COMMAND = (R.command, R.admin)

TRANSITIONS: dict[str, Move] = {
    "dispatch": _m({S.pending_dispatch}, S.dispatched, COMMAND, label="派遣"),
    "accept": _m({S.dispatched}, S.in_progress, {R.department}, True, "签收"),
    "return": _m({S.dispatched, S.in_progress}, S.pending_dispatch, {R.department}, True, "退单"),
    "start": _m({S.in_progress}, SAME, {R.department}, True, "开始处置"),
    "resolve": _m({S.in_progress}, S.resolved, {R.department}, True, "处置完成"),
    "verify": _m({S.resolved}, S.closed, {R.inspector, *COMMAND}, label="核查"),  # fail → in_progress
    "request_extension": _m({S.dispatched, S.in_progress}, SAME, {R.department}, True, "申请延期"),
    "approve_extension": _m({S.dispatched, S.in_progress}, SAME, COMMAND, label="批准延期"),
    "reject_extension": _m({S.dispatched, S.in_progress}, SAME, COMMAND, label="驳回延期"),
    "suspend": _m({S.pending_dispatch, S.dispatched, S.in_progress}, S.suspended, COMMAND, label="挂账"),
    "resume": _m({S.suspended}, SAME, COMMAND, label="恢复"),  # back to the status it was suspended from
    "supervise": _m(OPEN - {S.suspended}, SAME, COMMAND, label="督办"),
    "cancel": _m(OPEN, S.cancelled, COMMAND, label="作废"),
    "self_resolve": _m({S.pending_dispatch, S.dispatched}, S.resolved, {R.inspector}, label="自行处置"),
}

ACTIONS = tuple(TRANSITIONS)


def allowed(action: str, status: str) -> bool:
    """True when `action` may be taken on a ticket in `status`."""
    move = TRANSITIONS.get(action)
    return move is not None and status in move.sources


def actions_for(status: str) -> list[str]:
    """The actions the table allows from `status` (role checks aside)."""
    return [name for name, move in TRANSITIONS.items() if status in move.sources]
