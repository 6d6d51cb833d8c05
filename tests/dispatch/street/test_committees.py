"""The street's 25 居民区 (居委会): loaded from config/committees.toml, listed by the API, checked by check-config."""
from __future__ import annotations

import pytest

from dispatch.street.config import ConfigError, load_config


def test_the_25_committees_of_the_street_load_with_their_official_codes(app):
    committees = app.extensions["street_config"].committees
    assert committees.street_code == "310107020"
    assert len(committees.by_code) == 25
    assert all(code.startswith("310107020") and len(code) == 12 for code in committees.by_code)
    assert committees.by_code["310107020018"].name == "香溢花城社区居委会"
    assert [c.name for c in committees.in_zone("zhongyuan")] == [
        "中远两湾城第一居委会", "中远两湾城第二居委会", "中远两湾城第三居委会", "中远两湾城第四居委会"]


def test_the_api_lists_them_all_or_one_zones(client):
    everything = client.get("/api/v1/committees").get_json()
    assert everything["count"] == 25
    zhongyuan = client.get("/api/v1/committees?zone=zhongyuan").get_json()
    assert [(c["code"], c["zone_name"]) for c in zhongyuan["data"]] == [
        (f"3101070200{n}", "中远两湾城片区") for n in (20, 21, 22, 23)]
    assert zhongyuan["data"][0]["point"] is None  # the street adds points from its own survey
    wrong = client.get("/api/v1/committees?zone=nowhere")
    assert wrong.status_code == 400
    assert wrong.get_json()["error"]["code"] == "invalid_parameter"


def _edit(config_dir, old: str, new: str) -> None:
    path = config_dir / "committees.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(("old", "new", "key", "reason"), [
    ('code = "310107020004"', 'code = "310107021004"', "committee.0.code", "is not a code of street 310107020"),
    ('code = "310107020005"', 'code = "310107020004"', "committee.1.code", "310107020004 appears twice"),
    ('name = "赵家花园居委会"', 'name = "宜川四村居委会"', "committee.1.name", "'宜川四村居委会' appears twice"),
    ('zone = "xiangyi"', 'zone = "putuo"', "committee.0.zone", "unknown zone 'putuo'"),
    ('name = "香溢花城社区居委会"\nzone = "xiangyi"\n', 'name = "香溢花城社区居委会"\nzone = "xiangyi"\npoint = [121.4400, 31.2550]\n',
     "committee.11.point", "lies in zhongyuan, not in xiangyi"),
    ('code = "310107020004"', 'code = "31010702"', "committee.0.code", "String should match pattern"),
    # a boundary reaching into zhongyuan (east of 121.4342)
    ('name = "香溢花城社区居委会"\nzone = "xiangyi"\n', 'name = "香溢花城社区居委会"\nzone = "xiangyi"\n'
     'boundary = [[121.428, 31.254], [121.440, 31.254], [121.440, 31.256], [121.428, 31.256]]\n',
     "committee.11.boundary", "lie outside its zone xiangyi"),
    # a ring that crosses itself (a bow tie)
    ('name = "香溢花城社区居委会"\nzone = "xiangyi"\n', 'name = "香溢花城社区居委会"\nzone = "xiangyi"\n'
     'boundary = [[121.428, 31.254], [121.430, 31.256], [121.430, 31.254], [121.428, 31.256]]\n',
     "committee.11.boundary", "is not a valid polygon"),
    # two boundaries over the same ground
    ('name = "宜川四村居委会"\nzone = "xiangyi"\n', 'name = "宜川四村居委会"\nzone = "xiangyi"\n'
     'boundary = [[121.428, 31.254], [121.430, 31.254], [121.430, 31.256], [121.428, 31.256]]\n'
     '[[committee]]\ncode = "310107020099"\nname = "测试居委会"\nzone = "xiangyi"\n'
     'boundary = [[121.429, 31.255], [121.431, 31.255], [121.431, 31.257], [121.429, 31.257]]\n',
     "committee.1.boundary", "overlaps the boundary of 310107020004"),
], ids=["another street", "code twice", "name twice", "unknown zone", "point in another zone", "short code",
        "boundary outside its zone", "boundary crossing itself", "boundaries overlapping"])
def test_check_config_refuses_a_bad_committee_with_file_key_and_reason(config_dir, old, new, key, reason):
    _edit(config_dir, old, new)
    with pytest.raises(ConfigError) as caught:
        load_config(config_dir)
    found = [(p.file, p.key, p.reason) for p in caught.value.problems]
    assert any(f == "committees.toml" and k == key and reason in why for f, k, why in found), found


def test_a_point_inside_its_zone_is_listed(config_dir, client, app):
    _edit(config_dir, 'name = "香溢花城社区居委会"\nzone = "xiangyi"\n',
          'name = "香溢花城社区居委会"\nzone = "xiangyi"\npoint = [121.4288, 31.2551]\n')
    committee = load_config(config_dir).committees.by_code["310107020018"]
    assert committee.point == (121.4288, 31.2551)


def test_a_config_without_the_file_has_no_committees(config_dir):
    (config_dir / "committees.toml").unlink()
    assert load_config(config_dir).committees.by_code == {}
