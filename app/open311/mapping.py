"""Our complaints and categories in Open311's words, and an Open311 report in ours. Pure.

Status: Open311 knows only `open` and `closed`; closed and archived complaints are closed, and
`status_notes` carries our own status. What the public may not see never leaves here: no
reporter, ever (not even for a named one), and for a confidential (rahasia) complaint neither
its text nor its place.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.complaints.lifecycle import FINAL
from app.complaints.vocabulary import STATUSES
from app.privacy.redact import public_text

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
OPEN, CLOSED = "open", "closed"
OUR_STATUSES: dict[str, frozenset[str]] = {
    CLOSED: FINAL,
    OPEN: frozenset(STATUSES) - FINAL,
}


def open311_status(status: str) -> str:
    return CLOSED if status in FINAL else OPEN


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str
    description: str
    values: tuple[tuple[str, str], ...] = ()


YES_NO = (("true", "yes"), ("false", "no"))
# Every category asks for the same: what our intake takes beyond Open311's own fields.
# (Categories carry no questions of their own in this service.)
ATTRIBUTES = (
    Attribute(
        "anonymous",
        "singlevaluelist",
        "Anonim: hide the reporter's identity from the agency, the public and the hub.",
        YES_NO,
    ),
    Attribute(
        "confidential",
        "singlevaluelist",
        "Rahasia: the text is not public; tracking shows only the status.",
        YES_NO,
    ),
    Attribute(
        "region_code",
        "string",
        "Kemendagri code of the place (village 35.21.09.2006, district 35.21.09).",
    ),
    Attribute(
        "channel_ref",
        "string",
        "Your own id of this report; sending it again returns the first request.",
    ),
)
ATTRIBUTE_CODES = frozenset(a.code for a in ATTRIBUTES)


def service(code: str, name: str, group: str | None) -> dict[str, Any]:
    return {
        "service_code": code,
        "service_name": name,
        "description": name,
        "metadata": True,
        "type": "realtime",
        "keywords": "",
        "group": group or "",
    }


def definition(code: str) -> dict[str, Any]:
    return {
        "service_code": code,
        "attributes": [
            {
                "variable": True,
                "code": a.code,
                "datatype": a.datatype,
                "required": False,
                "datatype_description": "",
                "order": order,
                "description": a.description,
                "values": [{"key": k, "name": n} for k, n in a.values],
            }
            for order, a in enumerate(ATTRIBUTES, start=1)
        ],
    }


@dataclass(frozen=True)
class RequestRow:
    """What a request shows of one complaint (the reader put it together, already visible)."""

    tracking_id: str
    status: str
    archived_reason: str | None
    confidential: bool
    text: str
    address: str | None
    lat: float | None
    lon: float | None
    service_code: str | None
    service_name: str | None
    agency_name: str | None
    received_at: datetime
    updated_at: datetime
    due_at: datetime | None


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def request(row: RequestRow) -> dict[str, Any]:
    notes = row.status if row.archived_reason is None else f"{row.status}: {row.archived_reason}"
    hidden = row.confidential
    return {
        "service_request_id": row.tracking_id,
        "status": open311_status(row.status),
        "status_notes": notes,
        "service_name": row.service_name or "",
        "service_code": row.service_code or "",
        "description": None if hidden else public_text(row.text),
        "agency_responsible": row.agency_name or "",
        "service_notice": "",
        "requested_datetime": _time(row.received_at),
        "updated_datetime": _time(row.updated_at),
        "expected_datetime": _time(row.due_at),
        "address": None if hidden else row.address,
        "lat": None if hidden else row.lat,
        "long": None if hidden else row.lon,
    }


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"true", "yes", "1", "ya"}


def complaint_body(form: Mapping[str, str], category_id: str) -> dict[str, Any]:
    """The body of `POST /v1/complaints` an Open311 report amounts to (validated there).

    A report from a device (`device_id`) came through a mobile app, else through the web.
    Unknown attributes (FixMyStreet sends its own) are ignored, as Open311 servers do.
    """
    attributes = {
        key[len("attribute[") : -1]: value
        for key, value in form.items()
        if key.startswith("attribute[") and key.endswith("]")
    }
    name = " ".join(p for p in (form.get("first_name"), form.get("last_name")) if p)
    reporter = {
        k: v
        for k, v in {"name": name, "email": form.get("email"), "phone": form.get("phone")}.items()
        if v
    }
    location: dict[str, Any] = {}
    if form.get("lat") or form.get("long"):
        location |= {"lat": form.get("lat"), "lon": form.get("long")}
    if form.get("address_string"):
        location["address"] = form["address_string"]
    if attributes.get("region_code"):
        location["region_code"] = attributes["region_code"]
    body: dict[str, Any] = {
        "channel": "mobile_app" if form.get("device_id") else "web",
        "text": form.get("description", ""),
        "category_id": category_id,
        "anonymous": _flag(attributes.get("anonymous")),
        "confidential": _flag(attributes.get("confidential")),
    }
    if reporter:
        body["reporter"] = reporter
    if location:
        body["location"] = location
    if attributes.get("channel_ref"):
        body["channel_ref"] = attributes["channel_ref"]
    if form.get("media_url"):
        body["attachments"] = [form["media_url"]]
    return body


# Our field names in an answer to an Open311 client are its own names.
FIELD_NAMES = {
    "text": "description",
    "category_id": "service_code",
    "reporter.name": "first_name",
    "reporter.email": "email",
    "reporter.phone": "phone",
    "location.lat": "lat",
    "location.lon": "long",
    "location.address": "address_string",
    "location.region_code": "attribute[region_code]",
    "channel_ref": "attribute[channel_ref]",
    "attachments.0": "media_url",
}


def field_name(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form")]
    ours = ".".join(parts) or "request"
    return FIELD_NAMES.get(ours, ours)
