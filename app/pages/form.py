"""The web complaint form: its fields into the API's ComplaintCreate, its errors into Indonesian.

Pure: the router reads the request, calls these, and hands the body to the same submission use
case `POST /v1/complaints` runs.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from pydantic import ValidationError

from app.complaints.schemas import ComplaintCreate
from app.kernel.security import CITIZEN_APP, Principal

# A person needs longer than this to read and fill the form; a script posting at once does not.
MIN_FILL = timedelta(seconds=3)
MAX_FILL = timedelta(hours=6)  # a form left open longer is served again with a fresh token
MAX_FILES = 3
HONEYPOT = "situs_web"  # hidden from people (CSS and aria-hidden); bots fill what they find
CSRF_COOKIE = "lapor_form"
_WEB_NS = uuid.UUID("6f0a53c2-54c4-4d0b-9a3c-1f7b1c1e7a10")

TEXT_FIELDS = ("judul", "isi", "kecamatan", "desa", "alamat", "nama", "telepon", "email")
CHECKS = ("anonim", "rahasia", "setuju")

# Where a ComplaintCreate error lands on the form, and what the person is told.
_FIELD_OF = {
    "text": "isi",
    "title": "judul",
    "location.address": "alamat",
    "location.region_code": "desa",
    "reporter.name": "nama",
    "reporter.phone": "telepon",
    "reporter.email": "email",
    "attachments": "lampiran",
}
MESSAGES = {
    "isi": "Tuliskan isi laporan Anda (paling banyak 10.000 karakter).",
    "judul": "Judul paling banyak 200 karakter.",
    "alamat": "Alamat paling banyak 500 karakter.",
    "desa": "Pilih desa/kelurahan dari daftar.",
    "kecamatan": "Pilih kecamatan dari daftar.",
    "nama": "Nama paling banyak 200 karakter.",
    "telepon": "Nomor telepon hanya berisi angka, misalnya 081234567890.",
    "email": "Alamat e-mail tidak valid, misalnya nama@contoh.id.",
    "setuju": "Centang persetujuan agar laporan dapat dikirim.",
    "lampiran": f"Lampirkan paling banyak {MAX_FILES} berkas foto atau PDF.",
}


@dataclass
class Filled:
    """What the person typed, to show the form again as they left it."""

    values: dict[str, str] = field(default_factory=dict)
    checked: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, form: Mapping[str, Any]) -> "Filled":
        values = {name: str(form.get(name) or "").strip() for name in TEXT_FIELDS}
        return cls(values, {name for name in CHECKS if form.get(name)})


def web_principal(jurisdiction_id: uuid.UUID) -> Principal:
    """The web form as the sender of what it takes in (a stable id per jurisdiction), like the
    hub's: its uploads and its complaints belong to it, and its events name it."""
    pid = uuid.uuid5(_WEB_NS, str(jurisdiction_id))
    return Principal(pid, "system", CITIZEN_APP, jurisdiction_id, None, "Formulir web LAPOR!")


def complaint_body(filled: Filled, attachment_ids: list[str]) -> dict[str, Any]:
    """The API's complaint body (channel `web`) for what was filled in."""
    v = filled.values
    region = v["desa"] or v["kecamatan"] or None
    reporter = {k: v[f] for k, f in (("name", "nama"), ("phone", "telepon"), ("email", "email"))}
    reporter = {k: value for k, value in reporter.items() if value}
    body: dict[str, Any] = {
        "channel": "web",
        "text": v["isi"],
        "title": v["judul"] or None,
        "anonymous": "anonim" in filled.checked,
        "confidential": "rahasia" in filled.checked,
        "attachments": attachment_ids,
    }
    if region or v["alamat"]:
        body["location"] = {"region_code": region, "address": v["alamat"] or None}
    if reporter:
        body["reporter"] = reporter
        body["contact_consent"] = bool(reporter.keys() & {"phone", "email"})
    return body


def validate(
    filled: Filled, attachment_ids: list[str]
) -> tuple[ComplaintCreate | None, dict[str, str]]:
    """The body, or the form's errors by field name (consent is the form's own rule)."""
    errors: dict[str, str] = {}
    if "setuju" not in filled.checked:
        errors["setuju"] = MESSAGES["setuju"]
    try:
        body = ComplaintCreate.model_validate(complaint_body(filled, attachment_ids))
    except ValidationError as exc:
        for e in exc.errors():
            path = ".".join(str(p) for p in e.get("loc", ()) if not isinstance(p, int))
            name = _FIELD_OF.get(path, "isi")
            errors.setdefault(name, MESSAGES[name])
        return None, errors
    return (None, errors) if errors else (body, {})
