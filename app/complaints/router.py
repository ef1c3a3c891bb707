"""HTTP edge of complaints: parse, check the caller, call one use case, answer a schema."""

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from app.complaints import actions, queries, schemas, submission
from app.complaints.permissions import allow
from app.complaints.vocabulary import ComplaintType
from app.jurisdictions.service import load_context
from app.kernel.deps import DB, Now, session_scope
from app.kernel.errors import (
    AppError,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    Unauthorized,
    responses,
)
from app.kernel.security import (
    ADMIN,
    AGENCY_SYSTEM,
    CHANNEL_GATEWAY,
    CITIZEN_APP,
    HUB,
    LIAISON,
    OPERATOR,
    SUPERVISOR,
    Allow,
    Principal,
    Public,
)
from app.kernel.validation import CommaSeparated, Instant
from app.privacy import service as privacy
from app.privacy.crypto import Sealer
from app.privacy.deps import Cipher

router = APIRouter(prefix="/v1", tags=["complaints"])

Intake = Annotated[Principal, Depends(Allow(OPERATOR, CITIZEN_APP, HUB, CHANNEL_GATEWAY, ADMIN))]
READERS = (ADMIN, SUPERVISOR, LIAISON, OPERATOR, CITIZEN_APP, HUB, CHANNEL_GATEWAY, AGENCY_SYSTEM)
Reader = Annotated[Principal, Depends(Allow(*READERS))]
# Each action route takes its roles from the table `allowed_actions` is computed from.
MayVerify = Annotated[Principal, Depends(allow("verify"))]
MayRequestInfo = Annotated[Principal, Depends(allow("request_info"))]
MaySupplyInfo = Annotated[Principal, Depends(allow("supply_info"))]
MayArchive = Annotated[Principal, Depends(allow("archive"))]
MayDispatch = Annotated[Principal, Depends(allow("dispatch"))]
MayAcknowledge = Annotated[Principal, Depends(allow("acknowledge"))]
MayTransfer = Annotated[Principal, Depends(allow("transfer"))]
MayRespond = Annotated[Principal, Depends(allow("respond"))]
MayGiveFeedback = Annotated[Principal, Depends(allow("feedback_satisfied", "feedback_unsatisfied"))]
MayExtend = Annotated[Principal, Depends(allow("extend"))]

AUTH = (Unauthorized, Forbidden)
ACTION_ERRORS = responses(*AUTH, NotFound, Conflict, Invalid)


@router.post(
    "/complaints",
    status_code=201,
    response_model=schemas.ComplaintCreated,
    responses={
        200: {
            "model": schemas.ComplaintCreated,
            "description": "this sender's channel_ref seen before",
        },
        **responses(*AUTH, Conflict, Invalid),
    },
)
async def create_complaint(
    body: schemas.ComplaintCreate,
    principal: Intake,
    now: Now,
    cipher: Cipher,
    request: Request,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> JSONResponse:
    """Take a complaint in from any door; a sender's repeated `channel_ref` returns its first."""
    settings = request.app.state.settings
    # Committed before the answer is built, as `DB` does; most complaints are one statement
    # and need no BEGIN and COMMIT around it (submission.one_statement): half their round trips.
    autocommit = submission.one_statement(body, idempotency_key)
    async with session_scope(request, autocommit=autocommit) as db:
        status, payload = await submission.submit(
            db, settings, cipher, principal, body, idempotency_key, now
        )
    return JSONResponse(payload, status_code=status)


@router.get(
    "/complaints",
    response_model=schemas.ComplaintPage,
    responses=responses(*AUTH, Invalid),
)
async def list_complaints(
    principal: Reader,
    now: Now,
    request: Request,
    status: Annotated[list[schemas.StatusName] | None, CommaSeparated, Query()] = None,
    type: Annotated[list[ComplaintType] | None, CommaSeparated, Query()] = None,
    agency_id: uuid.UUID | None = None,
    channel: Annotated[list[schemas.ChannelName] | None, CommaSeparated, Query()] = None,
    counter_site: Annotated[
        str | None, Query(max_length=50, description="counter: the office's agency code")
    ] = None,
    category_id: uuid.UUID | None = None,
    region_code: Annotated[str | None, Query(pattern=r"^\d{2}(\.\d{2}){0,2}(\.\d{4})?$")] = None,
    overdue: bool | None = None,
    due_before: Instant | None = None,
    received_from: Instant | None = None,
    received_to: Instant | None = None,
    q: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> schemas.ComplaintPage:
    """Complaints this caller may see, newest first, with every filter of API.md."""
    filters = queries.ListFilters(
        status=status,
        type=type,
        agency_id=agency_id,
        channel=channel,
        counter_site=counter_site,
        category_id=category_id,
        region_code=region_code,
        overdue=overdue,
        due_before=due_before,
        received_from=received_from,
        received_to=received_to,
        q=q,
    )
    async with session_scope(request, autocommit=True) as db:  # see `get_complaint`
        return await queries.list_complaints(db, principal, filters, limit, cursor, now)


@router.get(
    "/complaints/{complaint_id}",
    response_model=schemas.ComplaintOut,
    responses=responses(*AUTH, NotFound),
)
async def get_complaint(
    complaint_id: uuid.UUID, principal: Reader, cipher: Cipher, now: Now, request: Request
) -> schemas.ComplaintOut:
    """One complaint with its deadline, agency, policy and what can be done next."""
    # A read on autocommit connections: its statements each see one snapshot, and the one
    # write it may make (the identity-access log) commits with its own statement, before the
    # answer is sent. Opened here rather than as a dependency: FastAPI's machinery for a
    # dependency that yields was a fifth of a detail read's CPU (bench/RESULTS_reads.md).
    async with session_scope(request, autocommit=True) as db:
        return await read_complaint(db, principal, cipher, complaint_id, now)


async def read_complaint(
    db: AsyncSession, principal: Principal, cipher: Sealer, complaint_id: uuid.UUID, now: datetime
) -> schemas.ComplaintOut:
    """The detail as `principal` may see it; the console's complaint page shows the same."""
    ctx = await load_context(db, principal.jurisdiction_id)
    complaint = await queries.get_visible(db, principal, complaint_id)
    out = await queries.complaint_out(db, ctx, principal, complaint, now)
    # The identity only where the privacy rules allow it; that read is logged.
    out.reporter = await privacy.identity_for_detail(db, cipher, principal, complaint)
    return out


@router.get(
    "/complaints/{complaint_id}/events",
    response_model=schemas.EventPage,
    responses=responses(*AUTH, NotFound, Invalid),
)
async def list_events(
    complaint_id: uuid.UUID,
    principal: Reader,
    db: DB,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,9}$")] = None,
) -> schemas.EventPage:
    """The audit trail in `seq` order."""
    after = int(cursor) if cursor else 0
    return await queries.list_events(db, principal, complaint_id, limit, after)


@router.post(
    "/complaints/{complaint_id}/verify",
    response_model=schemas.ComplaintOut,
    responses=ACTION_ERRORS,
)
async def verify(
    complaint_id: uuid.UUID, body: schemas.VerifyIn, principal: MayVerify, db: DB, now: Now
) -> schemas.ComplaintOut:
    """Classify the complaint and start its clock; dispatch at once when `agency_id` is given."""
    ctx = await load_context(db, principal.jurisdiction_id)
    c = await actions.verify(db, ctx, principal, complaint_id, body, now)
    return await queries.complaint_out(db, ctx, principal, c, now)


@router.post(
    "/complaints/{complaint_id}/request-info",
    response_model=schemas.ComplaintOut,
    responses=ACTION_ERRORS,
)
async def request_info(
    complaint_id: uuid.UUID,
    body: schemas.RequestInfoIn,
    principal: MayRequestInfo,
    db: DB,
    now: Now,
) -> schemas.ComplaintOut:
    """Ask the reporter for missing information (pauses a running clock)."""
    ctx = await load_context(db, principal.jurisdiction_id)
    c = await actions.request_info(db, ctx, principal, complaint_id, body, now)
    return await queries.complaint_out(db, ctx, principal, c, now)


@router.post(
    "/complaints/{complaint_id}/info",
    response_model=schemas.ComplaintOut,
    responses=ACTION_ERRORS,
)
async def supply_info(
    complaint_id: uuid.UUID, body: schemas.InfoIn, principal: MaySupplyInfo, db: DB, now: Now
) -> schemas.ComplaintOut:
    """The reporter's missing information; the complaint returns to where it was."""
    ctx = await load_context(db, principal.jurisdiction_id)
    c = await actions.supply_info(db, ctx, principal, complaint_id, body, now)
    return await queries.complaint_out(db, ctx, principal, c, now)


@router.post(
    "/complaints/{complaint_id}/archive",
    response_model=schemas.ComplaintOut,
    responses=ACTION_ERRORS,
)
async def archive(
    complaint_id: uuid.UUID, body: schemas.ArchiveIn, principal: MayArchive, db: DB, now: Now
) -> schemas.ComplaintOut:
    """Set the complaint aside with a reason."""
    ctx = await load_context(db, principal.jurisdiction_id)
    c = await actions.archive(db, principal, complaint_id, body, now)
    return await queries.complaint_out(db, ctx, principal, c, now)


@router.post(
    "/complaints/{complaint_id}/dispatch",
    response_model=schemas.ComplaintOut,
    responses=ACTION_ERRORS,
)
async def dispatch(
    complaint_id: uuid.UUID, body: schemas.DispatchIn, principal: MayDispatch, db: DB, now: Now
) -> schemas.ComplaintOut:
    """Send the complaint to an agency by hand."""
    ctx = await load_context(db, principal.jurisdiction_id)
    c = await actions.dispatch(db, ctx, principal, complaint_id, body, now)
    return await queries.complaint_out(db, ctx, principal, c, now)


@router.post(
    "/complaints/{complaint_id}/acknowledge",
    response_model=schemas.ComplaintOut,
    responses=ACTION_ERRORS,
)
async def acknowledge(
    complaint_id: uuid.UUID,
    principal: MayAcknowledge,
    db: DB,
    now: Now,
    body: schemas.AcknowledgeIn | None = None,
) -> schemas.ComplaintOut:
    """The liaison takes the complaint up: in progress."""
    ctx = await load_context(db, principal.jurisdiction_id)
    c = await actions.acknowledge(
        db, ctx, principal, complaint_id, body or schemas.AcknowledgeIn(), now
    )
    return await queries.complaint_out(db, ctx, principal, c, now)


@router.post(
    "/complaints/{complaint_id}/transfer",
    response_model=schemas.ComplaintOut,
    responses=ACTION_ERRORS,
)
async def transfer(
    complaint_id: uuid.UUID, body: schemas.TransferIn, principal: MayTransfer, db: DB, now: Now
) -> schemas.ComplaintOut:
    """Pass the complaint to another agency (bukan wewenang); a liaison asks the admins."""
    ctx = await load_context(db, principal.jurisdiction_id)
    c = await actions.transfer(db, ctx, principal, complaint_id, body, now)
    return await queries.complaint_out(db, ctx, principal, c, now)


@router.post(
    "/complaints/{complaint_id}/responses",
    response_model=schemas.ComplaintOut,
    responses=ACTION_ERRORS,
)
async def respond(
    complaint_id: uuid.UUID, body: schemas.ResponseIn, principal: MayRespond, db: DB, now: Now
) -> schemas.ComplaintOut:
    """The agency's answer to the reporter."""
    ctx = await load_context(db, principal.jurisdiction_id)
    c = await actions.respond(db, ctx, principal, complaint_id, body, now)
    return await queries.complaint_out(db, ctx, principal, c, now)


@router.post(
    "/complaints/{complaint_id}/feedback",
    response_model=schemas.ComplaintOut,
    responses=ACTION_ERRORS,
)
async def feedback(
    complaint_id: uuid.UUID, body: schemas.FeedbackIn, principal: MayGiveFeedback, db: DB, now: Now
) -> schemas.ComplaintOut:
    """The reporter's rating: satisfied closes, not satisfied reopens."""
    ctx = await load_context(db, principal.jurisdiction_id)
    c = await actions.feedback(db, ctx, principal, complaint_id, body, now)
    return await queries.complaint_out(db, ctx, principal, c, now)


@router.post(
    "/complaints/{complaint_id}/extend",
    response_model=schemas.ComplaintOut,
    responses=ACTION_ERRORS,
)
async def extend(
    complaint_id: uuid.UUID, body: schemas.ExtendIn, principal: MayExtend, db: DB, now: Now
) -> schemas.ComplaintOut:
    """Extend the deadline by working days, with a reason."""
    ctx = await load_context(db, principal.jurisdiction_id)
    c = await actions.extend(db, ctx, principal, complaint_id, body, now)
    return await queries.complaint_out(db, ctx, principal, c, now)


class TrackingNotFound(AppError):
    status, code = 404, "tracking_id_not_found"


@router.get(
    "/track/{tracking_id}",
    response_model=schemas.TrackOut,
    responses=responses(TrackingNotFound),
    dependencies=[Depends(Public())],
    tags=["public"],
)
async def track(
    tracking_id: Annotated[str, Path(min_length=1, max_length=40)], db: DB, now: Now
) -> schemas.TrackOut:
    """Anyone with the tracking number: status and dates; the text unless confidential."""
    found = await queries.track(db, tracking_id, now)
    if found is None:
        raise TrackingNotFound("No complaint has this tracking number.")
    return found
