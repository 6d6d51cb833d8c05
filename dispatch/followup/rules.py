"""Which closed tickets get a 回访 (follow-up visit): the source's rate and a deterministic draw.

>>> drawn("YC-20261125-0001", 1.0), drawn("YC-20261125-0001", 0.0)
(True, False)
>>> share = sum(drawn(f"YC-20261125-{n:04d}", 0.2) for n in range(1, 10001)) / 10000
>>> 0.18 < share < 0.22
True
"""
from __future__ import annotations

import hashlib

from dispatch.street.schemas import FollowupFile

ALWAYS, SAMPLE, REOPENED = "source", "sample", "reopened"  # why a 回访 fell due (Followup.reason)


def draw(number: str) -> float:
    """The ticket number's place in [0, 1): the first 8 bytes of its sha256 (the same number, the same place)."""
    return int.from_bytes(hashlib.sha256(number.encode("utf-8")).digest()[:8], "big") / 2**64


def drawn(number: str, rate: float) -> bool:
    """True when a ticket of this number falls within a sampling `rate` (1: always, 0: never)."""
    return draw(number) < rate


def reason(*, number: str, source: str, reopened: bool, rules: FollowupFile) -> str | None:
    """Why a ticket closing now gets a 回访 (ALWAYS, SAMPLE, REOPENED), or None when it gets none."""
    if reopened and rules.reopened_always:
        return REOPENED
    rate = rules.rate(source)
    if rate >= 1:
        return ALWAYS
    return SAMPLE if drawn(number, rate) else None
