"""Emergency storage: lookups, the emergency's record (应急留痕), its tickets and 到岗, outbox messages."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from dispatch.emergency.models import (Emergency, EmergencyCheckin, EmergencyLogEntry, EmergencyStatus,
                                       EmergencyTicket)
from dispatch.escalation.models import OutboxMessage
from dispatch.street.config import StreetConfig
from dispatch.tickets.models import OPEN_STATUSES, Ticket
from dispatch.users.models import User


def get(*, session: Session, emergency_id: int) -> Emergency | None:
    return session.get(Emergency, emergency_id)


def listing(*, session: Session, status: str | None = None, limit: int = 50) -> list[Emergency]:
    """Emergencies, newest first; `status`: active or ended only."""
    query = select(Emergency).order_by(col(Emergency.declared_at).desc(), col(Emergency.id).desc()).limit(limit)
    if status:
        query = query.where(Emergency.status == status)
    return list(session.exec(query))


def active(*, session: Session) -> list[Emergency]:
    """The active emergencies, most severe (Ⅰ级) first, then the earliest declared."""
    return list(session.exec(select(Emergency).where(Emergency.status == EmergencyStatus.active)
                             .order_by(col(Emergency.level), col(Emergency.declared_at), col(Emergency.id))))


def covers(emergency: Emergency, config: StreetConfig, *, category: str, zone: str | None) -> bool:
    """True when the emergency's 预案 pulls in `category` and its area holds `zone` (no zone: out of area)."""
    plan = config.emergencies.get(emergency.plan)
    if plan is None or category not in plan.categories or zone is None:
        return False
    return emergency.zones is None or zone in emergency.zones


def record(*, session: Session, emergency: Emergency, action: str, now: datetime, actor: User | None,
           note: str | None = None, data: dict | None = None) -> EmergencyLogEntry:
    """Append one step to the emergency's record (append-only in the database, like a ticket's timeline)."""
    entry = EmergencyLogEntry(emergency_id=emergency.id, at=now, actor_id=actor.id if actor else None,
                              actor_name=(actor.display_name or actor.username) if actor else "system",
                              actor_role=actor.role if actor else "system", action=action, level=emergency.level,
                              note=note, data=data or {})
    session.add(entry)
    return entry


def log(*, session: Session, emergency_id: int) -> list[EmergencyLogEntry]:
    return list(session.exec(select(EmergencyLogEntry).where(EmergencyLogEntry.emergency_id == emergency_id)
                             .order_by(col(EmergencyLogEntry.at), col(EmergencyLogEntry.id))))


def checkins(*, session: Session, emergency_id: int) -> list[EmergencyCheckin]:
    return list(session.exec(select(EmergencyCheckin).where(EmergencyCheckin.emergency_id == emergency_id)
                             .order_by(col(EmergencyCheckin.id))))


def checkin_of(*, session: Session, emergency_id: int, department: str) -> EmergencyCheckin | None:
    return session.exec(select(EmergencyCheckin).where(EmergencyCheckin.emergency_id == emergency_id,
                                                       EmergencyCheckin.department == department)).first()


def membership(*, session: Session, emergency_id: int, ticket_id: int) -> EmergencyTicket | None:
    return session.exec(select(EmergencyTicket).where(EmergencyTicket.emergency_id == emergency_id,
                                                      EmergencyTicket.ticket_id == ticket_id)).first()


def tickets(*, session: Session, emergency_id: int) -> list[tuple[EmergencyTicket, Ticket]]:
    """The emergency's tickets (also those released) with their membership, oldest report first."""
    return list(session.exec(select(EmergencyTicket, Ticket).join(Ticket, Ticket.id == EmergencyTicket.ticket_id)
                             .where(EmergencyTicket.emergency_id == emergency_id)
                             .order_by(col(Ticket.created_at), col(Ticket.id))))


def open_candidates(*, session: Session, categories: list[str], zones: list[str] | None, emergency_id: int,
                    limit: int = 200) -> list[Ticket]:
    """Open tickets of the 预案's categories in the area not handled under this emergency: what may be pulled in."""
    query = (select(Ticket).where(col(Ticket.category).in_(categories),
                                  col(Ticket.status).in_([s.value for s in OPEN_STATUSES]),
                                  col(Ticket.zone).is_not(None),
                                  or_none(Ticket.emergency_id, emergency_id))
             .order_by(col(Ticket.created_at)).limit(limit))
    if zones is not None:
        query = query.where(col(Ticket.zone).in_(zones))
    return list(session.exec(query))


def or_none(column, value: int):
    """SQL: the column is NULL or not `value`."""
    return (col(column).is_(None)) | (column != value)


def pending_checkins(*, session: Session, department: str) -> list[tuple[Emergency, EmergencyCheckin]]:
    """The active emergencies waiting for this department's 到岗 (the desk's banner)."""
    return list(session.exec(select(Emergency, EmergencyCheckin)
                             .join(EmergencyCheckin, EmergencyCheckin.emergency_id == Emergency.id)
                             .where(Emergency.status == EmergencyStatus.active,
                                    EmergencyCheckin.department == department,
                                    col(EmergencyCheckin.checked_in_at).is_(None))
                             .order_by(col(Emergency.declared_at))))


def late_checkins(*, session: Session, now: datetime) -> list[EmergencyCheckin]:
    """到岗 past its limit, not done and not yet escalated, of active emergencies (indexed on due_at)."""
    return list(session.exec(select(EmergencyCheckin).join(Emergency, Emergency.id == EmergencyCheckin.emergency_id)
                             .where(col(EmergencyCheckin.due_at) <= now, col(EmergencyCheckin.checked_in_at).is_(None),
                                    col(EmergencyCheckin.escalated_at).is_(None),
                                    Emergency.status == EmergencyStatus.active)
                             .order_by(col(EmergencyCheckin.due_at), col(EmergencyCheckin.id))))


def claim_escalation(*, session: Session, checkin: EmergencyCheckin, now: datetime) -> bool:
    """Mark a late 到岗 escalated, only if nobody did (conditional UPDATE): True for the one who did."""
    stmt = (update(EmergencyCheckin)
            .where(EmergencyCheckin.id == checkin.id, col(EmergencyCheckin.escalated_at).is_(None),
                   col(EmergencyCheckin.checked_in_at).is_(None))
            .values(escalated_at=now).execution_options(synchronize_session=False))
    return session.execute(stmt).rowcount == 1


def notify(*, session: Session, config: StreetConfig, recipients: list[str], payload: dict, now: datetime,
           ticket_id: int | None = None) -> None:
    """One outbox message per recipient and channel (the webhook, and mail and robots as
    config/escalation.toml's [delivery] says for "emergency" messages), due at once (the delivery job sends it)."""
    for recipient in dict.fromkeys(recipients):
        for channel in config.escalation.delivery.channels_for(recipient, "emergency"):
            session.add(OutboxMessage(ticket_id=ticket_id, recipient=recipient, channel=channel,
                                      payload={**payload, "recipient": recipient}, created_at=now,
                                      next_attempt_at=now))


def counts(*, session: Session, emergency_id: int) -> dict[str, int]:
    """The emergency's tickets by handled (resolved or ended) and open."""
    rows = session.exec(select(Ticket.status, func.count()).join(EmergencyTicket, EmergencyTicket.ticket_id == Ticket.id)
                        .where(EmergencyTicket.emergency_id == emergency_id).group_by(Ticket.status)).all()
    open_statuses = {s.value for s in OPEN_STATUSES} - {"resolved"}
    handled = sum(n for status, n in rows if status not in open_statuses)
    return {"total": sum(n for _, n in rows), "handled": handled, "open": sum(n for s, n in rows if s in open_statuses)}
