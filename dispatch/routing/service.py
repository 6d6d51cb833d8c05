"""First-match routing of (category, zone, time of day) to a department code."""
from __future__ import annotations

from datetime import time

from dispatch.street.config import STATION
from dispatch.street.schemas import RoutingRule


def _in_hours(hours: tuple[str, str], at: time) -> bool:
    start, end = (time.fromisoformat(h) for h in hours)
    if start < end:
        return start <= at < end
    return at >= start or at < end  # wraps midnight


def matches(rule: RoutingRule, *, category: str, zone: str | None, local_time: time) -> bool:
    """True when every condition the rule states holds."""
    if rule.categories is not None and category not in rule.categories:
        return False
    if rule.zones is not None and zone not in rule.zones:
        return False
    if rule.hours is not None and not _in_hours(rule.hours, local_time):
        return False
    return True


def route(*, rules: list[RoutingRule], category: str, zone: str | None, station: str | None,
          local_time: time) -> str | None:
    """The department of the first matching rule, or None (→ pending_dispatch).

    A report out of area (zone None) is never routed: the command center places it by hand.
    `@station` resolves to the zone's own station; a zone without one does not match.
    """
    if zone is None:
        return None
    for rule in rules:
        if not matches(rule, category=category, zone=zone, local_time=local_time):
            continue
        if rule.department == STATION:
            if station:
                return station
            continue
        return rule.department
    return None
