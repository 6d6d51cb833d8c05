"""Plain helpers of the zone tests (geo/ and the app's zone checks): zones files moved into other coordinates."""
from __future__ import annotations

import copy


def moved_copy(data: dict, convert) -> dict:
    """``data`` with every position passed through ``convert(lng, lat)`` (e.g. WGS-84 → GCJ-02)."""
    data = copy.deepcopy(data)

    def walk(value):
        if value and isinstance(value[0], (int, float)):
            return [round(v, 7) for v in convert(value[0], value[1])]
        return [walk(item) for item in value]

    for feature in data["features"]:
        feature["geometry"]["coordinates"] = walk(feature["geometry"]["coordinates"])
    return data
