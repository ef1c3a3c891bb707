"""The exchange file for the Ombudsman (Klaten agreement Pasal 9: data exchanged electronically
and kept confidential): one case's file, or a period's cases, as JSON or XLSX.

The citizen is in it only where the Ombudsman disclosed them and the LAHP does not keep them
secret; every case exported leaves an identity-access-log row (fields empty when withheld).
"""

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.attachments.service import Stored, described
from app.complaints import readmodel as complaints
from app.jurisdictions.service import JurisdictionContext
from app.kernel.errors import Invalid
from app.kernel.security import Principal
from app.kernel.validation import StrictModel
from app.ombudsman import schemas, steps
from app.ombudsman.models import OmbudsmanCase, OmbudsmanCaseEvent
from app.ombudsman.readmodel import visible
from app.ombudsman.service import links_of, load, steps_of
from app.privacy import citizens
from app.privacy.crypto import Sealer
from app.reports.tables import Column, Table
from app.routing.service import agency_or_none

FORMAT = "lapor-ombudsman-exchange/1"
# A period's file holds at most this many cases; ask for a shorter period beyond it.
PERIOD_LIMIT = 500


class ExportIn(StrictModel):
    purpose: schemas.Reason = Field(description="why the file leaves the system; logged")
    format: Literal["json", "xlsx"] = "json"


class PeriodExportIn(ExportIn):
    from_: date = Field(alias="from", description="first local date a letter was received")
    to: date = Field(description="last local date, included")


class Evidence(BaseModel):
    id: str
    content_type: str | None
    size_bytes: int | None
    sha256: str | None


class ExportedStep(BaseModel):
    number: int
    kind: str
    meeting_kind: str | None
    reference: str | None
    description: str
    owner_agency: str
    received_at: datetime
    due_at: datetime | None
    scheduled_at: datetime | None
    place: str | None
    answer: str | None
    notes: list[dict[str, Any]]
    evidence: list[Evidence]
    done_at: datetime | None
    on_time: bool | None


class ExportedEvent(BaseModel):
    seq: int
    type: str
    stage: str
    occurred_at: datetime
    data: dict[str, Any]


class ExportedCase(BaseModel):
    id: uuid.UUID
    letter_number: str
    letter_date: date
    perwakilan: str
    report_number: str | None
    subject: str
    reported_agency: str
    stage: str
    conclusion: str | None
    lahp_number: str | None
    received_at: datetime
    closed_at: datetime | None
    citizen: schemas.CitizenOut | None
    citizen_withheld: Literal["not_disclosed", "confidential"] | None
    linked_complaints: list[str] = Field(description="tracking ids of the Pemda's complaints")
    steps: list[ExportedStep]
    events: list[ExportedEvent]


class ExchangeFile(BaseModel):
    format: str = FORMAT
    jurisdiction: dict[str, str]
    exported_at: datetime
    cases: list[ExportedCase]


def _copied(row: object, model: type[BaseModel], *given: str) -> dict[str, Any]:
    """The row's columns the exported model names alike, but those `given` otherwise."""
    return {f: getattr(row, f) for f in model.model_fields if hasattr(row, f) and f not in given}


def _evidence(upload_id: str, stored: Stored | None) -> Evidence:
    if stored is None:  # a file gone from the store's index: listed, undescribed
        return Evidence(id=upload_id, content_type=None, size_bytes=None, sha256=None)
    return Evidence(
        id=upload_id,
        content_type=stored.content_type,
        size_bytes=stored.size_bytes,
        sha256=stored.sha256,
    )


async def _agency_name(
    session: AsyncSession, cache: dict[uuid.UUID, str], agency_id: uuid.UUID
) -> str:
    if agency_id not in cache:
        agency = await agency_or_none(session, agency_id)
        cache[agency_id] = f"{agency.code} {agency.name}" if agency else str(agency_id)
    return cache[agency_id]


async def _citizen(
    session: AsyncSession, sealer: Sealer, principal: Principal, case: OmbudsmanCase, purpose: str
) -> tuple[schemas.CitizenOut | None, Literal["not_disclosed", "confidential"] | None]:
    if case.citizen_key_id is None or case.citizen_ciphertext is None:
        withheld: Literal["not_disclosed", "confidential"] = "not_disclosed"
    elif case.citizen_confidential:
        withheld = "confidential"
    else:
        identity = await citizens.read(
            session,
            sealer,
            principal,
            case.jurisdiction_id,
            case.id,
            (case.citizen_key_id, case.citizen_ciphertext),
            "export",
            purpose,
        )
        return schemas.CitizenOut(**identity), None
    await citizens.record(session, principal, case.jurisdiction_id, case.id, "export", purpose, [])
    return None, withheld


async def _files(
    session: AsyncSession,
    sealer: Sealer,
    principal: Principal,
    cases: list[OmbudsmanCase],
    purpose: str,
    now: datetime,
) -> list[ExportedCase]:
    ids = [c.id for c in cases]
    all_steps, links = await steps_of(session, ids), await links_of(session, ids)
    events: dict[uuid.UUID, list[ExportedEvent]] = {i: [] for i in ids}
    for e in await session.scalars(
        select(OmbudsmanCaseEvent)
        .where(OmbudsmanCaseEvent.case_id.in_(ids))
        .order_by(OmbudsmanCaseEvent.case_id, OmbudsmanCaseEvent.seq)
    ):
        events[e.case_id].append(
            ExportedEvent(
                seq=e.seq, type=e.type, stage=e.stage, occurred_at=e.occurred_at, data=e.data
            )
        )
    names: dict[uuid.UUID, str] = {}
    out = []
    for case in cases:
        files = await described(
            session, case.jurisdiction_id, [a for s in all_steps[case.id] for a in s.attachments]
        )
        citizen, withheld = await _citizen(session, sealer, principal, case, purpose)
        tracking = []
        for complaint_id in links[case.id]:
            facts = await complaints.facts(session, complaint_id)
            if facts is not None:
                tracking.append(facts.tracking_id)
        exported_steps = [
            ExportedStep(
                **_copied(s, ExportedStep, "notes"),
                owner_agency=await _agency_name(session, names, s.owner_agency_id),
                notes=[{k: v for k, v in n.items() if k != "actor"} for n in s.notes],
                evidence=[_evidence(a, files.get(a)) for a in s.attachments],
                on_time=steps.on_time(s.done_at, s.due_at),
            )
            for s in all_steps[case.id]
        ]
        out.append(
            ExportedCase(
                **_copied(case, ExportedCase),
                reported_agency=await _agency_name(session, names, case.agency_id),
                citizen=citizen,
                citizen_withheld=withheld,
                linked_complaints=sorted(tracking),
                steps=exported_steps,
                events=events[case.id],
            )
        )
    return out


async def case_file(
    session: AsyncSession,
    sealer: Sealer,
    principal: Principal,
    ctx: JurisdictionContext,
    case_id: uuid.UUID,
    purpose: str,
    now: datetime,
) -> ExchangeFile:
    """One case's file."""
    case = await load(session, principal, case_id)
    return ExchangeFile(
        jurisdiction={"code": ctx.code, "name": ctx.name},
        exported_at=now,
        cases=await _files(session, sealer, principal, [case], purpose, now),
    )


async def period_file(
    session: AsyncSession,
    sealer: Sealer,
    principal: Principal,
    ctx: JurisdictionContext,
    start: date,
    end: date,
    purpose: str,
    now: datetime,
) -> ExchangeFile:
    """The cases whose letters were received from `start` to `end` (local dates, included)."""
    rows = list(
        await session.scalars(
            select(OmbudsmanCase)
            .where(
                visible(principal),
                OmbudsmanCase.received_at >= ctx.calendar.start_of_local_day(start),
                OmbudsmanCase.received_at < ctx.calendar.end_of_local_day(end),
            )
            .order_by(OmbudsmanCase.received_at, OmbudsmanCase.id)
            .limit(PERIOD_LIMIT + 1)
        )
    )
    if len(rows) > PERIOD_LIMIT:
        raise Invalid.field(
            "from", f"More than {PERIOD_LIMIT} cases: ask for a shorter period.", "period_too_long"
        )
    if end < start:
        raise Invalid.field("to", "to must not be before from.")
    return ExchangeFile(
        jurisdiction={"code": ctx.code, "name": ctx.name},
        exported_at=now,
        cases=await _files(session, sealer, principal, rows, purpose, now),
    )


def _citizen_name(c: ExportedCase) -> str:
    return c.citizen.name or "" if c.citizen else f"({c.citizen_withheld})"


def exchange_tables(out: ExchangeFile) -> list[Table]:
    """Sheets Kasus, Langkah, Bukti, Peristiwa: the JSON file's content, one row per item."""
    steps_rows = [(c, s) for c in out.cases for s in c.steps]
    evidence_rows = [(c, s, e) for c, s in steps_rows for e in s.evidence]
    event_rows = [(c, e) for c in out.cases for e in c.events]
    return [
        Table(
            "Kasus",
            [
                Column("Nomor surat", "text", lambda c: c.letter_number),
                Column("Tanggal surat", "text", lambda c: c.letter_date.isoformat()),
                Column("Perwakilan", "text", lambda c: c.perwakilan),
                Column("Nomor laporan", "text", lambda c: c.report_number),
                Column("Perihal", "text", lambda c: c.subject),
                Column("Terlapor", "text", lambda c: c.reported_agency),
                Column("Pelapor", "text", _citizen_name),
                Column("Tahap", "text", lambda c: c.stage),
                Column("Kesimpulan LAHP", "text", lambda c: c.conclusion),
                Column("Nomor LAHP", "text", lambda c: c.lahp_number),
                Column("Diterima", "text", lambda c: c.received_at.isoformat()),
                Column(
                    "Selesai", "text", lambda c: c.closed_at.isoformat() if c.closed_at else None
                ),
                Column("Pengaduan terkait", "text", lambda c: ", ".join(c.linked_complaints)),
            ],
            out.cases,
        ),
        Table(
            "Langkah",
            [
                Column("Nomor surat", "text", lambda r: r[0].letter_number),
                Column("No.", "int", lambda r: r[1].number),
                Column("Jenis", "text", lambda r: r[1].kind),
                Column("Uraian", "text", lambda r: r[1].description),
                Column("Perangkat Daerah", "text", lambda r: r[1].owner_agency),
                Column("Diterima", "text", lambda r: r[1].received_at.isoformat()),
                Column(
                    "Batas waktu",
                    "text",
                    lambda r: r[1].due_at.isoformat() if r[1].due_at else None,
                ),
                Column("Jawaban/berita acara", "text", lambda r: r[1].answer),
                Column(
                    "Selesai", "text", lambda r: r[1].done_at.isoformat() if r[1].done_at else None
                ),
                Column(
                    "Tepat waktu",
                    "text",
                    lambda r: {True: "ya", False: "tidak", None: None}[r[1].on_time],
                ),
            ],
            steps_rows,
        ),
        Table(
            "Bukti",
            [
                Column("Nomor surat", "text", lambda r: r[0].letter_number),
                Column("Langkah", "int", lambda r: r[1].number),
                Column("Berkas", "text", lambda r: r[2].id),
                Column("Jenis berkas", "text", lambda r: r[2].content_type),
                Column("Ukuran (bita)", "int", lambda r: r[2].size_bytes),
                Column("SHA-256", "text", lambda r: r[2].sha256),
            ],
            evidence_rows,
        ),
        Table(
            "Peristiwa",
            [
                Column("Nomor surat", "text", lambda r: r[0].letter_number),
                Column("Urutan", "int", lambda r: r[1].seq),
                Column("Peristiwa", "text", lambda r: r[1].type),
                Column("Tahap", "text", lambda r: r[1].stage),
                Column("Waktu", "text", lambda r: r[1].occurred_at.isoformat()),
            ],
            event_rows,
        ),
    ]
