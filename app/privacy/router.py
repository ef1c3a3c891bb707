"""HTTP edge of reporter privacy: reveal, correct, subject export, the identity access log."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.kernel.deps import DB, Now
from app.kernel.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, responses
from app.kernel.security import ADMIN, SUPERVISOR, Allow, Principal
from app.privacy import schemas, service
from app.privacy.deps import Cipher

router = APIRouter(prefix="/v1", tags=["privacy"])

Admin = Annotated[Principal, Depends(Allow(ADMIN))]
Auditor = Annotated[Principal, Depends(Allow(ADMIN, SUPERVISOR))]
AUTH = (Unauthorized, Forbidden)


@router.post(
    "/complaints/{complaint_id}/reveal-reporter",
    response_model=schemas.RevealOut,
    responses=responses(*AUTH, NotFound, Conflict, Invalid),
)
async def reveal_reporter(
    complaint_id: uuid.UUID, body: schemas.RevealIn, principal: Admin, db: DB, cipher: Cipher
) -> schemas.RevealOut:
    """The reporter's identity, anonymous or not, for a stated reason; the read is logged."""
    return await service.reveal(db, cipher, principal, complaint_id, body.reason)


@router.patch(
    "/complaints/{complaint_id}/reporter",
    response_model=schemas.ReporterOut,
    responses=responses(*AUTH, NotFound, Conflict, Invalid),
)
async def correct_reporter(
    complaint_id: uuid.UUID,
    body: schemas.ReporterCorrection,
    principal: Admin,
    db: DB,
    now: Now,
    cipher: Cipher,
) -> schemas.ReporterOut:
    """Correct identity fields (data-subject right); the event names the fields, not values."""
    return await service.correct(db, cipher, principal, complaint_id, body, now)


@router.post(
    "/reporters/search",
    response_model=schemas.SubjectExport,
    responses=responses(*AUTH, Invalid),
)
async def search_reporter(
    body: schemas.SubjectSearch, principal: Admin, db: DB, cipher: Cipher
) -> schemas.SubjectExport:
    """Everything held about a reporter, found by NIK, phone or e-mail; every read is logged."""
    return await service.export_subject(db, cipher, principal, body)


@router.get(
    "/audit/identity-access",
    response_model=schemas.AccessLogPage,
    responses=responses(*AUTH, Invalid),
)
async def identity_access_log(
    principal: Auditor,
    db: DB,
    complaint_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> schemas.AccessLogPage:
    """Who read or changed which reporter identity, when and why; newest first."""
    return await service.access_log(db, principal, complaint_id, limit, cursor)
