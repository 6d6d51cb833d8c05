"""The provisional (预计) statutory holidays of a year, computed from 《全国年节及纪念日放假办法》.

The State Council publishes each year's schedule (放假安排, with its 调休 make-up days) around
November; until then a year has no official schedule. The holidays themselves are fixed by the
放假办法, so they can be computed: 元旦, 劳动节 and 国庆 on solar dates, 清明 on the day of the 清明
solar term, and 春节, 端午 and 中秋 on lunar dates (from borax's lunar tables, 1900–2100). What
cannot be computed is 调休 (make-up weekend workdays and the days moved next to a holiday) and the
补休 for a holiday that falls on a weekend: the provisional calendar has neither, so its holidays
are days off on top of the weekends, and a holiday on a Saturday is just a Saturday off.

>>> sorted(provisional_holidays(2027).items())[:3]
[(datetime.date(2027, 1, 1), '元旦'), (datetime.date(2027, 2, 5), '春节'), (datetime.date(2027, 2, 6), '春节')]
>>> rule_for(2024).spring_festival, rule_for(2025).spring_festival
((0, 1, 2), (-1, 0, 1, 2))
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType

from borax.calendars.lunardate import LunarDate, TermUtils

# The years borax has lunar data for: 除夕 of year Y is in lunar year Y − 1, so 1901 is the first.
LUNAR_YEARS = range(1901, 2101)


@dataclass(frozen=True)
class HolidayRule:
    """One version of the 放假办法: which days are statutory holidays, from ``first_year`` on.

    ``spring_festival`` lists days relative to 正月初一 (−1 is 除夕, the last day of the 12th lunar
    month, whether the 29th or the 30th); ``labour_day`` and ``national_day`` count days from
    May 1 and October 1; ``traditional`` adds 清明, 端午 and 中秋 (one day each).
    """

    first_year: int
    amended: str  # which version, for people
    spring_festival: tuple[int, ...]
    labour_day: int
    national_day: int
    traditional: bool


# Oldest first; a year takes the last rule whose first_year it has reached (years before the first
# rule take the first). Each version came into force on January 1 of its first_year, except the
# 1999 one (October 1999): its first whole year is 2000.
RULES: tuple[HolidayRule, ...] = (
    HolidayRule(1950, "1949", spring_festival=(0, 1, 2), labour_day=1, national_day=2, traditional=False),
    HolidayRule(2000, "1999", spring_festival=(0, 1, 2), labour_day=3, national_day=3, traditional=False),
    HolidayRule(2008, "2007", spring_festival=(-1, 0, 1), labour_day=1, national_day=3, traditional=True),
    HolidayRule(2014, "2013", spring_festival=(0, 1, 2), labour_day=1, national_day=3, traditional=True),
    HolidayRule(2025, "2024", spring_festival=(-1, 0, 1, 2), labour_day=2, national_day=3, traditional=True),
)


def rule_for(year: int) -> HolidayRule:
    """The version of the 放假办法 in force in ``year``."""
    chosen = RULES[0]
    for rule in RULES:
        if rule.first_year <= year:
            chosen = rule
    return chosen


def has_lunar_data(year: int) -> bool:
    """True if the lunar festivals (春节, 清明, 端午, 中秋) of ``year`` can be computed."""
    return year in LUNAR_YEARS


@functools.lru_cache(maxsize=512)
def provisional_holidays(year: int) -> Mapping[date, str]:
    """The statutory holidays of ``year`` by the rule in force, day → name (e.g. "春节"), without 调休.

    Outside LUNAR_YEARS only the solar-date holidays (元旦, 劳动节, 国庆节) are there. Two festivals
    on one day (中秋节 and 国庆节 in 2020) are one day off, named "中秋节、国庆节".
    """
    rule = rule_for(year)
    days: dict[date, str] = {}

    def add(day: date, name: str) -> None:
        days[day] = f"{days[day]}、{name}" if day in days else name

    add(date(year, 1, 1), "元旦")
    if has_lunar_data(year):
        new_year = LunarDate(year, 1, 1).to_solar_date()  # 正月初一
        for offset in rule.spring_festival:
            add(new_year + timedelta(days=offset), "春节")
        if rule.traditional:
            add(TermUtils.nth_term_day(year, term_name="清明"), "清明节")
    for i in range(rule.labour_day):
        add(date(year, 5, 1 + i), "劳动节")
    if has_lunar_data(year) and rule.traditional:
        add(LunarDate(year, 5, 5).to_solar_date(), "端午节")
        add(LunarDate(year, 8, 15).to_solar_date(), "中秋节")
    for i in range(rule.national_day):
        add(date(year, 10, 1 + i), "国庆节")
    return MappingProxyType(dict(sorted(days.items())))
