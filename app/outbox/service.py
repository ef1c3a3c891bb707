"""Writing promises into the outbox, always inside the caller's transaction: the one enqueue."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, exists, func, select, text, update
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
    """Announce a complaint event to whoever consumes them (callbacks, hub, SMS replies).

    Keyed per complaint, so its events fan out in seq order: every row a fan-out writes for a
    later event comes after every row written for an earlier one.
    """
    await enqueue(
        session,
        jurisdiction_id,
        EVENT_TOPIC,
        None,
        {"type": f"complaint.{event_type}"},
        complaint_id=complaint_id,
        seq=seq,
        available_at=occurred_at,
        ordering_key=event_ordering_key(complaint_id),
    )


def event_ordering_key(complaint_id: uuid.UUID) -> str:
    return f"{EVENT_TOPIC}:{complaint_id}"


# The columns of an outbox row, for a statement that writes its rows in its own SQL (the intake,
# one round trip for the complaint and everything that follows it): its SELECT gives them in
# this order, so this module stays the one that knows the table.
INSERT_HEAD = (
    "INSERT INTO outbox_messages (id, jurisdiction_id, topic, dedupe_key, complaint_id, seq,"
    " payload, status, available_at, attempts, created_at, ordering_key)"
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


@dataclass(frozen=True)
class NewMessage:
    """A row to enqueue; `id` is given when the payload is bound to it (sealed replies)."""

    topic: str
    dedupe_key: str | None
    payload: dict[str, Any]
    jurisdiction_id: uuid.UUID | None = None
    complaint_id: uuid.UUID | None = None
    seq: int | None = None
    available_at: datetime | None = None
    ordering_key: str | None = None
    id: uuid.UUID = field(default_factory=uuid.uuid4)


async def enqueue(
    session: AsyncSession,
    jurisdiction_id: uuid.UUID | None,
    topic: str,
    dedupe_key: str | None,
    payload: dict[str, Any],
    complaint_id: uuid.UUID | None = None,
    seq: int | None = None,
    available_at: datetime | None = None,
    ordering_key: str | None = None,
    row_id: uuid.UUID | None = None,
) -> None:
    """A row for `topic`, due now or at `available_at`; the same `dedupe_key` twice is one row."""
    await enqueue_many(
        session,
        [
            NewMessage(
                topic,
                dedupe_key,
                payload,
                jurisdiction_id,
                complaint_id,
                seq,
                available_at,
                ordering_key,
                row_id or uuid.uuid4(),
            )
        ],
    )


async def enqueue_many(session: AsyncSession, messages: Sequence[NewMessage]) -> None:
    """Every row in one statement, in the given order (their positions follow it)."""
    if not messages:
        return
    await session.execute(
        pg_insert(OutboxMessage)
        .values(
            [
                {
                    "id": m.id,
                    "jurisdiction_id": m.jurisdiction_id,
                    "topic": m.topic,
                    "dedupe_key": m.dedupe_key,
                    "complaint_id": m.complaint_id,
                    "seq": m.seq,
                    "payload": m.payload,
                    "ordering_key": m.ordering_key,
                    "available_at": m.available_at or func.now(),
                }
                for m in messages
            ]
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )


async def hold(session: AsyncSession, key_prefix: str) -> None:
    """Park the pending rows whose ordering key starts with `key_prefix` (a disabled receiver)."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "pending", OutboxMessage.ordering_key.startswith(key_prefix))
        .values(status="held")
    )


async def cancel(session: AsyncSession, key_prefix: str) -> None:
    """Drop what is still owed under keys starting with `key_prefix` (a deleted receiver)."""
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status.in_(("pending", "held")),
            OutboxMessage.ordering_key.startswith(key_prefix),
        )
        .values(status="cancelled")
    )


async def release(session: AsyncSession, key_prefix: str, now: datetime) -> None:
    """Put held rows back in line, due now, in their original order."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "held", OutboxMessage.ordering_key.startswith(key_prefix))
        .values(status="pending", available_at=now, locked_until=None)
    )


# Done rows done before :before, a batch at a time. A done timer stays while its complaint still
# has a pending timer: `newer_timer_exists` reads rows in any state, so an older generation still
# waiting must find the newer one that already fired.
_PRUNE = text(
    """
    DELETE FROM outbox_messages WHERE id IN (
        SELECT o.id FROM outbox_messages o
        WHERE o.status = 'done' AND o.done_at < :before
          AND NOT (o.topic = :timer AND EXISTS (
              SELECT 1 FROM outbox_messages p
              WHERE p.complaint_id = o.complaint_id AND p.topic = :timer
                AND p.status = 'pending'))
        LIMIT :limit)
    """
)


async def prune_done(session: AsyncSession, before: datetime, limit: int) -> int:
    """Delete up to `limit` rows done before `before`; returns how many."""
    result = await session.execute(_PRUNE, {"before": before, "timer": TIMER_TOPIC, "limit": limit})
    return int(result.rowcount)  # type: ignore[attr-defined]


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
