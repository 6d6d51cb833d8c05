"""The provisional (预计) statutory holidays computed from the 放假办法, checked against official schedules."""

from datetime import date

import chinese_calendar
import pytest

from dispatch.deadlines.holidays import has_lunar_data, provisional_holidays, rule_for

# chinesecalendar's name of each festival, to check that a computed day is off for the right reason.
OFFICIAL_NAMES = {
    "元旦": "New Year's Day",
    "春节": "Spring Festival",
    "清明节": "Tomb-sweeping Day",
    "劳动节": "Labour Day",
    "端午节": "Dragon Boat Festival",
    "中秋节": "Mid-autumn Festival",
    "国庆节": "National Day",
}


def days_named(year, name):
    return sorted(day for day, names in provisional_holidays(year).items() if name in names.split("、"))


@pytest.mark.parametrize("year", range(2004, 2027))  # every year chinesecalendar has the State Council's schedule of
def test_every_computed_holiday_is_a_day_off_in_the_official_schedule(year):
    for day, names in provisional_holidays(year).items():
        assert chinese_calendar.is_holiday(day), f"{day} ({names}) is a workday in the official {year} schedule"
        official = chinese_calendar.get_holiday_detail(day)[1]
        if official is not None:  # a weekend day inside a break may carry no name
            assert official in {OFFICIAL_NAMES[n] for n in names.split("、")}, f"{day}: {names} vs {official}"


@pytest.mark.parametrize(
    ("year", "spring_festival", "labour_day", "national_day", "traditional"),
    [
        (2003, ["2003-02-01", "2003-02-02", "2003-02-03"], 3, 3, False),  # 1999 rule: 初一–初三, May 1–3
        (2008, ["2008-02-06", "2008-02-07", "2008-02-08"], 1, 3, True),  # 2007 rule: 除夕–初二, 清明/端午/中秋 added
        (2024, ["2024-02-10", "2024-02-11", "2024-02-12"], 1, 3, True),  # 2013 rule: 初一–初三 (除夕 Feb 9 worked)
        (2025, ["2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31"], 2, 3, True),  # 2024 rule: 除夕 (腊月廿九)–初三
        (2027, ["2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08"], 2, 3, True),  # the same rule, going on
    ],
)
def test_the_rule_in_force_decides_the_days(year, spring_festival, labour_day, national_day, traditional):
    assert [d.isoformat() for d in days_named(year, "春节")] == spring_festival
    assert days_named(year, "劳动节") == [date(year, 5, 1 + i) for i in range(labour_day)]
    assert days_named(year, "国庆节") == [date(year, 10, 1 + i) for i in range(national_day)]
    assert days_named(year, "元旦") == [date(year, 1, 1)]
    assert bool(days_named(year, "清明节")) is traditional
    assert rule_for(year).traditional is traditional


# Years after chinesecalendar's data: the lunar dates, each checked against a second, independent
# computation (lunar_python's astronomical one, 寿星天文历) and the published lunar calendars.
@pytest.mark.parametrize(
    ("year", "name", "expected"),
    [
        (2027, "春节", ["2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08"]),  # 除夕 is 腊月廿九
        (2027, "清明节", ["2027-04-05"]),
        (2027, "端午节", ["2027-06-09"]),
        (2027, "中秋节", ["2027-09-15"]),
        (2028, "春节", ["2028-01-25", "2028-01-26", "2028-01-27", "2028-01-28"]),
        (2028, "清明节", ["2028-04-04"]),
        (2028, "端午节", ["2028-05-28"]),
        (2028, "中秋节", ["2028-10-03"]),  # also 国庆's third day: one day off for both
        (2029, "春节", ["2029-02-12", "2029-02-13", "2029-02-14", "2029-02-15"]),
        (2029, "清明节", ["2029-04-04"]),
        (2029, "端午节", ["2029-06-16"]),
        (2029, "中秋节", ["2029-09-22"]),
        (2030, "春节", ["2030-02-02", "2030-02-03", "2030-02-04", "2030-02-05"]),  # 除夕 is 腊月三十
        (2030, "清明节", ["2030-04-05"]),
        (2030, "端午节", ["2030-06-05"]),
        (2030, "中秋节", ["2030-09-12"]),
    ],
)
def test_lunar_festivals_after_the_package_years(year, name, expected):
    assert [d.isoformat() for d in days_named(year, name)] == expected


def test_two_festivals_on_one_day_are_one_day_off():
    # 2020: 中秋 fell on October 1
    assert provisional_holidays(2020)[date(2020, 10, 1)] == "中秋节、国庆节"
    assert len(provisional_holidays(2020)) == 10  # 1 + 3 + 1 + 1 + 1 + 3, one day shared


@pytest.mark.parametrize("year", [1, 1899, 2101, 9999])
def test_beyond_the_lunar_tables_only_solar_dates_count(year):
    assert not has_lunar_data(year)
    names = set(provisional_holidays(year).values())
    assert names == {"元旦", "劳动节", "国庆节"}
