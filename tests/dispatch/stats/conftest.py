"""Fixtures of the statistics tests: the hand-computed dataset (dataset.py) and a department user."""
from __future__ import annotations

import pytest

from tests.dispatch.stats.dataset import build_dataset


@pytest.fixture
def dataset(app, client, inspector) -> dict[str, dict]:
    """The CASES of dataset.py on the test's database."""
    return build_dataset(app, client, inspector)


@pytest.fixture
def sanitation(make_user):
    """Headers of a 绿化市容所 (sanitation) department user."""
    return make_user("sanitation1", "department", department="sanitation")[1]
