"""Open311's two formats from one structure: JSON as is, XML with the spec's element names.

Pure: a list or dict in, bytes out. The spec names the element of each list's items (a
`services` list holds `service` elements, `attributes` holds `attribute`, ...).
"""

from typing import Any, Literal
from xml.etree.ElementTree import Element, SubElement, tostring

Format = Literal["json", "xml"]
MEDIA_TYPES: dict[str, str] = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}
# The spec's element for one item of each list.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _fill(parent: Element, name: str, value: Any) -> None:
    if isinstance(value, list):
        holder = SubElement(parent, name)
        for item in value:
            _fill(holder, ITEM_NAMES.get(name, "item"), item)
    elif isinstance(value, dict):
        holder = SubElement(parent, name)
        for key, item in value.items():
            _fill(holder, key, item)
    else:
        SubElement(parent, name).text = _text(value)


def to_xml(root: str, value: Any) -> bytes:
    """`value` (a list of items or a dict of fields) under the root element `root`."""
    element = Element(root)
    if isinstance(value, list):
        for item in value:
            _fill(element, ITEM_NAMES[root], item)
    else:
        for key, item in value.items():
            _fill(element, key, item)
    body: bytes = tostring(element, encoding="unicode").encode()
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


def errors(status: int, description: str) -> list[dict[str, Any]]:
    """The spec's error body: a list of code and description."""
    return [{"code": status, "description": description}]
