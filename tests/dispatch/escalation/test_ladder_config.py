"""config/escalation.toml: each level's step for natural-time categories, and one category's own step."""
from __future__ import annotations

import pytest

from dispatch.street.config import ConfigError, load_config
from dispatch.tickets.models import Escalation

from .conftest import sh


def _append(config_dir, text: str) -> None:
    with (config_dir / "escalation.toml").open("a", encoding="utf-8") as f:
        f.write(text)


@pytest.fixture
def config_dir(config_dir):
    _append(config_dir, '\n[[override]]\ncategory = "fire_lane_blocked"\nlevel = 2\nafter = "15 NM"\n')
    return config_dir


def test_a_category_may_have_its_own_step(report, sweep_at, rows):
    ticket = report("fire_lane_blocked", at=sh(2026, 11, 27, 17, 0))  # response due 17:30
    sweep_at(sh(2026, 11, 27, 17, 45))
    reached = {(e.deadline, e.level): e.due_at for e in rows(Escalation, ticket_id=ticket["id"])}
    assert reached[("response", 2)] == sh(2026, 11, 27, 17, 45)  # 15 NM, not the default 1 NH


@pytest.mark.parametrize(("text", "key", "reason"), [
    ('\n[[override]]\ncategory = "no_such_thing"\nlevel = 2\nafter = "1 NH"\n', "override.1.category",
     "unknown category 'no_such_thing'"),
    ('\n[[override]]\ncategory = "fire_lane_blocked"\nlevel = 0\nafter = "1 NH"\n', "override.1.level", ""),
    ('\n[[override]]\ncategory = "fire_lane_blocked"\nlevel = 2\nafter = "soon"\n', "override.1.after", ""),
    ('\n[[override]]\ncategory = "fire_lane_blocked"\nlevel = 2\nafter = "30 NM"\n', "override.1",
     "overridden twice"),
])
def test_a_bad_override_is_refused_with_file_key_and_reason(config_dir, text, key, reason):
    _append(config_dir, text)
    with pytest.raises(ConfigError) as caught:
        load_config(config_dir)
    found = [(p.file, p.key, p.reason) for p in caught.value.problems]
    assert any(file == "escalation.toml" and k == key and reason in why for file, k, why in found), found


def test_after_natural_must_be_natural_time(config_dir):
    path = config_dir / "escalation.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('after_natural = "1 NH"', 'after_natural = "1 WD"'),
                    encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(config_dir)
    assert [(p.key, p.reason) for p in caught.value.problems] == [
        ("level.2.after_natural", "'1 WD' is working time; after_natural takes NH or NM")]
