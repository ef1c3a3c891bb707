"""Writing promises into the outbox, always inside the caller's transaction."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, exists, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.outbox.models import OutboxMessage

EVENT_TOPIC = "complaint_event"
TIMER_TOPIC = "timer"


async def publish_event(
    session: AsyncSession,
    jurisdiction_id: uuid.UUID,
    complaint_id: uuid.UUID,
    seq: int,
    event_type: str,
    occurred_at: datetime,
) -> None:
    """Announce a complaint event to whoever consumes them (callbacks, hub, SMS replies)."""
    await session.execute(
        insert(OutboxMessage).values(
            id=uuid.uuid4(),
            jurisdiction_id=jurisdiction_id,
            topic=EVENT_TOPIC,
            complaint_id=complaint_id,
            seq=seq,
            payload={"type": f"complaint.{event_type}"},
            available_at=occurred_at,
        )
    )


async def schedule_timer(
    session: AsyncSession,
    jurisdiction_id: uuid.UUID,
    complaint_id: uuid.UUID,
    kind: str,
    fire_at: datetime,
    dedupe_key: str,
    payload: dict[str, Any] | None = None,
) -> None:
    """A row that fires at `fire_at`; scheduling the same `dedupe_key` twice is one timer."""
    await enqueue(
        session,
        jurisdiction_id,
        TIMER_TOPIC,
        dedupe_key,
        {"kind": kind, **(payload or {})},
        complaint_id=complaint_id,
        available_at=fire_at,
    )


async def newer_timer_exists(
    session: AsyncSession, complaint_id: uuid.UUID, kind: str, generation: int
) -> bool:
    """Whether a later schedule of this complaint's `kind` timer exists (in any state)."""
    newer = select(OutboxMessage.id).where(
        OutboxMessage.complaint_id == complaint_id,
        OutboxMessage.topic == TIMER_TOPIC,
        OutboxMessage.payload["kind"].astext == kind,
        OutboxMessage.payload["generation"].astext.cast(Integer) > generation,
    )
    return bool(await session.scalar(select(exists(newer))))


ADMIN_NOTICE_TOPIC = "admin_notice"


async def notify_admins(
    session: AsyncSession,
    jurisdiction_id: uuid.UUID,
    kind: str,
    payload: dict[str, Any],
    dedupe_key: str,
) -> None:
    """Tell the jurisdiction's admins something needs them (the notifications module sends it)."""
    await enqueue(
        session, jurisdiction_id, ADMIN_NOTICE_TOPIC, dedupe_key, {"kind": kind, **payload}
    )


async def enqueue(
    session: AsyncSession,
    jurisdiction_id: uuid.UUID,
    topic: str,
    dedupe_key: str,
    payload: dict[str, Any],
    complaint_id: uuid.UUID | None = None,
    seq: int | None = None,
    available_at: datetime | None = None,
) -> None:
    """A row for `topic`, due now or at `available_at`; the same `dedupe_key` twice is one row."""
    await session.execute(
        pg_insert(OutboxMessage)
        .values(
            id=uuid.uuid4(),
            jurisdiction_id=jurisdiction_id,
            topic=topic,
            dedupe_key=dedupe_key,
            complaint_id=complaint_id,
            seq=seq,
            payload=payload,
            **({"available_at": available_at} if available_at is not None else {}),
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )


@dataclass(frozen=True)
class TopicBacklog:
    topic: str
    pending: int  # due now and not yet done
    scheduled: int  # waiting for a time still ahead (timers)
    dead: int
    oldest_pending_at: datetime | None


async def backlog(session: AsyncSession, now: datetime) -> list[TopicBacklog]:
    """What the outbox still owes, per topic (done and cancelled rows are not counted)."""
    due = OutboxMessage.available_at <= now
    pending = OutboxMessage.status == "pending"
    rows = await session.execute(
        select(
            OutboxMessage.topic,
            func.count().filter(pending, due),
            func.count().filter(pending, ~due),
            func.count().filter(OutboxMessage.status == "dead"),
            func.min(OutboxMessage.available_at).filter(pending, due),
        )
        .where(OutboxMessage.status.in_(("pending", "dead")))
        .group_by(OutboxMessage.topic)
    )
    return [TopicBacklog(*row) for row in rows.all()]
