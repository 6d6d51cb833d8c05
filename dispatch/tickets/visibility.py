"""Who may see which tickets: the one owner of the rule, as a SQL condition and as a row test.

- The command center and admins see every ticket.
- A department sees the tickets it holds now (``ticket.department``); it may also *read* — never act
  on — a ticket it held in an earlier dispatch round (``can_read``, ``held_clause``).
- An inspector sees its own reports and the tickets of its zone.
- A 居委 (committee) sees the tickets of its 居民区 (``ticket.committee``) and its own reports (约请); it adds
  photos only to its own reports.
- 吹哨报到: a department given an assist task (协办) on a ticket may read it, and add photos to it while its
  task is open; it acts only on its task (the transition table's ``assisting`` actions), never on the ticket.

Photos follow the same rule: whoever may see a ticket may add a photo to it (``can_upload``); what a
photo's stage allows is decided by the actions that need it.
"""
from __future__ import annotations

from sqlmodel import Session, col, or_

from dispatch.tickets import holders, joint
from dispatch.tickets.models import Ticket
from dispatch.users.models import Role, User


def sees_all(user: User) -> bool:
    """The command center and admins see every ticket."""
    return user.role in (Role.command, Role.admin)


def clause(user: User):
    """SQL condition for the tickets this user may see (None: all). The twin of ``can_see``."""
    if sees_all(user):
        return None
    if user.role == Role.department:
        return Ticket.department == user.department
    clauses = [Ticket.reporter_id == user.id]
    if user.role == Role.committee:
        return or_(*clauses, Ticket.committee == user.committee) if user.committee else clauses[0]
    if user.zone:
        clauses.append(Ticket.zone == user.zone)
    return or_(*clauses)


def can_see(user: User, ticket: Ticket) -> bool:
    """Inspectors see their own reports and their zone; departments theirs; a 居委 its 居民区; command all."""
    if sees_all(user):
        return True
    if user.role == Role.department:
        return ticket.department == user.department
    if user.role == Role.committee:
        return ticket.reporter_id == user.id or (user.committee is not None and ticket.committee == user.committee)
    return ticket.reporter_id == user.id or (user.zone is not None and ticket.zone == user.zone)


def can_read(*, session: Session, user: User, ticket: Ticket) -> bool:
    """`can_see`, and for a department also a ticket it held in an earlier dispatch round (to read, not act on)."""
    if can_see(user, ticket):
        return True
    return (user.role == Role.department and user.department is not None
            and (holders.held(session=session, ticket_id=ticket.id, department=user.department)
                 or joint.assists(session=session, ticket_id=ticket.id, department=user.department)))


def can_fetch_original(user: User) -> bool:
    """Only the command center and admins get a photo as uploaded (its EXIF GPS: where the picture was
    taken); everyone else who may see the ticket gets the served copy without location metadata."""
    return sees_all(user)


def can_upload(user: User, ticket: Ticket, *, session: Session | None = None) -> bool:
    """Reporter and zone inspectors, the ticket's department, the command center: those who see it now (a 居委:
    only its own reports); with `session`, also a department with an open assist task on it (the photo of its
    part)."""
    if user.role == Role.committee:
        return ticket.reporter_id == user.id
    if can_see(user, ticket):
        return True
    return (session is not None and user.role == Role.department
            and user.department in joint.open_departments(session=session, ticket_id=ticket.id))


def can_evaluate(user: User, ticket: Ticket) -> bool:
    """Only a 居委 of the ticket's 居民区 evaluates it (评价)."""
    return user.role == Role.committee and user.committee is not None and ticket.committee == user.committee


def held_clause(departments: list[str]):
    """Tickets any of `departments` holds now, held in an earlier dispatch round, or was given an assist task on."""
    return or_(col(Ticket.department).in_(departments), col(Ticket.id).in_(holders.held_ticket_ids(departments)),
               col(Ticket.id).in_(joint.assisted_ticket_ids(departments)))


def readable(*, session: Session, ticket_id: int, user: User) -> Ticket | None:
    """The ticket if it exists and `user` may read it, else None (the caller answers 404 either way)."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or not can_read(session=session, user=user, ticket=ticket):
        return None
    return ticket
