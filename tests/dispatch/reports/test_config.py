"""config/reports.toml: the monthly schedule and the hotspot rule, validated with the rest of config/."""
from __future__ import annotations

import pytest

from dispatch.cli import main
from dispatch.street.config import load_config
from dispatch.street.schemas import ReportsFile
from tests.helpers import CONFIG_DIR


def test_the_shipped_file_is_the_documented_rule():
    reports = load_config(CONFIG_DIR).reports
    assert reports == ReportsFile()
    assert (reports.hotspots.radius_m, reports.hotspots.min_reports, reports.hotspots.window_days) == (50, 3, 30)
    assert reports.monthly.generate_after == "08:00"


def test_a_folder_without_the_file_uses_the_defaults(config_dir):
    (config_dir / "reports.toml").unlink()
    assert load_config(config_dir).reports == ReportsFile()


@pytest.mark.parametrize(("text", "line"), [
    ("[hotspots]\nradius_m = 0\n", "reports.toml: hotspots.radius_m: Input should be greater than 0"),
    ("[hotspots]\nradius_m = 5000\n", "reports.toml: hotspots.radius_m: Input should be less than or equal to 1000"),
    ("[hotspots]\nmin_reports = 1\n", "reports.toml: hotspots.min_reports: Input should be greater than or equal to 2"),
    ('[hotspots]\nwindow_days = "30"\n', "reports.toml: hotspots.window_days: Input should be a valid integer"),
    ('[monthly]\ngenerate_after = "25:00"\n', "reports.toml: monthly.generate_after: String should match pattern"),
    ("[hotspot]\nradius_m = 50\n", "reports.toml: hotspot: Extra inputs are not permitted"),
])
def test_check_config_names_a_bad_value(config_dir, monkeypatch, capsys, text, line):
    monkeypatch.setenv("DISPATCH_CONFIG_DIR", str(config_dir))
    (config_dir / "reports.toml").write_text(text, encoding="utf-8")
    assert main(["check-config"]) == 1
    printed = capsys.readouterr().out.strip().splitlines()
    assert len(printed) == 1 and printed[0].startswith(line), printed


def test_a_reload_re_times_the_monthly_job(app, config_dir):
    from apscheduler.schedulers.background import BackgroundScheduler

    from dispatch.reports.scheduled import MONTHLY_JOB_ID
    from dispatch.scheduler import add_jobs, jobs, retime

    scheduler = BackgroundScheduler()
    add_jobs(scheduler, app, jobs(app.extensions["street_config"]))
    text = (config_dir / "reports.toml").read_text(encoding="utf-8")
    (config_dir / "reports.toml").write_text(text.replace("check_interval_seconds = 600",
                                                          "check_interval_seconds = 300"), encoding="utf-8")
    assert retime(scheduler, load_config(config_dir)) == [MONTHLY_JOB_ID]
    assert scheduler.get_job(MONTHLY_JOB_ID).trigger.interval.total_seconds() == 300
