"""The desk's work queues as filters of the complaint list (`queries.ListFilters`, the same
filters `GET /v1/complaints` takes): a queue is a name and a preset, never a query of its own."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from app.complaints.queries import ListFilters
from app.kernel.security import ADMIN, LIAISON, Principal

# "Due soon": the agency's deadline falls within this many days and has not passed.
DUE_SOON = timedelta(days=3)
RUNNING = ("verified", "dispatched", "in_progress")


@dataclass(frozen=True)
class Queue:
    slug: str
    title: str
    hint: str


QUEUES: dict[str, Queue] = {
    q.slug: q
    for q in (
        Queue("verifikasi", "Menunggu verifikasi", "Baru masuk; batas verifikasi 3 hari kerja."),
        Queue("triase", "Triase", "Terverifikasi, belum ada instansi: pilih dari saran routing."),
        Queue("instansi", "Di instansi", "Sudah didisposisikan, belum ditanggapi."),
        Queue("segera", "Segera jatuh tempo", "Batas waktu dalam 3 hari dan belum lewat."),
        Queue("terlambat", "Terlambat", "Batas waktu instansi sudah lewat."),
        Queue("menunggu", "Menunggu pelapor", "Pelapor diminta melengkapi informasi."),
        Queue("semua", "Semua keluhan", "Semua yang boleh Anda lihat, terbaru dulu."),
    )
}


def queues_for(principal: Principal) -> list[Queue]:
    """The queues worth a tab for this role (a liaison has no verification or triage to do)."""
    if principal.role == ADMIN:
        return list(QUEUES.values())
    if principal.role == LIAISON:
        return [QUEUES[s] for s in ("instansi", "segera", "terlambat", "menunggu", "semua")]
    return [QUEUES[s] for s in ("semua", "terlambat", "segera")]


def queue_filters(slug: str, base: ListFilters, now: datetime) -> ListFilters:
    """The queue's preset laid over the filters the person chose (the preset wins)."""
    if slug == "verifikasi":
        return replace(base, status=["received"])
    if slug == "triase":
        return replace(base, status=["verified"])
    if slug == "instansi":
        return replace(base, status=["dispatched", "in_progress"])
    if slug == "segera":
        return replace(base, status=list(RUNNING), overdue=False, due_before=now + DUE_SOON)
    if slug == "terlambat":
        return replace(base, overdue=True)
    if slug == "menunggu":
        return replace(base, status=["needs_info"])
    return base
