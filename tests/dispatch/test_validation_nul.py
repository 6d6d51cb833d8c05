"""parse_json refuses NUL characters in any string: PostgreSQL text cannot store them (a 500 on INSERT before)."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize(("change", "field"), [
    ({"description": "垃圾\x00"}, "description"),
    ({"address": "宜川路\x00"}, "address"),
])
def test_nul_in_a_report_is_422(client, inspector, change, field):
    body = {"category": "exposed_garbage", "location": {"lng": 121.429, "lat": 31.255}, "description": "垃圾",
            **change}
    response = client.post("/api/v1/events", headers=inspector, json=body)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"] == [{"field": field, "problem": "NUL characters are not allowed"}]
