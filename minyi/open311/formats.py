"""GeoReport v2's two formats: XML (required by the spec) and JSON (its Spark-convention mapping).

Views build plain Python data (lists of dicts); this module writes it in the format the URL's suffix
asked for, with the spec's content types and UTF-8 everywhere.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse

FORMATS = ("xml", "json")
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
#: The element name of one item of each list in the XML output.
XML_ITEMS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}
# Characters XML 1.0 cannot carry at all (a client's text may contain them).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class Open311Error(Exception):
    """Refuse a call with the spec's error list: each (code, description), and the HTTP status."""

    status: int
    errors: list[tuple[int, str]] = field(default_factory=list)

    @classmethod
    def one(cls, status: int, description: str) -> Open311Error:
        return cls(status, [(status, description)])


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _XML_ILLEGAL.sub("", str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, child in value.items():
            _add(element, key, child)
    else:
        element.text = _text(value)


def _add(parent: ET.Element, name: str, value: Any) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, Sequence) and not isinstance(value, str):
        for item in value:
            _fill(ET.SubElement(element, XML_ITEMS[name]), item)
    else:
        _fill(element, value)


def to_xml(root: str, data: Any) -> bytes:
    """``data`` as the spec's XML: a list becomes <root><item>…</item></root>, a dict <root>…</root>."""
    element = ET.Element(root)
    if isinstance(data, Sequence) and not isinstance(data, str):
        for item in data:
            _fill(ET.SubElement(element, XML_ITEMS[root]), item)
    else:
        _fill(element, data)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="unicode").encode()


def render(fmt: str, root: str, data: Any, status: int = 200) -> HttpResponse:
    """The response in ``fmt``; ``root`` names the XML root element (JSON has no root)."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    else:
        body = to_xml(root, data)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES.get(fmt, CONTENT_TYPES["xml"]))


def render_error(fmt: str, error: Open311Error) -> HttpResponse:
    """The spec's error answer: a list of errors, each with a code and a description."""
    data = [{"code": code, "description": description} for code, description in error.errors]
    return render(fmt if fmt in FORMATS else "xml", "errors", data, status=error.status)
