"""config/: the shipped files load; a broken folder is refused with every problem (file, key, reason)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from dispatch.street.config import ConfigError, load_config
from tests.helpers import CONFIG_DIR


def edit(config_dir: Path, name: str, old: str, new: str) -> None:
    """Replace `old` (which must be there) by `new` in one config file."""
    path = config_dir / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems_of(config_dir: Path) -> list[tuple[str, str, str]]:
    with pytest.raises(ConfigError) as info:
        load_config(config_dir)
    return [(p.file, p.key, p.reason) for p in info.value.problems]


def has(problems, file: str, key: str, reason_part: str) -> bool:
    return any(f == file and k == key and reason_part in r for f, k, r in problems)


def test_shipped_config_loads():
    # What ships in config/ is the street's real setup: 12 departments, 25 categories, 3 zones.
    cfg = load_config(CONFIG_DIR)
    assert len(cfg.departments) == 12
    assert len(cfg.categories) >= 25
    assert sorted(z.code for z in cfg.zones) == ["jiaoxi", "xiangyi", "zhongyuan"]
    assert {z.code: z.station for z in cfg.zones} == {
        "xiangyi": "station_xiangyi", "jiaoxi": "station_jiaoxi", "zhongyuan": "station_zhongyuan"}
    assert cfg.routing.rule[0].department == "@station"
    assert cfg.intake.duplicates.radius_m == 50 and cfg.intake.zone_tolerance_m == 30
    assert cfg.category_by_code("06010").slug == "exposed_garbage"


# Each case: what the street's IT person got wrong, and the problem the loader must name.
BREAKAGES = [
    # a routing rule naming a department that does not exist (typo of river_office)
    pytest.param(lambda d: edit(d, "routing.toml", 'department = "river_office"', 'department = "river_ofice"'),
                 ("routing.toml", "rule.6.department", "unknown department 'river_ofice'"), id="rule-department"),
    # a routing rule naming a category slug that does not exist
    pytest.param(lambda d: edit(d, "routing.toml", 'categories = ["river_litter"]',
                                'categories = ["river_litter", "river_trash"]'),
                 ("routing.toml", "rule.6.categories", "unknown category 'river_trash'"), id="rule-category"),
    # a routing rule naming a zone that does not exist
    pytest.param(lambda d: edit(d, "routing.toml", 'categories = ["river_litter"]',
                                'categories = ["river_litter"]\nzones = ["changfeng"]'),
                 ("routing.toml", "rule.6.zones", "unknown zone 'changfeng'"), id="rule-zone"),
    # a deadline in a unit that does not exist
    pytest.param(lambda d: edit(d, "categories.toml", 'response = "4 WH"', 'response = "4 XX"'),
                 ("categories.toml", "category.0.response", "unknown limit unit 'XX'"), id="bad-limit"),
    # two categories with the same GB/T code (bin_overflow copied from exposed_garbage)
    pytest.param(lambda d: edit(d, "categories.toml", 'code = "06042"', 'code = "06010"'),
                 ("categories.toml", "category.2.code", "duplicate code '06010'"), id="duplicate-code"),
    # two departments with the same code
    pytest.param(lambda d: edit(d, "departments.toml", 'code = "police"', 'code = "market"'),
                 ("departments.toml", "department.6.code", "duplicate code 'market'"), id="duplicate-department"),
    # a file deleted by mistake
    pytest.param(lambda d: (d / "escalation.toml").unlink(),
                 ("escalation.toml", "(file)", "file is missing"), id="missing-file"),
    pytest.param(lambda d: (d / "zones.geojson").unlink(),
                 ("zones.geojson", "(file)", "file is missing"), id="missing-zones"),
    # zones.geojson saved half-way (not JSON any more)
    pytest.param(lambda d: (d / "zones.geojson").write_text('{"type": "FeatureCollection", "features": [',
                                                            encoding="utf-8"),
                 ("zones.geojson", "(file)", "not valid JSON"), id="zones-not-json"),
    # a zone whose station is not one of the departments (jiaoxi is the third feature)
    pytest.param(lambda d: edit(d, "zones.geojson", '"station": "station_jiaoxi"', '"station": "station_jx"'),
                 ("zones.geojson", "features[2].properties.station", "unknown department 'station_jx'"),
                 id="zone-station"),
    # a route nobody can take: the command center has no desk, so nobody could sign for 架空线缆脱落
    pytest.param(lambda d: edit(d, "routing.toml", 'department = "city_works"', 'department = "command_center"'),
                 ("routing.toml", "rule.5.department", "'command_center' is the command center"),
                 id="route-to-the-command-center"),
    # a zone whose "station" is the command center: 楼道 reports of that zone would reach no desk
    pytest.param(lambda d: edit(d, "zones.geojson", '"station": "station_jiaoxi"', '"station": "command_center"'),
                 ("zones.geojson", "features[2].properties.station", "nobody can sign for"),
                 id="zone-station-without-desk"),
    # a TOML syntax error
    pytest.param(lambda d: edit(d, "intake.toml", 'number_prefix = "YC"', 'number_prefix = "YC'),
                 ("intake.toml", "(file)", "not valid TOML"), id="toml-syntax"),
    # a key that does not exist (a typo would otherwise be silently ignored)
    pytest.param(lambda d: edit(d, "intake.toml", "zone_tolerance_m = 30.0", "zone_tolerence_m = 30.0"),
                 ("intake.toml", "zone_tolerence_m", "Extra inputs are not permitted"), id="unknown-key"),
    # a public URL that is not an absolute http(s) base (Open311 discovery names it)
    pytest.param(lambda d: edit(d, "intake.toml", 'public_url = "http://127.0.0.1:5000"',
                                'public_url = "wgh.example.cn"'),
                 ("intake.toml", "public_url", "must be an absolute http(s) URL"), id="public-url-relative"),
    pytest.param(lambda d: edit(d, "intake.toml", 'public_url = "http://127.0.0.1:5000"',
                                'public_url = "https://wgh.example.cn/?x=1"'),
                 ("intake.toml", "public_url", "no query, fragment"), id="public-url-query"),
    # a routing time window that is not HH:MM
    pytest.param(lambda d: edit(d, "routing.toml", 'department = "river_office"',
                                'department = "river_office"\nhours = ["22:00", "6:00"]'),
                 ("routing.toml", "rule.6.hours", "'6:00' is not HH:MM"), id="bad-hours"),
    # bounds on a question whose answer is not a number (楼层 is a string)
    pytest.param(lambda d: edit(d, "categories.toml", 'datatype_description = "如 3楼、3-4楼之间"',
                                'datatype_description = "如 3楼、3-4楼之间"\nminimum = 1'),
                 ("categories.toml", "category.9.attributes.0", "only number attributes take minimum/maximum"),
                 id="bounds-on-a-string"),
    # households: at least 100 and at most 99
    pytest.param(lambda d: edit(d, "categories.toml", "minimum = 1\n", "minimum = 100\n"),
                 ("categories.toml", "category.11.attributes.0", "minimum is above maximum"), id="bounds-crossed"),
]


@pytest.mark.parametrize("breakage, expected", BREAKAGES)
def test_each_broken_config_is_refused_naming_file_key_and_reason(config_dir, breakage, expected):
    breakage(config_dir)
    problems = problems_of(config_dir)
    assert has(problems, *expected), problems


def test_every_problem_is_listed_in_one_pass(config_dir):
    # Six mistakes across four files at once: the IT person gets all six, not the first one, so one
    # round of fixes is enough. (A bad limit in categories.toml must not hide the routing mistakes.)
    edit(config_dir, "routing.toml", 'department = "river_office"', 'department = "river_ofice"')
    edit(config_dir, "routing.toml", 'categories = ["fallen_cable", "road_flooding"]',
         'categories = ["fallen_cable", "road_floods"]')
    edit(config_dir, "categories.toml", 'response = "4 WH"', 'response = "4 XX"')
    edit(config_dir, "categories.toml", 'code = "06042"', 'code = "06010"')
    edit(config_dir, "zones.geojson", '"station": "station_xiangyi"', '"station": "station_xy"')
    (config_dir / "escalation.toml").unlink()
    problems = problems_of(config_dir)
    for expected in [
        ("routing.toml", "rule.6.department", "unknown department 'river_ofice'"),
        ("routing.toml", "rule.5.categories", "unknown category 'road_floods'"),
        ("categories.toml", "category.0.response", "unknown limit unit 'XX'"),
        ("categories.toml", "category.2.code", "duplicate code '06010'"),
        ("zones.geojson", "features[0].properties.station", "unknown department 'station_xy'"),
        ("escalation.toml", "(file)", "file is missing"),
    ]:
        assert has(problems, *expected), (expected, problems)
    assert len(problems) == 6, problems


def test_a_missing_departments_file_does_not_flood_the_report(config_dir):
    # Without departments.toml every department reference would be "unknown": one problem is enough.
    (config_dir / "departments.toml").unlink()
    assert problems_of(config_dir) == [("departments.toml", "(file)", "file is missing")]


def test_zones_with_a_broken_feature_still_check_the_others(config_dir):
    # The first zone has no name; the third names a station that does not exist: both are reported,
    # and the station problem points at the right feature in the file.
    data = json.loads((config_dir / "zones.geojson").read_text(encoding="utf-8"))
    del data["features"][0]["properties"]["name"]
    data["features"][2]["properties"]["station"] = "station_nowhere"
    (config_dir / "zones.geojson").write_text(json.dumps(data), encoding="utf-8")
    problems = problems_of(config_dir)
    assert has(problems, "zones.geojson", "features[0].properties.name", "missing or empty name")
    assert has(problems, "zones.geojson", "features[2].properties.station", "unknown department 'station_nowhere'")


def test_missing_folder(tmp_path):
    # DISPATCH_CONFIG_DIR pointing nowhere is one clear problem.
    problems = problems_of(tmp_path / "no-such-config")
    assert problems == [(str(tmp_path / "no-such-config"), "(folder)", "config folder does not exist")]


def test_create_app_refuses_a_broken_config_naming_file_key_and_reason(tmp_path, config_dir):
    # The server does not start half-configured: the error message names the file, the key and why.
    from dispatch import create_app

    edit(config_dir, "routing.toml", 'department = "river_office"', 'department = "river_ofice"')
    edit(config_dir, "categories.toml", 'response = "4 WH"', 'response = "4 XX"')
    with pytest.raises(ConfigError) as info:
        create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
                    "CONFIG_DIR": str(config_dir), "VAR_DIR": str(tmp_path / "var")})
    message = str(info.value)
    assert "routing.toml: rule.6.department: unknown department 'river_ofice'" in message
    assert "categories.toml: category.0.response: unknown limit unit 'XX'" in message


def test_calendar_problems_are_named_like_the_other_files(config_dir):
    # the street's IT person sees "calendar.toml", not a machine path, like every other file
    edit(config_dir, "calendar.toml", 'timezone = "Asia/Shanghai"', 'timezone = "Asia/Shanghia"')
    problems = problems_of(config_dir)
    assert [(f, k) for f, k, _ in problems] == [("calendar.toml", "timezone")]
    assert "Asia/Shanghia" in problems[0][2]


def test_every_file_reports_one_kind_of_problem(config_dir):
    # zones, TOML files and the calendar alike: check-config and the reload answer read file, key, reason
    from geo.problems import Problem

    edit(config_dir, "calendar.toml", 'timezone = "Asia/Shanghai"', 'timezone = "Asia/Shanghia"')
    (config_dir / "zones.geojson").write_text("{", encoding="utf-8")
    edit(config_dir, "intake.toml", "=", "= =")
    with pytest.raises(ConfigError) as info:
        load_config(config_dir)
    files = {p.file for p in info.value.problems}
    assert {"calendar.toml", "zones.geojson", "intake.toml"} <= files
    assert all(type(p) is Problem for p in info.value.problems)
