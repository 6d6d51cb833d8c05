"""Fixtures of the Open311 tests: a reporter's api_key (helpers are in helpers.py)."""
from __future__ import annotations

import pytest

from tests.dispatch.open311.helpers import api_key_of


@pytest.fixture
def api_key(inspector) -> str:
    return api_key_of(inspector)
