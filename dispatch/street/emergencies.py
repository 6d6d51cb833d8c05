"""The street's 应急预案 (emergency plans): config/emergencies.toml, validated.

Each 预案 names the categories an emergency of its type pulls in, its own natural-time limits (签收
`response`, 处置 `resolve`: "15 NM", "2 NH" — the limit syntax of dispatch/deadlines), a faster escalation
ladder (`ladder`: overdue level → how long after the deadline, in NM/NH), and the departments that must
report on duty (到岗) within `checkin` of the declaration. A missing file means no 预案: nothing can be declared.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dispatch.deadlines.limits import HasLimits, Limit
from geo.problems import Problem

FILE = "emergencies.toml"
LEVELS = (1, 2, 3, 4)  # Ⅰ级 (most severe) … Ⅳ级
LEVEL_NAMES = {1: "Ⅰ级", 2: "Ⅱ级", 3: "Ⅲ级", 4: "Ⅳ级"}


def _natural(value: str) -> str:
    limit = Limit.parse(value)  # raises ValueError with a reason
    if not limit.unit.is_natural:
        raise ValueError(f"{value!r} is working time; an emergency counts on the clock: use NM or NH")
    return value


class EmergencyPlan(BaseModel, HasLimits):
    """One 预案: an emergency type, the categories it pulls in, its limits, ladder and 到岗 departments."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str = Field(pattern=r"^[a-z0-9_]+$", max_length=32)
    name: str = Field(min_length=1, max_length=32)
    categories: list[str] = Field(min_length=1)
    response: str
    resolve: str
    ladder: dict[int, str] = {}  # overdue level → its step after the deadline (NM/NH)
    departments: list[str] = []  # must report on duty (到岗)
    checkin: str = "30 NM"  # … within this of the declaration

    _check_limits = field_validator("response", "resolve", "checkin")(_natural)

    @field_validator("ladder")
    @classmethod
    def _ladder(cls, value: dict[int, str]) -> dict[int, str]:
        for step in value.values():
            _natural(step)
        return value

    @property
    def checkin_limit(self) -> Limit:
        return Limit.parse(self.checkin)

    def steps(self, base: dict[int, Limit | None]) -> dict[int, Limit | None]:
        """The escalation steps of a ticket under this 预案: `base` (escalation.toml's natural-time steps) with
        this 预案's faster ones in place."""
        return {**base, **{level: Limit.parse(after) for level, after in self.ladder.items()}}


class EmergenciesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    plan: list[EmergencyPlan] = []


def check(data: EmergenciesFile, *, categories: set[str], desks: set[str], departments: set[str],
          overdue_levels: set[int]) -> tuple[dict[str, EmergencyPlan], list[Problem]]:
    """The plans by code and every problem: repeated codes, unknown categories or departments, a department
    without a desk (nobody there could 到岗), a ladder level the escalation ladder does not have."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, plan in enumerate(data.plan):
        where, label = f"plan.{i}", f" — in [[plan]] no. {i + 1} ({plan.code} {plan.name})"
        if plan.code in seen:
            problems.append(Problem(FILE, f"{where}.code", f"duplicate code {plan.code!r}{label}"))
        seen.add(plan.code)
        for slug in plan.categories:
            if categories and slug not in categories:
                problems.append(Problem(FILE, f"{where}.categories", f"unknown category {slug!r}{label}"))
        for code in plan.departments:
            if departments and code not in departments:
                problems.append(Problem(FILE, f"{where}.departments", f"unknown department {code!r}{label}"))
            elif departments and code not in desks:
                problems.append(Problem(FILE, f"{where}.departments",
                                        f"{code!r} has no desk: nobody there could report on duty (到岗){label}"))
        for level in plan.ladder:
            if overdue_levels and level not in overdue_levels:
                problems.append(Problem(FILE, f"{where}.ladder.{level}",
                                        f"level {level} is not an overdue level of escalation.toml{label}"))
    return {p.code: p for p in data.plan}, problems
