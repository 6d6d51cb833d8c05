"""Helpers for the Open311 tests: posting a request, reading JSON or XML answers (the `api_key` fixture is in
conftest.py)."""
from __future__ import annotations

import xml.etree.ElementTree as ET

BASE = "/open311/v2"
XIANGYI = (121.429, 31.255)  # well inside the xiangyi zone (lng, lat)
FORMATS = ("json", "xml")
REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"]


def api_key_of(headers: dict) -> str:
    """The API token inside `Authorization: Bearer …` headers from make_user."""
    return headers["Authorization"].removeprefix("Bearer ")


def post_request(client, fmt: str = "json", **form):
    """POST requests.<fmt> as application/x-www-form-urlencoded."""
    return client.post(f"{BASE}/requests.{fmt}", data=form)


def report_form(api_key: str, *, at=XIANGYI, service_code: str = "06010", **extra) -> dict:
    """A valid POST requests form: exposed garbage at a point in xiangyi."""
    form = {"api_key": api_key, "service_code": service_code, "description": "路边有一堆垃圾"}
    if at is not None:
        form["long"], form["lat"] = str(at[0]), str(at[1])
    return {**form, **extra}


def xml_root(response) -> ET.Element:
    """The parsed XML answer, after checking its media type and declaration."""
    assert response.content_type == "text/xml; charset=utf-8"
    assert response.data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.data)


def xml_record(element: ET.Element) -> dict:
    """Child elements as {tag: text} ('' for an empty element)."""
    return {child.tag: child.text or "" for child in element}


def items(response, fmt: str, root: str, item: str) -> list[dict]:
    """The list answer as a list of flat records, from JSON or from <root><item>…</item></root>."""
    if fmt == "json":
        assert response.content_type == "application/json; charset=utf-8"
        body = response.get_json()
        assert isinstance(body, list)
        return body
    element = xml_root(response)
    assert element.tag == root
    assert all(child.tag == item for child in element)
    return [xml_record(child) for child in element]


def errors(response, fmt: str) -> list[dict]:
    """The spec's error list, from JSON or <errors><error><code/><description/></error></errors>."""
    found = items(response, fmt, "errors", "error")
    assert found, "an error answer lists at least one error"
    for error in found:
        assert set(error) == {"code", "description"}
        assert str(error["code"]) == str(response.status_code)
        assert error["description"]
    return found
