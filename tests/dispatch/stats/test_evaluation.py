"""config/evaluation.toml: the street's 综合指标 weights drive the composite; a bad file is refused."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from dispatch.cli import main
from dispatch.street.config import load_config
from dispatch.street.schemas import EvaluationFile
from tests.dispatch.stats.dataset import PERIOD
from tests.helpers import CONFIG_DIR

# 督办 counts more, rework less: 按期结案率·60 + 结案率·20 + (1 − 返工率)·0 + 督办分 (20, 10 a ticket)
STRICT_ON_SUPERVISION = """
min_due_to_close = 1

[weights]
on_time_close_rate = 60
close_rate = 20
no_rework_rate = 0

[supervision]
points = 20
penalty = 10
"""


def write_evaluation(config_dir, text: str) -> None:
    (config_dir / "evaluation.toml").write_text(text, encoding="utf-8")


def totals(client, headers) -> dict:
    response = client.get(f"/api/v1/stats?{PERIOD}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["totals"]


def test_the_shipped_file_is_the_documented_scheme():
    # what ships is also what a config/ folder without the file gets
    assert load_config(CONFIG_DIR).evaluation == EvaluationFile()
    assert EvaluationFile().weights.model_dump() == {"on_time_close_rate": 50, "close_rate": 30, "no_rework_rate": 10}
    assert (EvaluationFile().supervision.points, EvaluationFile().supervision.penalty) == (10, 2)


def test_a_folder_without_the_file_uses_the_shipped_scheme(config_dir):
    (config_dir / "evaluation.toml").unlink()
    assert load_config(config_dir).evaluation == EvaluationFile()


@pytest.fixture
def config_dir(config_dir, request):
    """The conftest copy of config/, with the stricter scheme when a test asks for it (param "strict")."""
    if getattr(request, "param", None) == "strict":
        write_evaluation(config_dir, STRICT_ON_SUPERVISION)
    return config_dir


@pytest.mark.parametrize(("config_dir", "composite", "points"), [
    # the dataset: 按期结案率 ⅓, 结案率 ⅔, 返工率 ⅓, one 督办 ticket
    (None, 51.33, 8.0),        # shipped: 50·⅓ + 30·⅔ + 10·⅔ + (10 − 2)
    ("strict", 43.33, 10.0),   # 60·⅓ + 20·⅔ + 0·⅔ + (20 − 10)
], indirect=["config_dir"], ids=["shipped", "strict"])
def test_the_weights_in_config_make_the_composite(client, command, dataset, composite, points):
    figures = totals(client, command)
    assert figures["composite"] == composite
    assert figures["supervision_points"] == points


def test_changed_weights_apply_at_the_next_reload(client, make_user, command, dataset, config_dir):
    assert totals(client, command)["composite"] == 51.33
    admin = make_user("admin1", "admin")[1]
    write_evaluation(config_dir, STRICT_ON_SUPERVISION)
    assert client.post("/api/v1/admin/reload-config", headers=admin).status_code == 200
    assert totals(client, command)["composite"] == 43.33
    # a broken file is refused at reload and the running weights stay
    write_evaluation(config_dir, STRICT_ON_SUPERVISION.replace("points = 20", "points = 25"))
    response = client.post("/api/v1/admin/reload-config", headers=admin)
    assert response.status_code == 422
    assert {"file": "evaluation.toml", "key": "weights",
            "reason": "the weights (60 + 20 + 0) and supervision.points (25) add up to 105; they must make 100"
            } in response.get_json()["error"]["problems"]
    assert totals(client, command)["composite"] == 43.33


@pytest.mark.parametrize("config_dir", ["strict"], indirect=True)
def test_the_spreadsheet_states_the_configured_formula(client, command, dataset):
    response = client.get(f"/api/v1/stats?{PERIOD}&format=xlsx", headers=command)
    about = {row[0]: row[1] for row in load_workbook(io.BytesIO(response.data))["说明"].iter_rows(values_only=True)}
    assert about["综合指标"] == "按期结案率×60 + 结案率×20 + (1−返工率)×0 + 督办分(20分，每件督办扣10分，扣完为止)"


# Each case: a mistake in evaluation.toml and the line check-config must print for it.
BAD_FILES = [
    # the points do not make 100
    (STRICT_ON_SUPERVISION.replace("close_rate = 20", "close_rate = 10"),
     "evaluation.toml: weights: the weights (60 + 10 + 0) and supervision.points (20) add up to 90; "
     "they must make 100"),
    # a negative weight
    (STRICT_ON_SUPERVISION.replace("no_rework_rate = 0", "no_rework_rate = -10").replace("points = 20", "points = 30"),
     "evaluation.toml: weights.no_rework_rate: Input should be greater than or equal to 0"),
    # a weight written as text
    (STRICT_ON_SUPERVISION.replace("close_rate = 20", 'close_rate = "20"'),
     "evaluation.toml: weights.close_rate: Input should be a valid number"),
    # a misspelt key
    (STRICT_ON_SUPERVISION.replace("penalty = 10", "penality = 10"),
     "evaluation.toml: supervision.penality: Extra inputs are not permitted"),
    # no minimum: groups with nothing due would score on 督办 points alone
    (STRICT_ON_SUPERVISION.replace("min_due_to_close = 1", "min_due_to_close = 0"),
     "evaluation.toml: min_due_to_close: Input should be greater than or equal to 1"),
    # every rate weighs 0
    ("[weights]\non_time_close_rate = 0\nclose_rate = 0\nno_rework_rate = 0\n[supervision]\npoints = 100\n",
     "evaluation.toml: weights: every weight is 0: the composite would be the 督办 points alone; "
     "weigh at least one rate"),
    # not TOML
    ("[weights\n", "evaluation.toml: (file): not valid TOML"),
]


@pytest.mark.parametrize(("text", "line"), BAD_FILES, ids=[
    "not-100", "negative", "text", "misspelt-key", "min-due-0", "all-zero", "not-toml"])
def test_check_config_refuses_a_bad_evaluation_file(config_dir, monkeypatch, capsys, text, line):
    monkeypatch.setenv("DISPATCH_CONFIG_DIR", str(config_dir))
    write_evaluation(config_dir, text)
    assert main(["check-config"]) == 1
    printed = capsys.readouterr().out.strip().splitlines()
    assert len(printed) == 1
    assert printed[0].startswith(line)
