"""WorkCalendar: workdays from overrides, chinesecalendar or the provisional calendar, and working-time arithmetic."""

import logging
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from dispatch.deadlines.calendar import WorkCalendar, YearOverride

SH = ZoneInfo("Asia/Shanghai")
LOGGER = "dispatch.deadlines.calendar"


def at(year, month, day, hour=0, minute=0, second=0):
    """An instant on the street's wall clock."""
    return datetime(year, month, day, hour, minute, second, tzinfo=SH)


def override_2027_new_year():
    return {2027: YearOverride(holidays=frozenset({date(2027, 1, 1)}), workdays=frozenset({date(2027, 2, 6)}))}


@pytest.fixture
def cal():
    return WorkCalendar()


# 2026-03-13 is a Friday, 2026-03-16 a Monday; that fortnight has no holidays.
@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        (at(2026, 3, 16, 11, 30), 60, at(2026, 3, 16, 13, 30)),  # across the lunch break
        (at(2026, 3, 16, 17, 0), 60, at(2026, 3, 17, 9, 0)),  # across the evening
        (at(2026, 3, 13, 16, 30), 120, at(2026, 3, 16, 9, 30)),  # Friday afternoon over the weekend
        (at(2026, 9, 30, 16, 30), 120, at(2026, 10, 8, 9, 30)),  # over National Day (Oct 1-7 off)
        (at(2026, 10, 9, 17, 0), 60, at(2026, 10, 10, 9, 0)),  # make-up Saturday 2026-10-10 is a workday
        (at(2026, 9, 18, 17, 0), 60, at(2026, 9, 20, 9, 0)),  # make-up Sunday 2026-09-20 (Sat 19th is off)
        (at(2026, 9, 24, 17, 0), 60, at(2026, 9, 28, 9, 0)),  # Mid-Autumn Fri 2026-09-25 is off
        (at(2026, 2, 14, 17, 0), 60, at(2026, 2, 24, 9, 0)),  # Spring Festival: make-up Sat 14th, then Feb 15-23 off
        (at(2026, 3, 16, 8, 30), 210, at(2026, 3, 16, 12, 0)),  # lands exactly at 12:00 and stays there
        (at(2026, 3, 16, 11, 0), 60, at(2026, 3, 16, 12, 0)),  # also exactly 12:00, not 13:00
        (at(2026, 3, 16, 16, 30), 60, at(2026, 3, 16, 17, 30)),  # lands exactly at 17:30, not next morning
        (at(2026, 3, 16, 8, 30), 480, at(2026, 3, 16, 17, 30)),  # one full workday from opening
        (at(2026, 3, 16, 8, 30), 240, at(2026, 3, 16, 13, 30)),  # 4 WH from 08:30: 3.5 h morning + 0.5 h
        (at(2026, 3, 16, 12, 15), 30, at(2026, 3, 16, 13, 30)),  # start inside lunch begins at 13:00
        (at(2026, 3, 16, 12, 0), 30, at(2026, 3, 16, 13, 30)),  # start exactly at 12:00 begins at 13:00
        (at(2026, 3, 16, 22, 0), 30, at(2026, 3, 17, 9, 0)),  # start at night begins next morning
        (at(2026, 3, 17, 3, 0), 30, at(2026, 3, 17, 9, 0)),  # start before dawn begins at 08:30
        (at(2026, 10, 3, 10, 0), 60, at(2026, 10, 8, 9, 30)),  # start on a holiday
        (at(2026, 3, 14, 10, 0), 60, at(2026, 3, 16, 9, 30)),  # start on an ordinary Saturday
        (at(2026, 3, 16, 8, 30), 0.5, at(2026, 3, 16, 8, 30, 30)),  # fractional minutes keep the seconds
        (at(2026, 3, 16, 8, 30), 20 * 480, at(2026, 4, 13, 17, 30)),  # 20 WD, Qingming Mon Apr 6 skipped
        (at(2026, 3, 16, 8, 30), 60 * 480, at(2026, 6, 10, 17, 30)),  # 60 WD across Qingming, May Day, Dragon Boat
    ],
)
def test_add_working_minutes(cal, start, minutes, expected):
    result = cal.add_working_minutes(start, minutes)
    assert result == expected
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (at(2026, 3, 16, 12, 20), at(2026, 3, 16, 13, 0)),  # in lunch: the afternoon's start
        (at(2026, 3, 16, 12, 0), at(2026, 3, 16, 13, 0)),  # a period end is not working time
        (at(2026, 3, 13, 17, 30), at(2026, 3, 16, 8, 30)),  # Friday closing: Monday's opening
        (at(2026, 3, 16, 9, 15), at(2026, 3, 16, 9, 15)),  # inside working time: unchanged
        (at(2026, 3, 16, 8, 30), at(2026, 3, 16, 8, 30)),  # at a period start: unchanged
    ],
)
def test_zero_minutes_gives_next_working_instant(cal, start, expected):
    assert cal.add_working_minutes(start, 0) == expected


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        (at(2026, 3, 16, 13, 0), -60, at(2026, 3, 16, 11, 0)),  # back across lunch
        (at(2026, 3, 16, 8, 30), -60, at(2026, 3, 13, 16, 30)),  # back over the weekend
        (at(2026, 3, 16, 20, 0), -30, at(2026, 3, 16, 17, 0)),  # from the evening: previous close
        (at(2026, 3, 16, 9, 0), -30, at(2026, 3, 16, 8, 30)),  # lands exactly at a period start
        (at(2026, 10, 8, 9, 30), -120, at(2026, 9, 30, 16, 30)),  # back over National Day
    ],
)
def test_negative_minutes_walk_backwards(cal, start, minutes, expected):
    assert cal.add_working_minutes(start, minutes) == expected


def test_other_input_zones_are_converted(cal):
    # 03:30 UTC is 11:30 in Shanghai; the result is UTC 05:30 = 13:30 Shanghai
    start = datetime(2026, 3, 16, 3, 30, tzinfo=UTC)
    assert cal.add_working_minutes(start, 60) == datetime(2026, 3, 16, 5, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (at(2026, 3, 16, 11, 0), at(2026, 3, 16, 14, 0), 120),  # lunch does not count
        (at(2026, 3, 13, 17, 0), at(2026, 3, 16, 9, 0), 60),  # weekend does not count
        (at(2026, 9, 30, 16, 30), at(2026, 10, 8, 9, 30), 120),  # National Day does not count
        (at(2026, 3, 16, 0, 0), at(2026, 3, 17, 0, 0), 480),  # a whole workday
        (at(2026, 3, 14, 0, 0), at(2026, 3, 16, 0, 0), 0),  # a whole weekend
        (at(2026, 3, 16, 8, 30), at(2026, 3, 16, 8, 30, 30), 0.5),  # fractional minutes
        (at(2026, 3, 16, 14, 0), at(2026, 3, 16, 11, 0), 0),  # end before start
        (at(2026, 3, 16, 14, 0), at(2026, 3, 16, 14, 0), 0),  # empty span
        (at(2026, 3, 16, 8, 30), at(2026, 6, 10, 17, 30), 60 * 480),  # 60 WD
    ],
)
def test_working_minutes_between(cal, start, end, expected):
    assert cal.working_minutes_between(start, end) == pytest.approx(expected)


@pytest.mark.parametrize(
    "start",
    [
        at(2026, 3, 16, 9, 17),  # inside the morning
        at(2026, 3, 16, 12, 30),  # inside lunch
        at(2026, 3, 13, 19, 0),  # Friday evening
        at(2026, 9, 30, 10, 0),  # before National Day
        at(2026, 12, 30, 15, 0),  # across the year end into 2027 (provisional)
    ],
)
@pytest.mark.parametrize("minutes", [0.25, 45, 210, 480, 1000, 20 * 480])
def test_between_round_trips_add(cal, start, minutes):
    # counting the working time up to the deadline gives back what was added
    deadline = cal.add_working_minutes(start, minutes)
    assert cal.working_minutes_between(start, deadline) == pytest.approx(minutes)


def test_between_matches_minute_by_minute_count(cal):
    # a brute-force reference: count the minutes whose start lies inside a working period
    start, end = at(2026, 9, 24, 7, 0), at(2026, 10, 12, 19, 0)
    count, t = 0, start
    while t < end:
        local = t.astimezone(SH)
        if cal.is_workday(local.date()) and any(s <= local.time() < e for s, e in cal.working_hours):
            count += 1
        t += timedelta(minutes=1)
    assert cal.working_minutes_between(start, end) == count


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 16), True),  # an ordinary Monday
        (date(2026, 3, 14), False),  # an ordinary Saturday
        (date(2026, 10, 1), False),  # National Day
        (date(2026, 10, 10), True),  # make-up Saturday
        (date(2026, 9, 20), True),  # make-up Sunday
        (date(2026, 1, 4), True),  # make-up Sunday after New Year
        (date(2026, 2, 23), False),  # last day of the Spring Festival break (a Monday)
    ],
)
def test_is_workday_2026(cal, day, expected):
    assert cal.is_workday(day) is expected


@pytest.mark.parametrize(
    ("years", "day", "expected"),
    [
        (None, date(2027, 1, 1), False),  # provisional: 元旦, a Friday off
        (None, date(2027, 1, 2), False),  # provisional: Saturday
        (None, date(2027, 2, 5), False),  # provisional: 除夕, a Friday off
        (None, date(2027, 2, 6), False),  # provisional: 初一, a Saturday (no 补休)
        (None, date(2027, 2, 8), False),  # provisional: 初三, a Monday off
        (None, date(2027, 2, 9), True),  # provisional: the Tuesday after (no 调休 predicted)
        (None, date(2027, 2, 20), False),  # provisional: a Saturday stays off (no make-up day predicted)
        (None, date(2027, 6, 9), False),  # provisional: 端午, a Wednesday
        (None, date(2027, 9, 15), False),  # provisional: 中秋, a Wednesday
        (None, date(2027, 10, 4), True),  # provisional: 国庆 is Oct 1-3 only; Monday Oct 4 works
        (override_2027_new_year(), date(2027, 1, 1), False),  # override: New Year's Day off
        (override_2027_new_year(), date(2027, 2, 6), True),  # override: a make-up Saturday
        (override_2027_new_year(), date(2027, 2, 8), True),  # override wins: not listed, a workday
        (override_2027_new_year(), date(2027, 1, 4), True),  # override: an ordinary Monday
        (override_2027_new_year(), date(2027, 1, 2), False),  # override: an ordinary Saturday
    ],
)
def test_is_workday_2027(years, day, expected):
    assert WorkCalendar(years=years).is_workday(day) is expected


def test_override_is_authoritative_for_a_known_year():
    # a 2026 override replaces the package's data: Oct 1 becomes a workday, Oct 10 a plain Saturday
    cal = WorkCalendar(years={2026: YearOverride(holidays=frozenset({date(2026, 1, 1)}))})
    assert cal.is_workday(date(2026, 10, 1)) is True
    assert cal.is_workday(date(2026, 10, 10)) is False


def test_year_end_without_2027_data_is_provisional_and_warns_once(cal, caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    # Thu 2026-12-31 17:00 + 1 WD: 30 min on the 31st, 元旦 Fri 2027-01-01 off, weekend, then Monday
    assert cal.add_working_minutes(at(2026, 12, 31, 17, 0), 480) == at(2027, 1, 4, 17, 0)
    assert cal.add_working_minutes(at(2027, 1, 4, 9, 0), 480) == at(2027, 1, 5, 9, 0)
    warnings = [r for r in caplog.records if r.name == LOGGER and "2027" in r.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert "provisional" in warnings[0].getMessage() and "[years.2027]" in warnings[0].getMessage()
    assert cal.provisional_years == {2027}
    assert cal.fallback_years == {2027}  # the former name


def test_20_working_days_into_the_new_year_skip_new_years_day(cal):
    # reported Sunday 2026-12-20 10:00: the clock starts Monday 08:30; 9 WD in 2026, 元旦 2027 is off,
    # then 11 WD more (Mon-Fri only, no 调休 predicted) end Monday 2027-01-18 17:30
    start = at(2026, 12, 20, 10, 0)
    deadline = cal.add_working_minutes(start, 20 * 480)
    assert deadline == at(2027, 1, 18, 17, 30)
    assert cal.spans_provisional(start, deadline) is True
    assert cal.spans_provisional(start, at(2026, 12, 31, 17, 30)) is False


def test_config_year_wins_over_the_provisional_calendar():
    # the street's [years.2027] lists only 元旦 and a make-up Saturday: 春节 days it leaves out are workdays
    cal = WorkCalendar(years=override_2027_new_year())
    assert cal.source(2027) == "config"
    assert cal.is_provisional(date(2027, 2, 8)) is False
    assert cal.add_working_minutes(at(2027, 2, 4, 17, 0), 480) == at(2027, 2, 5, 17, 0)  # 除夕 worked
    assert cal.provisional_years == frozenset()


@pytest.mark.parametrize(
    ("years", "year", "expected"),
    [
        (None, 2026, "chinesecalendar"),  # the package's official schedule
        (None, 2004, "chinesecalendar"),  # ... back to 2004
        (None, 2003, "provisional"),  # before the package: computed
        (None, 2027, "provisional"),  # after it: computed, until the street adds [years.2027]
        (override_2027_new_year(), 2027, "config"),  # the street's own table
        ({2026: YearOverride(holidays=frozenset({date(2026, 1, 1)}))}, 2026, "config"),  # wins over the package
    ],
)
def test_source_of_a_year(years, year, expected):
    cal = WorkCalendar(years=years)
    assert cal.source(year) == expected
    assert cal.is_provisional(date(year, 3, 1)) is (expected == "provisional")


def test_days_off_of_a_provisional_year():
    off = WorkCalendar().days_off(2027)
    weekends = {d for d in WorkCalendar().workdays(2027) | off if d.weekday() >= 5}
    holidays_on_weekdays = {date(2027, 1, 1), date(2027, 2, 5), date(2027, 2, 8), date(2027, 4, 5),
                            date(2027, 6, 9), date(2027, 9, 15), date(2027, 10, 1)}
    assert off == weekends | holidays_on_weekdays
    assert len(off) + len(WorkCalendar().workdays(2027)) == 365


def test_days_off_of_a_package_year_keep_its_make_up_days():
    cal = WorkCalendar()
    assert {date(2026, 10, 1), date(2026, 10, 7), date(2026, 2, 23)} <= cal.days_off(2026)
    assert {date(2026, 1, 4), date(2026, 2, 14), date(2026, 10, 10)} <= cal.workdays(2026)  # 调休
    assert cal.days_off(2026) is cal.days_off(2026)  # cached


def test_changed_days_between_two_calendars_of_a_year():
    # what a later "the calendar data of 2027 changed" finds: the provisional days vs the street's table
    provisional, configured = WorkCalendar(), WorkCalendar(years=override_2027_new_year())
    assert provisional.changed_days(configured, 2027) == {
        date(2027, 2, 5), date(2027, 2, 8), date(2027, 4, 5), date(2027, 6, 9), date(2027, 9, 15),
        date(2027, 10, 1),  # provisional holidays on weekdays the table does not list
        date(2027, 2, 6),  # the table's make-up Saturday
    }
    assert configured.changed_days(provisional, 2027) == provisional.changed_days(configured, 2027)
    assert provisional.changed_days(configured, 2026) == frozenset()


def test_days_off_logs_nothing(cal, caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    cal.days_off(2030)
    assert not caplog.records
    assert cal.provisional_years == frozenset()


def test_year_end_with_2027_override_skips_new_year(caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    cal = WorkCalendar(years=override_2027_new_year())
    # Jan 1 is a holiday, Jan 2-3 the weekend: the workday ends Mon 2027-01-04 17:00
    assert cal.add_working_minutes(at(2026, 12, 31, 17, 0), 480) == at(2027, 1, 4, 17, 0)
    assert not [r for r in caplog.records if r.name == LOGGER]
    assert cal.fallback_years == frozenset()


@pytest.mark.parametrize("year", [2027, 2030, 2100, 2101, 2003, 1900])
def test_never_crashes_on_a_year_without_data(cal, year):
    start = at(year - 1, 12, 30, 9, 0)
    deadline = cal.add_working_minutes(start, 5 * 480)
    assert deadline > start
    assert cal.working_minutes_between(start, deadline) == pytest.approx(5 * 480)


@pytest.mark.parametrize(
    ("years", "year", "expected"),
    [
        (None, 2026, True),  # the package knows 2026
        (None, 2004, True),  # ... and back to 2004
        (None, 2003, False),  # ... but not before
        (None, 2027, False),  # no 2027 data yet
        (override_2027_new_year(), 2027, True),  # the street added 2027 itself
        (None, 0, False),  # not even a representable year: no crash
    ],
)
def test_has_data(years, year, expected):
    assert WorkCalendar(years=years).has_data(year) is expected


def test_missing_years_for_the_cockpit_banner(cal):
    assert cal.missing_years([2026, 2027, 2027, 2028, 2025]) == [2027, 2028]
    assert WorkCalendar(years=override_2027_new_year()).missing_years([2026, 2027]) == []


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (((time(8, 30), time(12, 0)), (time(13, 0), time(17, 30))), 480),  # the street's hours
        (((time(9, 0), time(17, 0)),), 480),  # one unbroken period
        (((time(9, 0), time(11, 45)),), 165),  # a short day
    ],
)
def test_minutes_per_workday(hours, expected):
    assert WorkCalendar(working_hours=hours).minutes_per_workday == expected


@pytest.mark.parametrize(
    "kwargs",
    [
        {"timezone": "Mars/Olympus"},  # unknown zone
        {"working_hours": ()},  # no working time at all
        {"working_hours": ((time(12, 0), time(8, 30)),)},  # ends before it starts
        {"working_hours": ((time(8, 30), time(12, 0)), (time(11, 0), time(17, 0)))},  # overlap
        {"years": {2027: YearOverride(holidays=frozenset({date(2026, 10, 1)}))}},  # date in the wrong year
        {"years": {2027: YearOverride(holidays=frozenset({date(2027, 1, 1)}), workdays=frozenset({date(2027, 1, 1)}))}},
    ],
)
def test_bad_construction_is_a_value_error(kwargs):
    with pytest.raises(ValueError):
        WorkCalendar(**kwargs)


@pytest.mark.parametrize(
    "call",
    [
        lambda cal: cal.add_working_minutes(datetime(2026, 3, 16, 9, 0), 60),
        lambda cal: cal.working_minutes_between(datetime(2026, 3, 16, 9, 0), at(2026, 3, 16, 10, 0)),
        lambda cal: cal.working_minutes_between(at(2026, 3, 16, 9, 0), datetime(2026, 3, 16, 10, 0)),
    ],
)
def test_naive_datetimes_are_rejected(cal, call):
    with pytest.raises(ValueError, match="timezone-aware"):
        call(cal)


@pytest.mark.parametrize("method", ["is_workday", "is_provisional"])
def test_days_are_dates_not_instants(cal, method):
    with pytest.raises(TypeError):
        getattr(cal, method)(at(2026, 3, 16, 9, 0))
