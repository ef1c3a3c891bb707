"""Fan-out of a complaint event to its consumers (callbacks, hub, SMS, e-mail).

Intake and actions write one `complaint_event` outbox row per event. The worker hands it to
`fan_out`, which runs in the worker's transaction and lets each subscriber enqueue its own
outbox rows (one per callback endpoint, per SMS, per e-mail): the fan-out is exactly once, and
each delivery then retries on its own.
"""

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.complaints.models import ComplaintEvent
from app.outbox.engine import Handler, Message


@dataclass(frozen=True)
class EventNotice:
    jurisdiction_id: uuid.UUID
    complaint_id: uuid.UUID
    seq: int
    type: str  # without the "complaint." prefix, e.g. "verified"
    status: str  # the status this event left the complaint in
    occurred_at: datetime
    actor: dict[str, Any]
    data: dict[str, Any]


# `now` is the worker's instant for the row, from the engine's clock.
Subscriber = Callable[[AsyncSession, EventNotice, datetime], Awaitable[None]]


def fan_out(
    subscribers: Sequence[Subscriber],
) -> Handler:
    """The outbox handler for `complaint_event` rows."""

    async def handle(session: AsyncSession, row: Message) -> None:
        now = row.now
        event = await session.get(ComplaintEvent, (row.complaint_id, row.seq))
        if event is None:  # the complaint was deleted; nothing left to announce
            return
        assert row.jurisdiction_id is not None
        notice = EventNotice(
            jurisdiction_id=row.jurisdiction_id,
            complaint_id=event.complaint_id,
            seq=event.seq,
            type=event.type,
            status=event.status,
            occurred_at=event.occurred_at,
            actor=event.actor,
            data=event.data,
        )
        for subscriber in subscribers:
            await subscriber(session, notice, now)

    return handle
