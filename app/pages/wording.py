"""What a citizen reads: statuses and timeline events in plain Indonesian. Pure."""

from collections.abc import Mapping
from typing import cast

from app.complaints.vocabulary import EventType, Status

STATUS_TEXT: dict[Status, str] = {
    "received": "Diterima, menunggu verifikasi",
    "needs_info": "Menunggu informasi tambahan dari Anda",
    "verified": "Sudah diverifikasi",
    "dispatched": "Diteruskan ke instansi yang berwenang",
    "in_progress": "Sedang ditindaklanjuti instansi",
    "responded": "Sudah ditanggapi",
    "closed": "Selesai",
    "archived": "Diarsipkan (tidak ditindaklanjuti)",
}

EVENT_TEXT: dict[EventType, str] = {
    "received": "Laporan diterima",
    "verified": "Laporan diverifikasi",
    "dispatched": "Diteruskan ke instansi",
    "transferred": "Dialihkan ke instansi lain",
    "responded": "Instansi memberi tanggapan",
    "closed": "Laporan selesai",
    "archived": "Laporan diarsipkan",
    "reopened": "Laporan dibuka kembali",
    "needs_info": "Informasi tambahan diminta",
    "info_supplied": "Informasi tambahan diterima",
}


def status_text(status: str) -> str:
    return cast(Mapping[str, str], STATUS_TEXT).get(status, status)


def event_text(event: str) -> str:
    return cast(Mapping[str, str], EVENT_TEXT).get(event, event)


def deadline_text(on_time: bool | None, responded: bool) -> str | None:
    """ "Tepat waktu" / "Terlambat" next to the deadline; None before there is a deadline."""
    if on_time is None:
        return None
    if responded:
        return "Ditanggapi tepat waktu" if on_time else "Ditanggapi melewati batas waktu"
    return "Masih dalam batas waktu" if on_time else "Melewati batas waktu"
