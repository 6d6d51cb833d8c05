"""Fixtures of the monthly report tests: the statistics' hand-computed dataset (tests/dispatch/stats/dataset.py)."""
from __future__ import annotations

import pytest

from tests.dispatch.stats.dataset import build_dataset


@pytest.fixture
def dataset(app, client, inspector) -> dict[str, dict]:
    """The CASES of the statistics tests (November 2026, and J in October) on the test's database."""
    return build_dataset(app, client, inspector)


@pytest.fixture
def database_url(both_backends_url):
    """Every test of the monthly reports on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set."""
    return both_backends_url
