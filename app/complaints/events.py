"""Appending to a complaint's audit trail: the event and its announcement, one transaction."""

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.complaints.models import Complaint, ComplaintEvent
from app.complaints.vocabulary import EventType
from app.outbox.service import publish_event


async def append_event(
    session: AsyncSession,
    complaint: Complaint,
    event_type: EventType,
    actor: dict[str, str],
    now: datetime,
    data: dict[str, Any] | None = None,
) -> ComplaintEvent:
    """Record `event_type` as the complaint's next seq; the caller holds the row lock.

    The caller has already moved the complaint: the event keeps the status it leaves it in.
    """
    complaint.last_seq += 1
    complaint.updated_at = now
    event = ComplaintEvent(
        complaint_id=complaint.id,
        jurisdiction_id=complaint.jurisdiction_id,
        seq=complaint.last_seq,
        type=event_type,
        status=complaint.status,
        occurred_at=now,
        actor=actor,
        data=data or {},
    )
    session.add(event)
    await session.flush()
    await publish_event(
        session, complaint.jurisdiction_id, complaint.id, event.seq, event_type, now
    )
    return event


def closed_data(c: Complaint, reason: str) -> dict[str, Any]:
    """A `closed` event's data: why it closed and the outcome it closed with."""
    return {
        "reason": reason,
        "resolution": c.resolution,
        "resolution_reason": c.resolution_reason,
        "rating": c.rating,
        "satisfied": c.satisfied,
    }
