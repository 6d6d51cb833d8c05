"""The cast of the 居民区 tests: the usual street plus 居委 users of two 居民区 of 香溢片区 and one of 中远两湾城."""
from __future__ import annotations

import pytest

from tests.dispatch.evaluation.cases import XIANGYI_HUACHENG, YICHUAN_SICUN, ZHONGYUAN_1


@pytest.fixture
def committees(make_user) -> dict[str, dict]:
    """Auth headers of 居委 users: 'huacheng' and 'sicun' (香溢片区), 'zhongyuan' (中远两湾城)."""
    return {"huacheng": make_user("jw_huacheng", "committee", committee=XIANGYI_HUACHENG)[1],
            "sicun": make_user("jw_sicun", "committee", committee=YICHUAN_SICUN)[1],
            "zhongyuan": make_user("jw_zy1", "committee", committee=ZHONGYUAN_1)[1]}
