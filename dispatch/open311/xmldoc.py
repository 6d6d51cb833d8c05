"""GeoReport v2 XML: the JSON shapes turned into elements by the spec's names (Spark convention).

A list becomes a container of repeated items (`<services><service>…`), a dict becomes child elements,
`True/False` become `true/false`, None an empty element. Text is escaped by ElementTree; characters XML 1.0
cannot carry (control characters, lone surrogates) are replaced by U+FFFD so the answer stays well-formed.

>>> to_xml("errors", [{"code": 404, "description": "no <such> service"}]).decode()
'<?xml version="1.0" encoding="UTF-8"?>\\n<errors><error><code>404</code><description>no &lt;such&gt; service</description></error></errors>'
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

# The element name of one item of each list, by the list's element name.
ITEM = {"services": "service", "service_requests": "request", "errors": "error", "endpoints": "endpoint",
        "formats": "format", "attributes": "attribute", "values": "value"}
DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def text(value) -> str:
    """The element text of a value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("\ufffd", str(value))


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        item = ITEM[element.tag]
        for child in value:
            _fill(ET.SubElement(element, item), child)
    else:
        element.text = text(value)


def to_xml(root: str, data) -> bytes:
    """The UTF-8 document with `root` as its root element holding `data`."""
    element = ET.Element(root)
    _fill(element, data)
    return DECLARATION + ET.tostring(element, encoding="unicode").encode("utf-8")
