"""Loading and validating config/calendar.toml."""

import copy
from datetime import date
from pathlib import Path

import pytest

from dispatch.deadlines.config import CalendarConfigError, calendar_from_dict, load_calendar
from geo.problems import Problem

SHIPPED = Path(__file__).resolve().parents[3] / "config" / "calendar.toml"
SOURCE = "calendar.toml"

GOOD = {
    "timezone": "Asia/Shanghai",
    "working_hours": [["08:30", "12:00"], ["13:00", "17:30"]],
}


def with_changes(**changes):
    """GOOD with top-level keys replaced (a value of None removes the key)."""
    data = copy.deepcopy(GOOD)
    for key, value in changes.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    return data


def problems_of(data):
    with pytest.raises(CalendarConfigError) as info:
        calendar_from_dict(data, source=SOURCE)
    return info.value.problems


def test_shipped_config_loads():
    cal = load_calendar(SHIPPED)
    assert cal.timezone_name == "Asia/Shanghai"
    assert cal.minutes_per_workday == 480
    assert cal.has_data(2026) is True
    assert cal.has_data(2027) is False  # shipped without 2027: the State Council's schedule is unknown
    assert cal.missing_years([2026, 2027]) == [2027]


def test_year_override_makes_2027_known():
    data = with_changes(years={"2027": {"holidays": ["2027-01-01"], "workdays": ["2027-02-06"]}})
    cal = calendar_from_dict(data, source=SOURCE)
    assert cal.has_data(2027) is True
    assert cal.is_workday(date(2027, 1, 1)) is False  # listed holiday
    assert cal.is_workday(date(2027, 2, 6)) is True  # listed make-up Saturday


def test_toml_date_literals_are_accepted(tmp_path):
    path = tmp_path / "calendar.toml"
    path.write_text(
        'timezone = "Asia/Shanghai"\n'
        'working_hours = [["08:30", "12:00"], ["13:00", "17:30"]]\n'
        "[years.2027]\n"
        "holidays = [2027-01-01]\n",
        encoding="utf-8",
    )
    assert load_calendar(path).is_workday(date(2027, 1, 1)) is False


@pytest.mark.parametrize(
    ("data", "key", "reason"),
    [
        (with_changes(timezone="Mars/Olympus"), "timezone", "unknown timezone"),  # no such zone
        (with_changes(timezone=8), "timezone", "unknown timezone"),  # not a name
        (with_changes(timezone=None), "timezone", "missing"),  # absent
        (with_changes(working_hours=None), "working_hours", "missing"),  # absent
        (with_changes(working_hours=[]), "working_hours", "non-empty list"),  # no periods
        (with_changes(working_hours=[["08:30"]]), "working_hours[0]", "expected a period"),  # half a period
        (with_changes(working_hours=[["8:30", "12:00"]]), "working_hours[0][0]", "HH:MM"),  # one-digit hour
        (with_changes(working_hours=[["08:30", "25:00"]]), "working_hours[0][1]", "HH:MM"),  # no such hour
        (with_changes(working_hours=[["12:00", "08:30"]]), "working_hours[0]", "not after its start"),  # reversed
        (with_changes(working_hours=[["08:30", "08:30"]]), "working_hours[0]", "not after its start"),  # empty
        (
            with_changes(working_hours=[["08:30", "12:00"], ["11:00", "17:30"]]),
            "working_hours[1]",
            "overlaps",
        ),  # overlapping periods
        (
            with_changes(working_hours=[["13:00", "17:30"], ["08:30", "12:00"]]),
            "working_hours[1]",
            "in order",
        ),  # unordered periods
        (with_changes(years=[2027]), "years", "expected tables"),  # not a table
        (with_changes(years={"27": {"holidays": ["2027-01-01"]}}), "years.27", "four-digit year"),  # bad year
        (
            with_changes(years={"2027": {"holidays": ["2027-02-30"]}}),
            "years.2027.holidays[0]",
            "not a date",
        ),  # no such day
        (
            with_changes(years={"2027": {"holidays": ["2027-01-01", "2027/05/01"]}}),
            "years.2027.holidays[1]",
            "not a date",
        ),  # wrong format
        (
            with_changes(years={"2027": {"holidays": ["2027-01-01"], "workdays": ["2026-10-10"]}}),
            "years.2027.workdays[0]",
            "not in 2027",
        ),  # listed under the wrong year
        (
            with_changes(years={"2027": {"holidays": ["2027-01-01"], "workdays": ["2027-02-06", "2027-01-01"]}}),
            "years.2027.workdays[1]",
            "both",
        ),  # both holiday and workday
        (
            with_changes(years={"2027": {"holidays": ["2027-01-01", "2027-01-01"]}}),
            "years.2027.holidays[1]",
            "twice",
        ),  # duplicate
        (
            with_changes(years={"2027": {"holidays": "2027-01-01"}}),
            "years.2027.holidays",
            "list of dates",
        ),  # a string, not a list
        (with_changes(years={"2027": {"workdays": []}}), "years.2027.holidays", "no holidays"),  # empty override
        (
            with_changes(years={"2027": {"holidays": ["2027-01-01"], "holiday": ["2027-01-02"]}}),
            "years.2027.holiday",
            "unknown key",
        ),  # typo inside a year
        (with_changes(workinghours=[["08:30", "12:00"]]), "workinghours", "unknown key"),  # typo at the top
    ],
)
def test_each_problem_names_file_key_and_reason(data, key, reason):
    problems = problems_of(data)
    assert len(problems) == 1, problems
    problem = problems[0]
    assert problem.file == SOURCE
    assert problem.key == key
    assert reason in problem.reason
    assert problem == (SOURCE, key, problem.reason)  # also a plain (file, key, reason) tuple


def test_all_problems_are_reported_together():
    data = {
        "timezone": "Asia/Nowhere",
        "working_hours": [["08:30", "12:00"], ["11:00", "1730"]],
        "years": {"2027": {"holidays": ["2026-12-31", "2027-01-01"], "workdays": ["2027-01-01"]}},
    }
    problems = problems_of(data)
    assert {p.key for p in problems} == {
        "timezone",
        "working_hours[1][1]",
        "years.2027.holidays[0]",
        "years.2027.workdays[0]",
    }
    assert all(p.file == SOURCE for p in problems)


def test_error_message_lists_every_problem():
    error = CalendarConfigError([Problem("c.toml", "timezone", "bad"), Problem("c.toml", "years", "worse")])
    assert isinstance(error, ValueError)
    assert "c.toml: timezone: bad" in str(error)
    assert "c.toml: years: worse" in str(error)


def test_load_calendar_reports_the_file_path(tmp_path):
    path = tmp_path / "calendar.toml"
    path.write_text('timezone = "Nowhere"\nworking_hours = [["08:30", "12:00"]]\n', encoding="utf-8")
    with pytest.raises(CalendarConfigError) as info:
        load_calendar(path)
    assert info.value.problems == [(str(path), "timezone", info.value.problems[0].reason)]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("timezone = ", "not valid TOML"),  # broken syntax
        (None, "cannot read"),  # the file is missing
    ],
)
def test_unreadable_file_is_one_problem(tmp_path, content, reason):
    path = tmp_path / "calendar.toml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(CalendarConfigError) as info:
        load_calendar(path)
    [problem] = info.value.problems
    assert problem.file == str(path)
    assert reason in problem.reason
