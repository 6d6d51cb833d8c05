"""config/joint.toml: 吹哨报到's limits, validated by `check-config` like every file of config/."""
from __future__ import annotations

import pytest

from dispatch.cli import main
from dispatch.deadlines.limits import Limit
from dispatch.street.config import load_config


def test_the_shipped_limits_and_a_folder_without_the_file(config_dir):
    shipped = load_config(config_dir).joint
    assert shipped.limits(natural=False) == (Limit.parse("2 WH"), Limit.parse("3 WD"))
    assert shipped.limits(natural=True) == (Limit.parse("30 NM"), Limit.parse("4 NH"))
    (config_dir / "joint.toml").unlink()
    assert load_config(config_dir).joint == shipped  # the same values as defaults


@pytest.mark.parametrize(("text", "line"), [
    ('checkin = "2 parsecs"\n', "joint.toml: checkin: "),                                # not a limit
    ('checkin_natural = "2 WH"\n', "joint.toml: (file): checkin_natural '2 WH' is working time"),  # urgent: clock time
    ('tasks = "3 WD"\n', "joint.toml: tasks: Extra inputs are not permitted"),           # a misspelt key
], ids=["not-a-limit", "natural-in-working-time", "misspelt-key"])
def test_check_config_refuses_a_bad_joint_file(config_dir, monkeypatch, capsys, text, line):
    monkeypatch.setenv("DISPATCH_CONFIG_DIR", str(config_dir))
    (config_dir / "joint.toml").write_text(text, encoding="utf-8")
    assert main(["check-config"]) == 1
    printed = capsys.readouterr().out.strip().splitlines()
    assert len(printed) == 1 and printed[0].startswith(line), printed
