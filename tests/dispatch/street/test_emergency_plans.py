"""config/emergencies.toml (应急预案) is validated like the rest of config/: file, key and reason of each problem."""
from __future__ import annotations

import pytest

from dispatch.street.config import ConfigError, load_config

PLAN = '''[[plan]]
code = "flood"
name = "防汛防台"
categories = ["road_flooding"]
response = "15 NM"
resolve = "2 NH"
ladder = {{ 2 = "15 NM" }}
departments = ["city_works"]
checkin = "30 NM"
'''


def problems(config_dir, text: str) -> list[str]:
    (config_dir / "emergencies.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(config_dir)
    return [f"{p.file}: {p.key}: {p.reason}" for p in caught.value.problems]


def test_the_shipped_plans_load(config_dir):
    plans = load_config(config_dir).emergencies
    assert [p.name for p in plans.values()] == ["防汛防台", "火灾", "燃气泄漏", "大客流", "公共卫生"]
    assert (plans["flood"].response, plans["flood"].resolve, plans["flood"].checkin) == ("15 NM", "2 NH", "30 NM")


def test_a_folder_without_the_file_has_no_plans(config_dir):
    (config_dir / "emergencies.toml").unlink()
    assert load_config(config_dir).emergencies == {}


@pytest.mark.parametrize("change, expected", [
    # working time: an emergency counts on the clock
    (('resolve = "2 NH"', 'resolve = "2 WH"'), "emergencies.toml: plan.0.resolve: '2 WH' is working time"),
    (('checkin = "30 NM"', 'checkin = "1 WD"'), "emergencies.toml: plan.0.checkin: '1 WD' is working time"),
    (('response = "15 NM"', 'response = "15 XX"'), "emergencies.toml: plan.0.response: unknown limit unit 'XX'"),
    (('["road_flooding"]', '["road_floding"]'), "emergencies.toml: plan.0.categories: unknown category 'road_floding'"),
    (('["city_works"]', '["city_work"]'), "emergencies.toml: plan.0.departments: unknown department 'city_work'"),
    # the command center has no desk: nobody could press 到岗
    (('["city_works"]', '["command_center"]'), "emergencies.toml: plan.0.departments: 'command_center' has no desk"),
    (('{{ 2 = "15 NM" }}', '{{ 0 = "15 NM" }}'), "emergencies.toml: plan.0.ladder.0: level 0 is not an overdue level"),
    (('{{ 2 = "15 NM" }}', '{{ 2 = "1 WD" }}'), "emergencies.toml: plan.0.ladder: '1 WD' is working time"),
    (('code = "flood"', 'code = "Flood!"'), "emergencies.toml: plan.0.code: String should match pattern"),
])
def test_a_bad_plan_is_named_by_file_key_and_reason(config_dir, change, expected):
    old, new = change
    found = problems(config_dir, PLAN.replace(old, new).format())
    assert any(line.startswith(expected) for line in found), found


def test_a_code_twice_is_refused(config_dir):
    found = problems(config_dir, PLAN.format() + PLAN.format())
    assert any(line.startswith("emergencies.toml: plan.1.code: duplicate code 'flood'") for line in found), found
