"""Notifications of the command center's actions: 催办 tells the ticket's department, 改派 tells the department
that gets the ticket and the one that loses it. Queued in the outbox in the action's own transaction (so a
notification exists exactly when its step is on the timeline) and delivered like the escalation messages.

``install()`` registers ``queue_for_action`` with the tickets domain (``tickets.flows.on_action``): the
tickets package does not import this one (escalation already depends on tickets).
"""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from dispatch.escalation.models import OutboxMessage
from dispatch.street.config import StreetConfig
from dispatch.tickets import flows as ticket_flows
from dispatch.tickets.models import Ticket

NOTIFIED = ("urge", "reassign")


def recipients(action: str, ticket: Ticket, data: dict) -> list[str]:
    """Who hears of the action: the ticket's department; for 改派 also the department it left."""
    found = [ticket.department] if ticket.department else []
    if action == "reassign" and data.get("reassigned_from") and data["reassigned_from"] not in found:
        found.append(data["reassigned_from"])
    return found


def queue_for_action(session: Session, config: StreetConfig, ticket: Ticket, action: str, data: dict,
                     now: datetime) -> None:
    """One outbox message per recipient and channel for a 催办 or 改派 (other actions: nothing)."""
    if action not in NOTIFIED:
        return
    payload = {"kind": action, "ticket_id": ticket.id, "number": ticket.number, "category": ticket.category,
               "zone": ticket.zone, "department": ticket.department, "note": data.get("note"),
               "by": data.get("by"), "at": now.isoformat()}
    if action == "reassign":
        payload["reassigned_from"] = data.get("reassigned_from")
    for recipient in recipients(action, ticket, data):
        for channel in config.escalation.delivery.channels_for(recipient, action):
            session.add(OutboxMessage(ticket_id=ticket.id, recipient=recipient, channel=channel,
                                      payload={**payload, "recipient": recipient}, created_at=now,
                                      next_attempt_at=now))


def install() -> None:
    """Have the tickets domain tell this module of every action (idempotent)."""
    ticket_flows.on_action(queue_for_action)
