"""Uploading, attaching and reading files; who may read follows who may see the complaint."""

import hashlib
import uuid
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.attachments.content import UnsupportedContent, clean
from app.attachments.models import Attachment
from app.attachments.storage import BlobStore
from app.complaints import readmodel
from app.kernel.errors import AppError, Invalid, NotFound, PayloadTooLarge
from app.kernel.security import Principal
from app.ombudsman import readmodel as ombudsman


class UnsupportedMediaType(AppError):
    status, code = 415, "unsupported_media_type"


@dataclass(frozen=True)
class Stored:
    id: uuid.UUID
    content_type: str
    size_bytes: int
    sha256: str


def _upload_id(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None  # a URL, kept as the client gave it


async def upload(
    session: AsyncSession, store: BlobStore, principal: Principal, data: bytes, max_bytes: int
) -> Stored:
    """Check the bytes, strip photo metadata, store them; the upload belongs to its uploader."""
    if not data:
        raise Invalid.field("file", "The file is empty.", code="empty_file")
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"The file exceeds {max_bytes} bytes.", code="file_too_large")
    try:
        cleaned = clean(data)
    except UnsupportedContent as exc:
        raise UnsupportedMediaType(f"Unsupported file: {exc}.") from exc
    attachment = Attachment(
        id=uuid.uuid4(),
        jurisdiction_id=principal.jurisdiction_id,
        uploaded_by=principal.id,
        content_type=cleaned.content_type,
        size_bytes=len(cleaned.data),
        sha256=hashlib.sha256(cleaned.data).hexdigest(),
    )
    attachment.storage_key = attachment.id.hex
    # Bytes first: a failed commit leaves an orphan file, never a row without its file.
    await store.put(attachment.storage_key, cleaned.data)
    session.add(attachment)
    await session.flush()
    return Stored(attachment.id, attachment.content_type, attachment.size_bytes, attachment.sha256)


async def claim(
    session: AsyncSession, principal: Principal, complaint_id: uuid.UUID, refs: list[str]
) -> None:
    """Attach the caller's own unattached uploads named in `refs` to a new complaint."""
    await _claim(
        session,
        principal,
        {u for u in map(_upload_id, refs) if u is not None},
        complaint_id=complaint_id,
    )


async def claim_for_case(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, refs: list[str]
) -> None:
    """Attach the caller's own unattached uploads to an Ombudsman case; every ref is an id."""
    ids = set()
    for ref in refs:
        upload_id = _upload_id(ref)
        if upload_id is None:
            raise Invalid.field("attachments", "Send upload ids (POST /v1/attachments).")
        ids.add(upload_id)
    await _claim(session, principal, ids, ombudsman_case_id=case_id)


async def _claim(
    session: AsyncSession, principal: Principal, ids: set[uuid.UUID], **owner: uuid.UUID
) -> None:
    if not ids:
        return
    claimed = (
        await session.scalars(
            update(Attachment)
            .where(
                Attachment.id.in_(ids),
                Attachment.jurisdiction_id == principal.jurisdiction_id,
                Attachment.uploaded_by == principal.id,
                Attachment.complaint_id.is_(None),
                Attachment.ombudsman_case_id.is_(None),
            )
            .values(**owner)
            .returning(Attachment.id)
        )
    ).all()
    missing = sorted(str(i) for i in ids - set(claimed))
    if missing:
        # Raised inside the intake transaction: the complaint is rolled back with it.
        raise Invalid(
            "Unknown upload id, or not yours, or already attached.",
            code="unknown_attachment",
            details=[{"field": "attachments", "message": m} for m in missing],
        )


async def described(
    session: AsyncSession, jurisdiction_id: uuid.UUID, ids: list[str]
) -> dict[str, Stored]:
    """What each attached file is (type, size, checksum), for an evidence list; no bytes."""
    wanted = [u for u in map(_upload_id, ids) if u is not None]
    if not wanted:
        return {}
    rows = await session.scalars(
        select(Attachment).where(
            Attachment.id.in_(wanted), Attachment.jurisdiction_id == jurisdiction_id
        )
    )
    return {str(a.id): Stored(a.id, a.content_type, a.size_bytes, a.sha256) for a in rows}


async def read(
    session: AsyncSession, store: BlobStore, principal: Principal, attachment_id: uuid.UUID
) -> tuple[Attachment, bytes]:
    """The file, for those who may see its complaint (an unattached one: its uploader only)."""
    attachment = await session.get(Attachment, attachment_id)
    if attachment is None or attachment.jurisdiction_id != principal.jurisdiction_id:
        raise NotFound("No such attachment.", code="attachment_not_found")
    if attachment.complaint_id is not None:
        allowed = await readmodel.is_visible(session, principal, attachment.complaint_id)
    elif attachment.ombudsman_case_id is not None:
        allowed = await ombudsman.is_visible(session, principal, attachment.ombudsman_case_id)
    else:
        allowed = attachment.uploaded_by == principal.id
    if not allowed:
        raise NotFound("No such attachment.", code="attachment_not_found")
    data = await store.get(attachment.storage_key)
    if data is None:
        raise NotFound("The attachment's file is gone.", code="attachment_not_found")
    return attachment, data
