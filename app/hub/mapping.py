"""Everything that knows the hub's vocabulary: statuses, field names, what may be sent.

The real SP4N-LAPOR! API is visible only to registered developers; the simulator implements the
contract below. Plugging in the real API means changing this module (and the paths in
client.py), nothing else. Wire fields are Indonesian, as the hub's are:

  laporan (complaint): id, external_ref, judul, isi, kode_wilayah, diterima_pada, anonim,
                       rahasia, pelapor {nama, nik, telepon, email, alamat} | null, status,
                       seq_terakhir
  tindak lanjut (update): seq, jenis, status, pesan, terjadi_pada
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from app.complaints.schemas import ComplaintCreate, Location, ReporterIn
from app.complaints.vocabulary import Status

# Our status -> the hub's. Several of ours may share one of theirs; the reverse is for reading.
TO_HUB: dict[Status, str] = {
    "received": "belum_terverifikasi",
    "needs_info": "menunggu_kelengkapan",
    "verified": "terverifikasi",
    "dispatched": "didisposisikan",
    "in_progress": "ditindaklanjuti",
    "responded": "ditanggapi",
    "closed": "selesai",
    "archived": "diarsipkan",
}
HUB_STATUSES = frozenset(TO_HUB.values())


def to_hub_status(status: str) -> str:
    """Our status as the hub names it."""
    return TO_HUB[cast(Status, status)]


@dataclass(frozen=True)
class HubComplaint:
    """A complaint as the hub holds it (dispositioned to us, or forwarded by us)."""

    hub_id: str
    external_ref: str | None
    title: str | None
    text: str
    region_code: str | None
    received_at: datetime
    anonymous: bool
    confidential: bool
    reporter: dict[str, str] | None
    status: str
    last_seq: int


@dataclass(frozen=True)
class Unreadable:
    """A record from the hub that is not a whole `laporan` (no id, no text, a received time
    that is not one): the sync reports it by its id, if it has one, and goes on. One bad
    record used to end the pull, every time, for every record after it."""

    hub_id: str | None
    error: str


def complaint_from_wire(raw: Any) -> HubComplaint | Unreadable:
    """Read a `laporan` from the hub. Fields our intake checks (lengths, the time's offset
    and range) are checked there, where a refusal names them; this only reads the record."""
    try:
        return HubComplaint(
            hub_id=_text(raw["id"]),
            external_ref=raw.get("external_ref"),
            title=raw.get("judul"),
            text=_text(raw["isi"]),
            region_code=raw.get("kode_wilayah"),
            received_at=datetime.fromisoformat(raw["diterima_pada"]),
            anonymous=bool(raw.get("anonim", False)),
            confidential=bool(raw.get("rahasia", False)),
            reporter=raw.get("pelapor"),
            status=str(raw.get("status", "belum_terverifikasi")),
            last_seq=int(raw.get("seq_terakhir", 0)),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        hub_id = raw.get("id") if isinstance(raw, dict) else None
        return Unreadable(None if hub_id is None else str(hub_id), type(exc).__name__)


def _text(value: Any) -> str:
    # str(None) would be the text "None": a record's id and text are text or it is unreadable.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise TypeError(f"text expected, got {type(value).__name__}")
    return value


_REPORTER_FIELDS = {"nama": "name", "nik": "nik", "telepon": "phone", "email": "email"}
_REPORTER_FIELDS_OUT = {v: k for k, v in _REPORTER_FIELDS.items()} | {"address": "alamat"}
# What of an identity the hub is sent, so the sync reads no more than that (social ids stay).
HUB_IDENTITY_FIELDS = tuple(_REPORTER_FIELDS_OUT)


def intake_body(c: HubComplaint) -> ComplaintCreate:
    """Our intake body for a complaint the hub dispositioned to us (received time kept)."""
    reporter = None
    if c.reporter and not c.anonymous:
        fields = {ours: c.reporter[theirs] for theirs, ours in _REPORTER_FIELDS.items()}
        fields["address"] = c.reporter.get("alamat")  # type: ignore[assignment]
        reporter = ReporterIn(**{k: v for k, v in fields.items() if v})
    return ComplaintCreate(
        channel="lapor_hub",
        channel_ref=c.hub_id,
        # Whole or refused (the sync reports a refusal), never cut: a cut complaint reads as
        # something the citizen did not write.
        title=c.title or None,
        text=c.text,
        location=Location(region_code=c.region_code) if c.region_code else None,
        received_at=c.received_at,
        anonymous=c.anonymous,
        confidential=c.confidential,
        reporter=reporter,
    )


def complaint_to_wire(
    external_ref: str,
    title: str | None,
    text: str,
    region_code: str | None,
    received_at: datetime,
    channel: str,
    anonymous: bool,
    confidential: bool,
    reporter: dict[str, Any] | None,
) -> dict[str, Any]:
    """A complaint of ours for the hub: anonim carries no identity at all; rahasia is marked."""
    pelapor = None
    if reporter and not anonymous:
        pelapor = {
            _REPORTER_FIELDS_OUT[k]: v for k, v in reporter.items() if k in _REPORTER_FIELDS_OUT
        }
    return {
        "external_ref": external_ref,
        "judul": title,
        "isi": text,
        "kode_wilayah": region_code,
        "diterima_pada": received_at.isoformat(),
        "kanal": channel,
        "anonim": anonymous,
        "rahasia": confidential,
        "pelapor": pelapor,
    }


def update_to_wire(
    seq: int, event_type: str, status: str, occurred_at: datetime, message: str | None
) -> dict[str, Any]:
    """One status change (and, for a response, its message) for the hub."""
    return {
        "seq": seq,
        "jenis": event_type,
        "status": to_hub_status(status),
        "pesan": message,
        "terjadi_pada": occurred_at.isoformat(),
    }
