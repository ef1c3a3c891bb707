"""The complaints' topics: timers, and the fan-out of each event to its subscribers."""

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.complaints import timers
from app.complaints.fanout import Subscriber, fan_out
from app.kernel.config import Settings
from app.outbox.engine import Message, Policy, Topic
from app.outbox.service import EVENT_TOPIC, TIMER_TOPIC

_TIMER_STATE = text(
    f"SELECT {', '.join(timers.TIMER_COLUMNS)} FROM complaints WHERE id = ANY(:ids)"  # noqa: S608
)


async def stale_timers(session: AsyncSession, batch: Sequence[Message]) -> set[uuid.UUID]:
    """The timers of a batch that can no longer fire, found in one indexed read for all."""
    state = {
        r.id: r
        for r in await session.execute(_TIMER_STATE, {"ids": list({m.complaint_id for m in batch})})
    }
    return {
        m.id
        for m in batch
        if m.complaint_id not in state
        or not timers.could_fire(
            m.payload["kind"], datetime.fromisoformat(m.payload["due"]), state[m.complaint_id]
        )
    }


def topics(settings: Settings, subscribers: Sequence[Subscriber], policy: Policy) -> list[Topic]:
    """Timers and the event fan-out: both database only, so each runs exactly once."""
    repeat = timedelta(hours=settings.overdue_repeat_hours)

    async def fire_timer(session: AsyncSession, row: Message) -> None:
        await timers.fire(session, row.complaint_id, row.payload, repeat, row.now)

    return [
        Topic(TIMER_TOPIC, policy, handle=fire_timer, stale=stale_timers),
        Topic(EVENT_TOPIC, policy, handle=fan_out(subscribers)),
    ]
