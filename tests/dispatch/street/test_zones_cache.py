"""A zones file validated at one start is read from its pack at the next (var/cache), never a stale one."""
from __future__ import annotations

import json
import logging

import pytest

from dispatch.street import config as street_config
from dispatch.street.config import ConfigError, load_config
from tests.helpers import DEFAULT_NOW, Clock, make_test_app


def packs(cache):
    return sorted(cache.glob("zones-*.bin")) if cache.is_dir() else []


def no_validation(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the zones file was validated again")
    monkeypatch.setattr(street_config, "validate_feature_collection", refuse)


def test_the_second_load_reads_the_pack_and_gives_the_same_zones(config_dir, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = load_config(config_dir, cache_dir=cache)
    assert len(packs(cache)) == 1
    no_validation(monkeypatch)
    second = load_config(config_dir, cache_dir=cache)
    assert second.zones == first.zones
    assert [z.geometry.wkt for z in second.zones] == [z.geometry.wkt for z in first.zones]
    point = (121.4288, 31.2551)
    assert second.zone_index.locate(*point).zone == first.zone_index.locate(*point).zone


def test_a_changed_file_is_validated_again_and_a_broken_one_refused(config_dir, tmp_path):
    cache = tmp_path / "cache"
    load_config(config_dir, cache_dir=cache)
    path = config_dir / "zones.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"][1]["properties"]["code"] = data["features"][0]["properties"]["code"]  # two zones, one code
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_config(config_dir, cache_dir=cache)
    assert any(p.file == "zones.geojson" and "features[1]" in p.key for p in refused.value.problems)
    assert len(packs(cache)) == 1  # a file with problems is never packed


def test_check_config_validates_the_file_every_time(config_dir, tmp_path, monkeypatch):
    load_config(config_dir, cache_dir=tmp_path / "cache")
    no_validation(monkeypatch)
    with pytest.raises(AssertionError, match="validated again"):
        load_config(config_dir)  # no cache_dir: what `python run.py check-config` does


def test_a_damaged_pack_is_ignored_with_a_warning(config_dir, tmp_path, caplog):
    cache = tmp_path / "cache"
    first = load_config(config_dir, cache_dir=cache)
    packs(cache)[0].write_bytes(b"YCZONES1 and then nothing useful")
    with caplog.at_level(logging.WARNING, logger="dispatch.street.config"):
        again = load_config(config_dir, cache_dir=cache)
    assert again.zones == first.zones
    assert "ignoring the packed zones" in caplog.text


def test_another_overlap_tolerance_is_another_pack(config_dir, tmp_path):
    cache = tmp_path / "cache"
    load_config(config_dir, cache_dir=cache)
    intake = config_dir / "intake.toml"
    text = intake.read_text(encoding="utf-8")
    assert "zone_overlap_tolerance_m2" in text
    import re
    intake.write_text(re.sub(r"zone_overlap_tolerance_m2\s*=\s*[\d.]+", "zone_overlap_tolerance_m2 = 2.5", text),
                      encoding="utf-8")
    load_config(config_dir, cache_dir=cache)
    assert len(packs(cache)) == 2


def test_the_app_keeps_its_pack_in_var_cache_and_starts_from_it(tmp_path, config_dir, database_url, monkeypatch):
    app = make_test_app(database_url, tmp_path=tmp_path, clock=Clock(DEFAULT_NOW), config_dir=config_dir)
    app.extensions["db_engine"].dispose()
    cache = tmp_path / "var" / "cache"
    assert len(packs(cache)) == 1 and oct(packs(cache)[0].stat().st_mode & 0o777) == "0o600"
    no_validation(monkeypatch)
    again = make_test_app(database_url, tmp_path=tmp_path, clock=Clock(DEFAULT_NOW), config_dir=config_dir)
    assert again.extensions["street_config"].zones == app.extensions["street_config"].zones
    again.extensions["db_engine"].dispose()
