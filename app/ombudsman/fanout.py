"""Fan-out of an Ombudsman case event to its subscribers (callbacks), like complaint events.

Every case event writes one `ombudsman_event` outbox row in its transaction (events.py); the
worker hands it to `fan_out`, which runs each subscriber in the worker's transaction, so each
delivery is owed exactly once and then retried on its own.
"""

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.ombudsman.models import OmbudsmanCase, OmbudsmanCaseEvent
from app.outbox.engine import Handler, Message

EVENT_TOPIC = "ombudsman_event"


@dataclass(frozen=True)
class CaseNotice:
    """A case event as a receiver may learn it: ids, stage, dates; never the citizen."""

    jurisdiction_id: uuid.UUID
    case_id: uuid.UUID
    seq: int
    type: str  # without the "ombudsman." prefix
    stage: str
    occurred_at: datetime
    agency_id: uuid.UUID
    letter_number: str
    step_id: uuid.UUID | None
    due_at: str | None


CaseSubscriber = Callable[[AsyncSession, CaseNotice, datetime], Awaitable[None]]


def fan_out(subscribers: Sequence[CaseSubscriber]) -> Handler:
    """The outbox handler for `ombudsman_event` rows."""

    async def handle(session: AsyncSession, row: Message) -> None:
        case_id = uuid.UUID(row.payload["case_id"])
        event = await session.get(OmbudsmanCaseEvent, (case_id, row.payload["seq"]))
        case = await session.get(OmbudsmanCase, case_id)
        if event is None or case is None:  # the case was deleted; nothing left to announce
            return
        notice = CaseNotice(
            jurisdiction_id=case.jurisdiction_id,
            case_id=case.id,
            seq=event.seq,
            type=event.type,
            stage=event.stage,
            occurred_at=event.occurred_at,
            agency_id=case.agency_id,
            letter_number=case.letter_number,
            step_id=event.step_id,
            due_at=event.data.get("due_at"),
        )
        for subscriber in subscribers:
            await subscriber(session, notice, row.now)

    return handle
