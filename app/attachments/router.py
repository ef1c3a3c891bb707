"""Uploading a file before the complaint that names it, and reading it back."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from app.attachments import service
from app.attachments.storage import BlobStore
from app.kernel.deps import DB
from app.kernel.errors import Forbidden, Invalid, NotFound, PayloadTooLarge, Unauthorized, responses
from app.kernel.security import (
    ADMIN,
    AGENCY_SYSTEM,
    CHANNEL_GATEWAY,
    CITIZEN_APP,
    HUB,
    LIAISON,
    OMBUDSMAN_LIAISON,
    OPERATOR,
    SUPERVISOR,
    Allow,
    Principal,
)

router = APIRouter(prefix="/v1", tags=["attachments"])

Uploader = Annotated[
    Principal,
    Depends(Allow(OPERATOR, CITIZEN_APP, HUB, CHANNEL_GATEWAY, ADMIN, LIAISON, OMBUDSMAN_LIAISON)),
]
Reader = Annotated[
    Principal,
    Depends(
        Allow(
            ADMIN,
            SUPERVISOR,
            LIAISON,
            OPERATOR,
            CITIZEN_APP,
            HUB,
            CHANNEL_GATEWAY,
            AGENCY_SYSTEM,
            OMBUDSMAN_LIAISON,
        )
    ),
]


class AttachmentOut(BaseModel):
    id: uuid.UUID
    content_type: str
    size_bytes: int
    sha256: str


def _store(request: Request) -> BlobStore:
    store: BlobStore = request.app.state.blob_store
    return store


Store = Annotated[BlobStore, Depends(_store)]


@router.post(
    "/attachments",
    status_code=201,
    response_model=AttachmentOut,
    responses=responses(
        Unauthorized, Forbidden, Invalid, PayloadTooLarge, service.UnsupportedMediaType
    ),
)
async def upload_attachment(
    file: UploadFile, request: Request, principal: Uploader, db: DB, store: Store
) -> AttachmentOut:
    """Upload a photo or PDF (multipart field `file`); name its id in a complaint's attachments."""
    limit: int = request.app.state.settings.max_attachment_bytes
    data = await file.read(limit + 1)
    stored = await service.upload(db, store, principal, data, limit)
    return AttachmentOut(**stored.__dict__)


@router.get(
    "/attachments/{attachment_id}",
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": {}}},
        **responses(Unauthorized, Forbidden, NotFound),
    },
)
async def get_attachment(
    attachment_id: uuid.UUID, principal: Reader, db: DB, store: Store
) -> Response:
    """The stored file, to those who may see its complaint."""
    attachment, data = await service.read(db, store, principal, attachment_id)
    return Response(
        data,
        media_type=attachment.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{attachment.id}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
