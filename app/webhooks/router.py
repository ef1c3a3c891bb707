"""HTTP edge of callbacks: endpoints, their secrets, the delivery log and manual retry."""

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from app.kernel.config import Settings
from app.kernel.deps import DB, Now
from app.kernel.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, responses
from app.kernel.security import ADMIN, AGENCY_SYSTEM, CITIZEN_APP, OPERATOR, Allow, Principal
from app.kernel.validation import CommaSeparated
from app.privacy.deps import Cipher
from app.webhooks import schemas, service

router = APIRouter(prefix="/v1/webhook-endpoints", tags=["callbacks"])

Manager = Annotated[Principal, Depends(Allow(ADMIN, AGENCY_SYSTEM, CITIZEN_APP))]
Submitter = Annotated[Principal, Depends(Allow(CITIZEN_APP, OPERATOR, AGENCY_SYSTEM))]
AUTH = (Unauthorized, Forbidden)
Limit = Annotated[int, Query(ge=1, le=200)]
Cursor = Annotated[str | None, Query(max_length=500)]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(_settings)]


@router.post(
    "",
    status_code=201,
    response_model=schemas.EndpointWithSecret,
    responses=responses(*AUTH, Invalid),
)
async def create_endpoint(
    body: schemas.EndpointCreate,
    principal: Manager,
    db: DB,
    now: Now,
    cipher: Cipher,
    settings: AppSettings,
) -> schemas.EndpointWithSecret:
    """Register a receiver; its `whsec_` secret is in this answer and never shown again."""
    return await service.create_endpoint(db, settings, cipher, principal, body, now)


@router.get("", response_model=schemas.EndpointPage, responses=responses(*AUTH, Invalid))
async def list_endpoints(
    principal: Manager,
    db: DB,
    active: bool | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> schemas.EndpointPage:
    """Endpoints this caller manages; `active=false` lists the disabled ones and why."""
    return await service.list_endpoints(db, principal, active, limit, cursor)


@router.get(
    "/callback-secret",
    response_model=schemas.CallbackSecret,
    responses=responses(*AUTH),
)
async def callback_secret(principal: Submitter, settings: AppSettings) -> schemas.CallbackSecret:
    """The secrets that sign callbacks to the `callback_url` of complaints this client took in."""
    return schemas.CallbackSecret(secrets=service.client_callback_secrets(settings, principal))


@router.get(
    "/{endpoint_id}", response_model=schemas.EndpointOut, responses=responses(*AUTH, NotFound)
)
async def get_endpoint(endpoint_id: uuid.UUID, principal: Manager, db: DB) -> schemas.EndpointOut:
    """One endpoint (never its secret)."""
    return await service.get_endpoint(db, principal, endpoint_id)


@router.patch(
    "/{endpoint_id}",
    response_model=schemas.EndpointOut,
    responses=responses(*AUTH, NotFound, Invalid),
)
async def update_endpoint(
    endpoint_id: uuid.UUID,
    body: schemas.EndpointUpdate,
    principal: Manager,
    db: DB,
    now: Now,
    settings: AppSettings,
) -> schemas.EndpointOut:
    """Change an endpoint; `active: true` re-enables one that was disabled."""
    return await service.update_endpoint(db, settings, principal, endpoint_id, body, now)


@router.delete("/{endpoint_id}", status_code=204, responses=responses(*AUTH, NotFound))
async def delete_endpoint(endpoint_id: uuid.UUID, principal: Manager, db: DB) -> Response:
    """Remove an endpoint and what was still owed to it."""
    await service.delete_endpoint(db, principal, endpoint_id)
    return Response(status_code=204)


@router.post(
    "/{endpoint_id}/rotate-secret",
    response_model=schemas.EndpointWithSecret,
    responses=responses(*AUTH, NotFound, Invalid),
)
async def rotate_secret(
    endpoint_id: uuid.UUID,
    body: schemas.RotateSecret,
    principal: Manager,
    db: DB,
    now: Now,
    cipher: Cipher,
) -> schemas.EndpointWithSecret:
    """A new secret (shown once); both sign until `overlap_hours` have passed."""
    return await service.rotate_secret(
        db, cipher, principal, endpoint_id, timedelta(hours=body.overlap_hours), now
    )


@router.get(
    "/{endpoint_id}/deliveries",
    response_model=schemas.DeliveryPage,
    responses=responses(*AUTH, NotFound, Invalid),
)
async def list_deliveries(
    endpoint_id: uuid.UUID,
    principal: Manager,
    db: DB,
    status: Annotated[list[schemas.DeliveryStatus] | None, CommaSeparated, Query()] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> schemas.DeliveryPage:
    """The delivery log: every delivery with its attempts (status, duration, answer, error)."""
    return await service.list_deliveries(db, principal, endpoint_id, status, limit, cursor)


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/retry",
    status_code=202,
    responses=responses(*AUTH, NotFound, Conflict),
)
async def retry_delivery(
    endpoint_id: uuid.UUID, delivery_id: uuid.UUID, principal: Manager, db: DB, now: Now
) -> Response:
    """Send a dead-lettered delivery again (a fresh retry schedule)."""
    await service.retry_delivery(db, principal, endpoint_id, delivery_id, now)
    return Response(status_code=202)
