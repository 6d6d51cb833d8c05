"""A reload reaches every process of a deployment: gunicorn workers and `python run.py scheduler` share the
database, and each follows the generation a reload raises (config_state), within CONFIG_FOLLOW_SECONDS."""
from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from dispatch import scheduler as dispatch_scheduler
from dispatch.escalation import scheduled
from tests.dispatch.helpers import INTERIOR, report, ticket_of
from tests.helpers import make_test_app


@pytest.fixture
def database_url(both_backends_url):
    return both_backends_url


@pytest.fixture
def worker(tmp_path, clock, database_url, config_dir):
    """A second process of the deployment: same database and config/, its own app (and memory)."""
    other = make_test_app(database_url, tmp_path=tmp_path, clock=clock, config_dir=config_dir)
    other.config["CONFIG_FOLLOW_SECONDS"] = 0  # check at every request (5 s in production)
    yield other
    other.extensions["db_engine"].dispose()


@pytest.fixture
def admin(make_user):
    return make_user("admin1", "admin")[1]


def move_bike_misparking_to_the_stations(config_dir) -> None:
    routing = config_dir / "routing.toml"
    routing.write_text('[[rule]]\ncategories = ["bike_misparking"]\ndepartment = "@station"\n\n'
                       + routing.read_text(encoding="utf-8"), encoding="utf-8")


def test_a_reload_in_one_worker_reaches_the_others(client, admin, inspector, config_dir, worker):
    # Before: both workers route 非机动车乱停放 to 城管. The admin's reload lands on the first worker;
    # the next report the second worker takes is routed by the new rules too.
    other = worker.test_client()
    assert ticket_of(report(other, inspector, category="bike_misparking"))["department"] == "chengguan"
    move_bike_misparking_to_the_stations(config_dir)
    assert client.post("/api/v1/admin/reload-config", headers=admin).status_code == 200
    after = ticket_of(report(other, inspector, category="bike_misparking", at=INTERIOR["jiaoxi"]))
    assert after["department"] == "station_jiaoxi"


def test_a_process_checks_no_more_often_than_configured(client, admin, inspector, config_dir, worker):
    # The check is a database read: in production at most every 5 s per process, not at every request.
    worker.config["CONFIG_FOLLOW_SECONDS"] = 3600
    other = worker.test_client()
    move_bike_misparking_to_the_stations(config_dir)
    assert client.post("/api/v1/admin/reload-config", headers=admin).status_code == 200
    stale = ticket_of(report(other, inspector, category="bike_misparking", at=INTERIOR["jiaoxi"]))
    assert stale["department"] == "chengguan"  # within the hour it has not looked yet


def test_the_scheduler_process_follows_and_retimes_its_jobs(client, admin, config_dir, worker):
    # `python run.py scheduler` beside gunicorn: a reload asked of a web worker re-times the sweep there.
    scheduler = BackgroundScheduler()
    dispatch_scheduler.add_all_jobs(scheduler, worker)
    path = config_dir / "escalation.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("sweep_interval_seconds = 60",
                                                             "sweep_interval_seconds = 300"), encoding="utf-8")
    assert client.post("/api/v1/admin/reload-config", headers=admin).status_code == 200
    assert scheduler.get_job(scheduled.SWEEP_JOB_ID).trigger.interval == timedelta(seconds=60)
    scheduled.sweep_job(worker)  # the next run looks first
    assert scheduler.get_job(scheduled.SWEEP_JOB_ID).trigger.interval == timedelta(seconds=300)


def test_a_process_whose_config_folder_is_broken_keeps_running_and_says_so(
        client, admin, inspector, config_dir, worker, caplog, tmp_path):
    # Two hosts, two copies of config/: the reload's host is fine, this one's copy is broken.
    import shutil

    broken = tmp_path / "config-here"
    shutil.copytree(config_dir, broken)
    (broken / "routing.toml").write_text('[[rule]]\ndepartment = "nobody"\n', encoding="utf-8")
    worker.config["CONFIG_DIR"] = str(broken)
    assert client.post("/api/v1/admin/reload-config", headers=admin).status_code == 200
    with caplog.at_level(logging.ERROR, logger="dispatch.street.service"):
        kept = ticket_of(report(worker.test_client(), inspector, category="bike_misparking"))
        report(worker.test_client(), inspector, category="exposed_garbage", at=INTERIOR["jiaoxi"])
    assert kept["department"] == "chengguan"  # the running config, untouched
    assert caplog.text.count("config/ here is broken") == 1  # said once for this generation, not every check
