"""Fixtures of the HTTP tests of dispatch/: the two casts of users the lifecycle and page tests act as."""
from __future__ import annotations

import pytest

from tests.dispatch.lifecycle import Street, make_street


@pytest.fixture
def street(client, make_user, clock, inspector, command) -> Street:
    """The command center, 绿化市容所, 城管, three inspectors and the settable clock (tests/dispatch/lifecycle.py)."""
    return make_street(client, make_user, clock, inspector, command)


@pytest.fixture
def users(make_user) -> dict[str, dict]:
    """Auth headers of an inspector of 香溢片区, the command center, 绿化市容所 and 城管 (the page tests' cast)."""
    return {
        "inspector": make_user("insp", "inspector", zone="xiangyi")[1],
        "command": make_user("cmd", "command")[1],
        "sanitation": make_user("san", "department", department="sanitation")[1],
        "chengguan": make_user("cg", "department", department="chengguan")[1],
    }
