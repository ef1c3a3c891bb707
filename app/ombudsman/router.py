"""HTTP edge of the Ombudsman's cases: parse, check the caller, call one use case."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response, StreamingResponse

from app.jurisdictions.service import load_context
from app.kernel.deps import DB, Now
from app.kernel.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, responses
from app.kernel.security import ADMIN, Allow, Principal
from app.kernel.validation import CommaSeparated
from app.ombudsman import actions, exchange, policies, schemas, service
from app.ombudsman.readmodel import ANSWERERS, MANAGERS, READERS
from app.ombudsman.steps import Stage
from app.privacy.deps import Cipher
from app.reports.export import XLSX, xlsx_chunks

router = APIRouter(prefix="/v1", tags=["ombudsman"])

Manager = Annotated[Principal, Depends(Allow(*MANAGERS))]
Reader = Annotated[Principal, Depends(Allow(*READERS))]
Answerer = Annotated[Principal, Depends(Allow(*ANSWERERS))]
Admin = Annotated[Principal, Depends(Allow(ADMIN))]

AUTH = (Unauthorized, Forbidden)
READ_ERRORS = responses(*AUTH, NotFound)
WRITE_ERRORS = responses(*AUTH, NotFound, Conflict, Invalid)
CASE = "/ombudsman-cases/{case_id}"


@router.post("/ombudsman-cases", status_code=201, responses=WRITE_ERRORS)
async def create_case(
    body: schemas.CaseIn, principal: Manager, db: DB, now: Now, cipher: Cipher
) -> schemas.CaseOut:
    """Take an Ombudsman letter in; it is routed to the agency's liaison and the narahubung."""
    return await service.create_case(db, cipher, principal, body, now)


@router.get("/ombudsman-cases", responses=READ_ERRORS)
async def list_cases(
    principal: Reader,
    db: DB,
    now: Now,
    stage: Annotated[list[Stage] | None, CommaSeparated, Query()] = None,
    agency_id: uuid.UUID | None = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> schemas.CasePage:
    """The cases the caller may see, newest letter first."""
    ctx = await load_context(db, principal.jurisdiction_id)
    return await service.list_cases(
        db, principal, now, list(stage or []), agency_id, year, ctx, limit, cursor
    )


@router.get(CASE, responses=READ_ERRORS)
async def get_case(case_id: uuid.UUID, principal: Reader, db: DB, now: Now) -> schemas.CaseOut:
    """One case with its steps, deadlines and linked complaints."""
    return await service.get_case(db, principal, case_id, now)


@router.patch(CASE, responses=WRITE_ERRORS)
async def patch_case(
    case_id: uuid.UUID, body: schemas.CasePatch, principal: Manager, db: DB, now: Now
) -> schemas.CaseOut:
    """Correct the letter's particulars or the linked complaints."""
    return await service.patch_case(db, principal, case_id, body, now)


@router.get(f"{CASE}/events", responses=READ_ERRORS)
async def case_events(case_id: uuid.UUID, principal: Reader, db: DB) -> schemas.EventList:
    """The case's timeline."""
    return await service.case_events(db, principal, case_id)


@router.post(f"{CASE}/reveal-citizen", responses=WRITE_ERRORS)
async def reveal_citizen(
    case_id: uuid.UUID, body: schemas.RevealIn, principal: Manager, db: DB, cipher: Cipher
) -> schemas.RevealOut:
    """The citizen the Ombudsman named, for a logged reason."""
    return await service.reveal_citizen(db, cipher, principal, case_id, body.reason)


@router.post(f"{CASE}/clarifications", status_code=201, responses=WRITE_ERRORS)
async def request_clarification(
    case_id: uuid.UUID, body: schemas.ClarificationIn, principal: Manager, db: DB, now: Now
) -> schemas.CaseOut:
    """A clarification or data request, on its clock."""
    return await actions.request_clarification(db, principal, case_id, body, now)


@router.post(f"{CASE}/clarifications/{{step_id}}/answer", responses=WRITE_ERRORS)
async def answer_clarification(
    case_id: uuid.UUID,
    step_id: uuid.UUID,
    body: schemas.AnswerIn,
    principal: Answerer,
    db: DB,
    now: Now,
) -> schemas.CaseOut:
    """The agency's answer and data."""
    return await actions.finish(
        db, principal, case_id, step_id, "clarification", body.answer, body.attachments, now
    )


@router.post(f"{CASE}/meetings", status_code=201, responses=WRITE_ERRORS)
async def schedule_meeting(
    case_id: uuid.UUID, body: schemas.MeetingIn, principal: Manager, db: DB, now: Now
) -> schemas.CaseOut:
    """A clarification, conciliation or mediation meeting."""
    return await actions.schedule_meeting(db, principal, case_id, body, now)


@router.post(f"{CASE}/meetings/{{step_id}}/minutes", responses=WRITE_ERRORS)
async def record_minutes(
    case_id: uuid.UUID,
    step_id: uuid.UUID,
    body: schemas.MinutesIn,
    principal: Manager,
    db: DB,
    now: Now,
) -> schemas.CaseOut:
    """The meeting's minutes and attachments."""
    return await actions.finish(
        db, principal, case_id, step_id, "meeting", body.minutes, body.attachments, now
    )


@router.post(f"{CASE}/lahp", responses=WRITE_ERRORS)
async def record_lahp(
    case_id: uuid.UUID, body: schemas.LahpIn, principal: Manager, db: DB, now: Now
) -> schemas.CaseOut:
    """The LAHP: its conclusion and corrective actions."""
    return await actions.record_lahp(db, principal, case_id, body, now)


@router.post(f"{CASE}/corrective-actions", status_code=201, responses=WRITE_ERRORS)
async def add_corrective_action(
    case_id: uuid.UUID, body: schemas.ActionIn, principal: Manager, db: DB, now: Now
) -> schemas.CaseOut:
    """One more corrective action."""
    return await actions.add_corrective_action(db, principal, case_id, body, now)


@router.post(f"{CASE}/corrective-actions/{{step_id}}/progress", responses=WRITE_ERRORS)
async def action_progress(
    case_id: uuid.UUID,
    step_id: uuid.UUID,
    body: schemas.NoteIn,
    principal: Answerer,
    db: DB,
    now: Now,
) -> schemas.CaseOut:
    """A progress note on a corrective action."""
    return await actions.action_progress(db, principal, case_id, step_id, body, now)


@router.post(f"{CASE}/corrective-actions/{{step_id}}/complete", responses=WRITE_ERRORS)
async def complete_action(
    case_id: uuid.UUID,
    step_id: uuid.UUID,
    body: schemas.CompleteIn,
    principal: Answerer,
    db: DB,
    now: Now,
) -> schemas.CaseOut:
    """A corrective action done, with evidence."""
    return await actions.finish(
        db, principal, case_id, step_id, "corrective_action", body.note, body.attachments, now
    )


@router.post(f"{CASE}/recommendations", status_code=201, responses=WRITE_ERRORS)
async def receive_recommendation(
    case_id: uuid.UUID, body: schemas.RecommendationIn, principal: Manager, db: DB, now: Now
) -> schemas.CaseOut:
    """The Ombudsman's recommendation; its report is due in 60 days by default."""
    return await actions.receive_recommendation(db, principal, case_id, body, now)


@router.post(f"{CASE}/recommendations/{{step_id}}/report", responses=WRITE_ERRORS)
async def report_recommendation(
    case_id: uuid.UUID,
    step_id: uuid.UUID,
    body: schemas.ReportIn,
    principal: Answerer,
    db: DB,
    now: Now,
) -> schemas.CaseOut:
    """The report on carrying the recommendation out."""
    return await actions.finish(
        db, principal, case_id, step_id, "recommendation", body.report, body.attachments, now
    )


FILE: dict[int | str, dict[str, Any]] = {
    200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}
}


def _file(out: exchange.ExchangeFile, fmt: str, name: str) -> Response:
    if fmt == "xlsx":
        return StreamingResponse(
            xlsx_chunks(exchange.exchange_tables(out)),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    return JSONResponse(out.model_dump(mode="json"))


@router.post(
    f"{CASE}/export", response_model=exchange.ExchangeFile, responses={**FILE, **WRITE_ERRORS}
)
async def export_case(
    case_id: uuid.UUID,
    body: exchange.ExportIn,
    principal: Manager,
    db: DB,
    now: Now,
    cipher: Cipher,
) -> Response:
    """The case file for the Ombudsman (JSON or XLSX); logged with its purpose."""
    ctx = await load_context(db, principal.jurisdiction_id)
    out = await exchange.case_file(db, cipher, principal, ctx, case_id, body.purpose, now)
    return _file(out, body.format, f"ombudsman-{case_id}")


@router.post(
    "/ombudsman-exports", response_model=exchange.ExchangeFile, responses={**FILE, **WRITE_ERRORS}
)
async def export_period(
    body: exchange.PeriodExportIn, principal: Manager, db: DB, now: Now, cipher: Cipher
) -> Response:
    """The period's cases (letters received from `from` to `to`), JSON or XLSX; each logged."""
    ctx = await load_context(db, principal.jurisdiction_id)
    out = await exchange.period_file(
        db, cipher, principal, ctx, body.from_, body.to, body.purpose, now
    )
    return _file(out, body.format, f"ombudsman-{body.from_}-{body.to}")


@router.get("/ombudsman-policies", responses=READ_ERRORS)
async def list_policies(principal: Reader, db: DB, now: Now) -> schemas.PolicyList:
    """Every version of the jurisdiction's Ombudsman deadlines."""
    return await policies.list_policies(db, principal.jurisdiction_id, now)


@router.post("/ombudsman-policies", status_code=201, responses=WRITE_ERRORS)
async def create_policy(
    body: schemas.PolicyIn, principal: Admin, db: DB, now: Now
) -> schemas.PolicyOut:
    """A new version, effective from a local date; cases keep the version they got."""
    return await policies.create_policy(db, principal.jurisdiction_id, body, now)
