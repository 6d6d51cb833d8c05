"""Open311 discovery, service list and service definitions, in JSON and XML."""
from __future__ import annotations

import pytest

from tests.dispatch.open311.helpers import BASE, FORMATS, errors, items, xml_record, xml_root

SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
ATTRIBUTE_FIELDS = {"variable", "code", "datatype", "required", "datatype_description", "order", "description"}


def test_discovery_json(client):
    body = client.get(f"{BASE}/discovery.json").get_json()
    assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://127.0.0.1:5000/open311/v2"  # config/intake.toml public_url
    assert endpoint["type"] in ("production", "test")
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["changeset"] == body["changeset"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_names_the_configured_public_url_whatever_the_host_header(config_dir, request, fmt):
    # A forged Host (or X-Forwarded-Host) must not turn the discovery document into a link elsewhere.
    text = (config_dir / "intake.toml").read_text(encoding="utf-8")
    (config_dir / "intake.toml").write_text(text.replace('public_url = "http://127.0.0.1:5000"',
                                                         'public_url = "https://wgh.yichuan.example.cn/grid/"'),
                                            encoding="utf-8")
    client = request.getfixturevalue("client")  # the app starts on the edited config
    forged = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
    response = client.get(f"{BASE}/discovery.{fmt}", headers=forged)
    url = (response.get_json()["endpoints"][0]["url"] if fmt == "json"
           else xml_root(response).findtext("endpoints/endpoint/url"))
    assert url == "https://wgh.yichuan.example.cn/grid/open311/v2"
    assert b"evil.example" not in response.data


def test_discovery_xml(client):
    root = xml_root(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [c.tag for c in root] == ["changeset", "contact", "key_service", "endpoints"]
    endpoint = root.find("endpoints/endpoint")
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]


def test_services_json_lists_every_category(client, app):
    services = items(client.get(f"{BASE}/services.json"), "json", "services", "service")
    categories = app.extensions["street_config"].categories
    assert [s["service_code"] for s in services] == [c.code for c in categories.values()]
    garbage = next(s for s in services if s["service_code"] == "06010")
    assert list(garbage) == SERVICE_FIELDS
    assert garbage["service_name"] == "暴露垃圾"
    assert garbage["metadata"] is False
    assert garbage["type"] == "realtime"
    assert garbage["keywords"] == "垃圾, 暴露"
    assert garbage["group"] == "市容环境"
    assert "处置时限 4 工作时" in garbage["description"]
    construction = next(s for s in services if s["service_code"] == "06001")
    assert construction["metadata"] is True  # it has attributes


def test_services_xml(client):
    root = xml_root(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services" and {c.tag for c in root} == {"service"}
    records = {r["service_code"]: r for r in map(xml_record, root)}
    assert list(records["06001"]) == SERVICE_FIELDS
    assert records["06001"]["metadata"] == "true"
    assert records["06010"]["metadata"] == "false"
    assert records["L0001"]["service_name"] == "楼道堆物/楼道隐患"
    assert records["L0001"]["group"] == "居住小区"


@pytest.mark.parametrize(("code", "attribute", "datatype", "required"), [
    ("06001", "area_m2", "number", False),    # illegal_construction: 面积(平方米)
    ("L0003", "households", "number", True),  # group_rental
    ("L0001", "floor", "string", False),      # stairwell_clutter
])
def test_service_definition_json(client, code, attribute, datatype, required):
    body = client.get(f"{BASE}/services/{code}.json").get_json()
    assert body["service_code"] == code
    (attr,) = body["attributes"]
    assert set(attr) == ATTRIBUTE_FIELDS
    assert (attr["code"], attr["datatype"], attr["required"], attr["order"], attr["variable"]) == \
        (attribute, datatype, required, 1, True)


def test_service_definition_states_a_numbers_bounds(client):
    # GeoReport has no field for them, so the words of datatype_description carry them.
    (attr,) = client.get(f"{BASE}/services/L0003.json").get_json()["attributes"]
    assert attr["datatype_description"] == "同一套房内居住的户数(人数难以核实时按户计)；整数，最小 1，最大 99"
    (area,) = client.get(f"{BASE}/services/06001.json").get_json()["attributes"]
    assert area["datatype_description"] == "估算的搭建面积，单位平方米；最小 0，最大 100000"


def test_service_definition_xml(client):
    root = xml_root(client.get(f"{BASE}/services/06001.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "06001"
    attribute = root.find("attributes/attribute")
    assert set(xml_record(attribute)) == ATTRIBUTE_FIELDS
    assert attribute.findtext("code") == "area_m2"
    assert attribute.findtext("description") == "面积(平方米)"
    assert attribute.findtext("required") == "false"


def test_list_attribute_has_values(client, config_dir):
    """A singlevaluelist attribute (added in a private config copy) lists its values with key and name."""
    path = config_dir / "categories.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('keywords = ["垃圾", "暴露"]\n', '''keywords = ["垃圾", "暴露"]

[[category.attributes]]
code = "kind"
description = "垃圾种类"
datatype = "singlevaluelist"
required = true
values = [{key = "household", name = "生活垃圾"}, {key = "construction", name = "建筑垃圾"}]
''', 1), encoding="utf-8")
    from dispatch import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{config_dir.parent}/b.db",
                      "CONFIG_DIR": str(config_dir), "VAR_DIR": str(config_dir.parent / "var")})
    client = app.test_client()
    (attr,) = client.get(f"{BASE}/services/06010.json").get_json()["attributes"]
    assert attr["values"] == [{"key": "household", "name": "生活垃圾"}, {"key": "construction", "name": "建筑垃圾"}]
    root = xml_root(client.get(f"{BASE}/services/06010.xml"))
    assert [xml_record(v) for v in root.findall("attributes/attribute/values/value")] == \
        [{"key": "household", "name": "生活垃圾"}, {"key": "construction", "name": "建筑垃圾"}]
    app.extensions["db_engine"].dispose()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("path", [
    "/services/06010.{fmt}",                          # a category without attributes has no definition
    "/services/00000.{fmt}",                          # unknown service code
    "/services.{fmt}?jurisdiction_id=sfgov.org",      # another jurisdiction
    "/discovery.{fmt}?jurisdiction_id=sfgov.org",
    "/services/06001.{fmt}?jurisdiction_id=sfgov.org",
])
def test_service_errors_are_404_lists(client, fmt, path):
    response = client.get(BASE + path.format(fmt=fmt))
    assert response.status_code == 404
    errors(response, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_our_jurisdiction_and_an_empty_one_are_accepted(client, fmt):
    assert client.get(f"{BASE}/services.{fmt}?jurisdiction_id=yichuan").status_code == 200
    assert client.get(f"{BASE}/services.{fmt}?jurisdiction_id=").status_code == 200


@pytest.mark.parametrize("path", ["/services.csv", "/discovery.html", "/requests.yaml", "/services/06001.txt",
                                  "/nothing-here", "/services"])
def test_unknown_format_or_path_is_a_404_error_list(client, path):
    response = client.get(f"{BASE}{path}")
    assert response.status_code == 404
    errors(response, "xml")  # XML, the format every GeoReport client reads


@pytest.mark.parametrize("fmt", FORMATS)
def test_wrong_method_is_a_400_error_list(client, fmt):
    response = client.delete(f"{BASE}/services.{fmt}")
    assert response.status_code == 400
    errors(response, fmt)
