"""What a channel needs to answer a reporter through the door they used: the complaint's channel
and tracking id, and the reporter's contact, decrypted here and nowhere else."""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.complaints.models import Complaint, Reporter
from app.privacy.crypto import IdentityCipher


@dataclass(frozen=True)
class ReplyContext:
    complaint_id: uuid.UUID
    jurisdiction_id: uuid.UUID
    tracking_id: str
    status: str
    channel: str
    channel_detail: dict[str, Any]
    reporter: dict[str, Any]


async def reply_context(
    session: AsyncSession, cipher: IdentityCipher, complaint_id: uuid.UUID
) -> ReplyContext | None:
    """The complaint's door and reporter contact, or None when there is no one to answer."""
    row = (
        await session.execute(
            select(Complaint, Reporter)
            .outerjoin(Reporter, Reporter.complaint_id == Complaint.id)
            .where(Complaint.id == complaint_id)
        )
    ).first()
    if row is None:
        return None
    complaint, reporter = row
    identity: dict[str, Any] = {}
    if reporter is not None and reporter.erased_at is None:
        identity = cipher.decrypt(reporter.key_id, reporter.ciphertext, complaint.id.bytes)
    return ReplyContext(
        complaint_id=complaint.id,
        jurisdiction_id=complaint.jurisdiction_id,
        tracking_id=complaint.tracking_id,
        status=complaint.status,
        channel=complaint.channel,
        channel_detail=dict(complaint.channel_detail or {}),
        reporter=identity,
    )
