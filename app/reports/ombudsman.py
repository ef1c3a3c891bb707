"""Monitoring of the Ombudsman's cases for a year (Klaten agreement Pasal 8: monitoring and
evaluation): cases by agency and stage, and each step's deadlines kept or missed by agency.

Cases count by the local year their letter was received; steps by the local year of their
deadline. Only what the caller may see counts (app/ombudsman's one visibility rule).
"""

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.jurisdictions.service import JurisdictionContext
from app.kernel.security import Principal
from app.ombudsman.models import OmbudsmanCase, OmbudsmanStep
from app.ombudsman.readmodel import visible
from app.reports.tables import Column, Table
from app.routing.models import Agency

STAGES = ("examination", "corrective_action", "recommendation", "closed")
CLOCKED = ("clarification", "corrective_action", "recommendation")


class CaseRow(BaseModel):
    agency_id: uuid.UUID
    agency_name: str
    received: int
    examination: int
    corrective_action: int
    recommendation: int
    closed: int
    maladministration_found: int


class StepRow(BaseModel):
    agency_id: uuid.UUID
    agency_name: str
    kind: str = Field(description="clarification, corrective_action or recommendation")
    due: int = Field(description="steps whose deadline falls in the year")
    done_on_time: int
    done_late: int
    open_not_yet_due: int
    open_overdue: int


class OmbudsmanReport(BaseModel):
    year: int
    timezone: str
    cases: list[CaseRow]
    steps: list[StepRow]


async def report(
    session: AsyncSession, ctx: JurisdictionContext, principal: Principal, year: int, now: datetime
) -> OmbudsmanReport:
    """The year's figures the caller may see."""
    start = ctx.calendar.start_of_local_day(date(year, 1, 1))
    end = ctx.calendar.start_of_local_day(date(year + 1, 1, 1))
    names = dict(
        (
            await session.execute(
                select(Agency.id, Agency.name).where(Agency.jurisdiction_id == ctx.id)
            )
        ).all()
    )
    cases: dict[uuid.UUID, CaseRow] = {}
    rows = await session.execute(
        select(OmbudsmanCase.agency_id, OmbudsmanCase.stage, OmbudsmanCase.conclusion).where(
            visible(principal), OmbudsmanCase.received_at >= start, OmbudsmanCase.received_at < end
        )
    )
    for agency_id, stage, conclusion in rows.all():
        row = cases.setdefault(
            agency_id,
            CaseRow(
                agency_id=agency_id,
                agency_name=names.get(agency_id, ""),
                received=0,
                examination=0,
                corrective_action=0,
                recommendation=0,
                closed=0,
                maladministration_found=0,
            ),
        )
        row.received += 1
        setattr(row, stage, getattr(row, stage) + 1)
        row.maladministration_found += conclusion == "maladministration_found"
    found: dict[tuple[uuid.UUID, str], StepRow] = {}
    step_rows = await session.execute(
        select(
            OmbudsmanStep.owner_agency_id,
            OmbudsmanStep.kind,
            OmbudsmanStep.due_at,
            OmbudsmanStep.done_at,
        )
        .join(OmbudsmanCase, OmbudsmanCase.id == OmbudsmanStep.case_id)
        .where(visible(principal), OmbudsmanStep.due_at >= start, OmbudsmanStep.due_at < end)
    )
    for agency_id, kind, due_at, done_at in step_rows.all():
        if due_at is None:  # a meeting: no clock (the WHERE leaves none, mypy cannot tell)
            continue
        step = found.setdefault(
            (agency_id, kind),
            StepRow(
                agency_id=agency_id,
                agency_name=names.get(agency_id, ""),
                kind=kind,
                due=0,
                done_on_time=0,
                done_late=0,
                open_not_yet_due=0,
                open_overdue=0,
            ),
        )
        step.due += 1
        if done_at is not None:
            step.done_on_time += done_at <= due_at
            step.done_late += done_at > due_at
        else:
            step.open_overdue += now > due_at
            step.open_not_yet_due += now <= due_at
    return OmbudsmanReport(
        year=year,
        timezone=ctx.timezone,
        cases=sorted(cases.values(), key=lambda r: r.agency_name),
        steps=sorted(found.values(), key=lambda r: (r.agency_name, CLOCKED.index(r.kind))),
    )


STEP_NAMES = {
    "clarification": "Klarifikasi/permintaan data",
    "corrective_action": "Tindakan korektif",
    "recommendation": "Laporan pelaksanaan rekomendasi",
}


def report_tables(out: OmbudsmanReport) -> list[Table]:
    """Two sheets: cases by agency and stage, steps' deadlines by agency."""
    return [
        Table(
            f"Kasus Ombudsman {out.year}",
            [
                Column("Perangkat Daerah", "text", lambda r: r.agency_name),
                Column("Diterima", "int", lambda r: r.received),
                Column("Pemeriksaan", "int", lambda r: r.examination),
                Column("Tindakan korektif", "int", lambda r: r.corrective_action),
                Column("Rekomendasi", "int", lambda r: r.recommendation),
                Column("Selesai", "int", lambda r: r.closed),
                Column("Maladministrasi ditemukan", "int", lambda r: r.maladministration_found),
            ],
            out.cases,
        ),
        Table(
            f"Batas waktu {out.year}",
            [
                Column("Perangkat Daerah", "text", lambda r: r.agency_name),
                Column("Langkah", "text", lambda r: STEP_NAMES[r.kind]),
                Column("Jatuh tempo", "int", lambda r: r.due),
                Column("Selesai tepat waktu", "int", lambda r: r.done_on_time),
                Column("Selesai terlambat", "int", lambda r: r.done_late),
                Column("Belum jatuh tempo", "int", lambda r: r.open_not_yet_due),
                Column("Lewat batas", "int", lambda r: r.open_overdue),
            ],
            out.steps,
        ),
    ]
