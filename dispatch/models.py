"""Imports every table so that the metadata knows them all."""
from dispatch.cockpit.models import CockpitSnapshot  # noqa: F401
from dispatch.evaluation.models import Evaluation, ReviewRequest  # noqa: F401
from dispatch.emergency.models import Emergency, EmergencyCheckin, EmergencyLogEntry, EmergencyTicket  # noqa: F401
from dispatch.escalation.models import OutboxMessage  # noqa: F401
from dispatch.reports.models import MonthlyReport  # noqa: F401
from dispatch.followup.models import Followup, FollowupEscalation, FollowupVisit  # noqa: F401
from dispatch.street.models import Category, ConfigState, Department, Zone  # noqa: F401
from dispatch.tickets.models import (AssistEscalation, AssistTask, CalendarYear, DeadlineChange,  # noqa: F401
                                     Escalation, ExtensionRequest, Photo, ReopenRequest, Ticket, TicketCounter,
                                     TicketDepartment, TicketNumberDay, TimelineEntry)
from dispatch.users.models import SignInFailures, User, WebSession  # noqa: F401
