"""Limits ("4 WH", "30 NM") and deadline arithmetic: deadlines, suspension, warning points."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from dispatch.deadlines.calendar import WorkCalendar
from dispatch.deadlines.limits import (
    Limit,
    Unit,
    deadline_after,
    elapsed_fraction,
    fraction_point,
    offset,
    remaining,
    resume_deadline,
)

SH = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=0, minute=0, second=0):
    """An instant on the street's wall clock."""
    return datetime(year, month, day, hour, minute, second, tzinfo=SH)


@pytest.fixture
def cal():
    return WorkCalendar()


@pytest.mark.parametrize(
    ("text", "expected", "shown"),
    [
        ("4 WH", Limit(4, Unit.WH), "4 WH"),  # the usual form
        ("30NM", Limit(30, Unit.NM), "30 NM"),  # no space
        (" 20 WD ", Limit(20, Unit.WD), "20 WD"),  # surrounding blanks
        ("1.5 wh", Limit(1.5, Unit.WH), "1.5 WH"),  # fractional amount, lower-case unit
        ("2 NH", Limit(2, Unit.NH), "2 NH"),  # natural hours
    ],
)
def test_parse_and_str(text, expected, shown):
    limit = Limit.parse(text)
    assert limit == expected
    assert str(limit) == shown
    assert Limit.parse(str(limit)) == limit


@pytest.mark.parametrize(
    "text",
    [
        "",  # nothing
        "WH",  # no amount
        "4",  # no unit
        "4 XY",  # unknown unit
        "-1 WH",  # negative
        "0 WH",  # amount must be > 0
        "4 WH later",  # trailing words
        "1e3 WH",  # no exponents
        "4 W H",  # split unit
        None,  # not text at all
    ],
)
def test_parse_rejects_bad_text(text):
    with pytest.raises(ValueError):
        Limit.parse(text)


@pytest.mark.parametrize("amount", [0, -2, float("nan"), float("inf"), True, "4"])
def test_limit_amount_must_be_a_positive_number(amount):
    with pytest.raises(ValueError):
        Limit(amount, Unit.WH)


@pytest.mark.parametrize(
    ("limit", "natural", "minutes"),
    [
        (Limit(4, Unit.WH), False, 240),  # working hours
        (Limit(2, Unit.WD), False, 960),  # workdays = minutes_per_workday each
        (Limit(2, Unit.NH), True, 120),  # natural hours
        (Limit(30, Unit.NM), True, 30),  # natural minutes
    ],
)
def test_is_natural_and_minutes(cal, limit, natural, minutes):
    assert limit.is_natural is natural
    assert limit.minutes(cal) == minutes


@pytest.mark.parametrize(
    ("start", "limit", "expected"),
    [
        (at(2026, 3, 16, 11, 30), "1 WH", at(2026, 3, 16, 13, 30)),  # working hour across lunch
        (at(2026, 3, 16, 9, 0), "1 WD", at(2026, 3, 17, 9, 0)),  # one workday = 480 working minutes
        (at(2026, 3, 13, 16, 30), "2 WH", at(2026, 3, 16, 9, 30)),  # over the weekend
        (at(2026, 9, 30, 16, 30), "2 WH", at(2026, 10, 8, 9, 30)),  # over National Day
        (at(2026, 3, 16, 8, 30), "20 WD", at(2026, 4, 13, 17, 30)),  # 20 WD (违建 resolve)
        (at(2026, 3, 16, 23, 40), "30 NM", at(2026, 3, 17, 0, 10)),  # natural minutes across midnight
        (at(2026, 3, 14, 22, 0), "2 NH", at(2026, 3, 15, 0, 0)),  # natural hours on a weekend night
        (at(2026, 10, 3, 10, 0), "4 NH", at(2026, 10, 3, 14, 0)),  # urgent cases ignore holidays
        (at(2026, 3, 16, 12, 10), "30 NM", at(2026, 3, 16, 12, 40)),  # ... and the lunch break
        (at(2027, 1, 1, 9, 0), "1 NH", at(2027, 1, 1, 10, 0)),  # ... and missing holiday data
    ],
)
def test_deadline_after(cal, start, limit, expected):
    result = deadline_after(start, Limit.parse(limit), cal)
    assert result == expected
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    ("deadline", "limit", "expected"),
    [
        (at(2026, 3, 13, 17, 30), "1 WD", at(2026, 3, 16, 17, 30)),  # level 2 (督办): Fri close + 1 WD
        (at(2026, 3, 13, 17, 30), "3 WD", at(2026, 3, 18, 17, 30)),  # level 3: + 3 WD
        (at(2026, 3, 16, 12, 0), "1 WD", at(2026, 3, 17, 12, 0)),  # a noon deadline stays at noon
        (at(2026, 9, 30, 15, 0), "1 WD", at(2026, 10, 8, 15, 0)),  # over National Day
    ],
)
def test_offset_for_escalation_levels(cal, deadline, limit, expected):
    assert offset(deadline, Limit.parse(limit), cal) == expected


def test_suspend_on_friday_resume_on_tuesday(cal):
    # the deadline was Fri 17:30; suspended (挂账) Fri 16:00 with 1.5 WH left
    left = remaining(at(2026, 3, 13, 16, 0), at(2026, 3, 13, 17, 30), Unit.WH, cal)
    assert left == pytest.approx(90)
    # the clock restarts Tue 10:00: the new deadline is Tue 11:30
    assert resume_deadline(at(2026, 3, 17, 10, 0), left, Unit.WH, cal) == at(2026, 3, 17, 11, 30)


@pytest.mark.parametrize(
    ("now", "deadline", "unit", "expected"),
    [
        (at(2026, 3, 13, 16, 0), at(2026, 3, 16, 9, 30), "WH", 150),  # working minutes skip the weekend
        (at(2026, 3, 13, 16, 0), at(2026, 3, 16, 9, 30), "NH", 3 * 24 * 60 - 390),  # natural minutes do not
        (at(2026, 3, 16, 11, 0), at(2026, 3, 16, 10, 0), "WH", -60),  # overdue: negative
        (at(2026, 3, 16, 11, 0), at(2026, 3, 16, 10, 0), "NM", -60),  # overdue natural: negative
        (at(2026, 3, 16, 12, 30), at(2026, 3, 16, 12, 0), "WD", 0),  # overdue by lunch time only: zero
        (at(2026, 3, 16, 10, 0), at(2026, 3, 16, 10, 0), Limit(4, Unit.WH), 0),  # at the deadline; a Limit works too
    ],
)
def test_remaining(cal, now, deadline, unit, expected):
    assert remaining(now, deadline, unit, cal) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("now", "left", "unit", "expected"),
    [
        (at(2026, 3, 14, 10, 0), 90, Unit.WH, at(2026, 3, 16, 10, 0)),  # resumed on a Saturday: clock starts Monday
        (at(2026, 3, 14, 10, 0), 90, Unit.NM, at(2026, 3, 14, 11, 30)),  # natural: plain clock time
        (at(2026, 3, 17, 9, 0), -60, Unit.WH, at(2026, 3, 16, 17, 0)),  # suspended while overdue: still overdue
        (at(2026, 3, 17, 9, 0), -60, Unit.NM, at(2026, 3, 17, 8, 0)),  # same in natural time
    ],
)
def test_resume_deadline(cal, now, left, unit, expected):
    assert resume_deadline(now, left, unit, cal) == expected


# a 4 WH window from Mon 08:30 ends at 13:30 (3.5 h morning + 0.5 h afternoon)
@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(2026, 3, 16, 8, 0), 0.0),  # before the window opens
        (at(2026, 3, 16, 11, 30), 0.75),  # 180 of 240 working minutes
        (at(2026, 3, 16, 12, 30), 0.875),  # lunch does not eat the window
        (at(2026, 3, 16, 13, 30), 1.0),  # at the deadline
        (at(2026, 3, 16, 14, 30), 1.25),  # past it
    ],
)
def test_elapsed_fraction_working(cal, now, expected):
    start, deadline = at(2026, 3, 16, 8, 30), at(2026, 3, 16, 13, 30)
    assert elapsed_fraction(start, now, deadline, Unit.WH, cal) == pytest.approx(expected)


def test_elapsed_fraction_natural(cal):
    # a 2 NH window from 10:00: at 11:36, 96 of 120 minutes are gone
    assert elapsed_fraction(at(2026, 10, 3, 10, 0), at(2026, 10, 3, 11, 36), at(2026, 10, 3, 12, 0), "NH", cal) == (
        pytest.approx(0.8)
    )


@pytest.mark.parametrize(
    ("start", "limit", "expected"),
    [
        (at(2026, 3, 16, 8, 30), "4 WH", at(2026, 3, 16, 11, 42)),  # 192 of 240 working minutes
        (at(2026, 3, 13, 16, 30), "2 WH", at(2026, 3, 16, 9, 6)),  # 96 minutes: 60 on Friday, 36 on Monday
        (at(2026, 3, 16, 11, 30), "1 WH", at(2026, 3, 16, 13, 18)),  # 48 minutes: 30 before lunch, 18 after
        (at(2026, 3, 16, 10, 0), "30 NM", at(2026, 3, 16, 10, 24)),  # natural: 24 of 30 minutes
        (at(2026, 3, 16, 23, 0), "2 NH", at(2026, 3, 17, 0, 36)),  # natural across midnight
    ],
)
def test_fraction_point_for_the_80_percent_warning(cal, start, limit, expected):
    limit = Limit.parse(limit)
    deadline = deadline_after(start, limit, cal)
    point = fraction_point(start, deadline, 0.8, limit, cal)
    assert point == expected
    assert elapsed_fraction(start, point, deadline, limit, cal) == pytest.approx(0.8)


def test_fraction_point_ends_and_bad_fraction(cal):
    start, deadline = at(2026, 3, 16, 8, 30), at(2026, 3, 16, 13, 30)
    assert fraction_point(start, deadline, 1.0, Unit.WH, cal) == deadline  # 100 % is the deadline
    assert fraction_point(start, deadline, 0.0, Unit.WH, cal) == start  # 0 % is the start
    with pytest.raises(ValueError):
        fraction_point(start, deadline, -0.1, Unit.WH, cal)


@pytest.mark.parametrize(
    "call",
    [
        lambda cal: deadline_after(datetime(2026, 3, 16, 9, 0), Limit(1, Unit.NH), cal),
        lambda cal: deadline_after(datetime(2026, 3, 16, 9, 0), Limit(1, Unit.WH), cal),
        lambda cal: remaining(datetime(2026, 3, 16, 9, 0), at(2026, 3, 16, 10, 0), Unit.NM, cal),
        lambda cal: resume_deadline(datetime(2026, 3, 16, 9, 0), 30, Unit.NM, cal),
    ],
)
def test_naive_datetimes_are_rejected(cal, call):
    with pytest.raises(ValueError, match="timezone-aware"):
        call(cal)
