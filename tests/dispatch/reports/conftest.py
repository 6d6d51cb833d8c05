"""Fixtures of the monthly report tests: the statistics' hand-computed dataset (tests/dispatch/stats/dataset.py)."""
from __future__ import annotations

import pytest

from tests.dispatch.stats.dataset import build_dataset


@pytest.fixture
def dataset(app, client, inspector) -> dict[str, dict]:
    """The CASES of the statistics tests (November 2026, and J in October) on the test's database."""
    return build_dataset(app, client, inspector)
