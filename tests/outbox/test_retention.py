"""Done outbox rows are deleted by the engine's own periodic job once past their retention."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.kernel.config import Settings
from app.outbox import tasks
from app.outbox.engine import Engine, Message, Topic
from app.outbox.service import TIMER_TOPIC, enqueue, schedule_timer
from tests.complaints.support import create, fetch
from tests.factories import World


@dataclass
class Clock:
    at: datetime

    def now(self) -> datetime:
        return self.at


async def _nothing(_: AsyncSession, __: Message) -> None:
    return None


async def _rows(engine: AsyncEngine) -> list[dict[str, Any]]:
    return await fetch(
        engine,
        "SELECT topic, status, payload FROM outbox_messages"
        " WHERE topic IN ('work', :timer) ORDER BY position",
        timer=TIMER_TOPIC,
    )


async def test_done_rows_past_their_retention_are_deleted_and_nothing_else(
    client: httpx.AsyncClient,
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    settings: Settings,
) -> None:
    complaint = uuid.UUID((await create(client, world))["id"])  # with its pending timer
    clock = Clock(datetime.now(UTC) + timedelta(seconds=1))
    retention = settings.model_copy(update={"outbox_done_retention_days": 7})
    [prune] = tasks.topics(retention, sessions, clock, periods=[timedelta(hours=1)])
    work = Topic("work", handle=_nothing)
    timers = Topic(TIMER_TOPIC, handle=_nothing)  # fires without acting: only its row matters
    worker = Engine(sessions, [work, timers, prune], clock)

    async with sessions() as session, session.begin():
        for i in range(3):
            await enqueue(session, world.jurisdiction_id, "work", None, {"i": i})
        await enqueue(
            session,
            world.jurisdiction_id,
            "work",
            None,
            {"i": "later"},
            available_at=clock.now() + timedelta(days=30),
        )
        # A timer of the complaint that fires now, while its verification timer still waits.
        await schedule_timer(
            session, world.jurisdiction_id, complaint, "note", clock.now(), "note:1"
        )
    assert await worker.run_topic(work) == 3
    assert await worker.run_topic(timers) == 1
    clock.at += timedelta(days=6)
    async with sessions() as session, session.begin():
        await enqueue(session, world.jurisdiction_id, "work", None, {"i": "recent"})
    assert await worker.run_topic(work) == 1

    clock.at += timedelta(days=1, hours=1)  # the first rows are 7 days and an hour done
    await worker.start()
    assert await worker.run_topic(prune) == 1
    left = [(r["topic"], r["status"], r["payload"].get("i")) for r in await _rows(engine)]
    assert left == [
        (TIMER_TOPIC, "pending", None),  # the complaint's verification timer
        ("work", "pending", "later"),
        (TIMER_TOPIC, "done", None),  # kept: its complaint has a pending timer
        ("work", "done", "recent"),
    ]
    slots = await fetch(
        engine,
        "SELECT status FROM outbox_messages WHERE topic = :t ORDER BY position",
        t=tasks.PRUNE_TOPIC,
    )
    assert [s["status"] for s in slots] == ["done", "pending"]  # and the next run is scheduled


def test_the_retention_outlasts_every_periodic_slot(settings: Settings) -> None:
    # A done slot row is what stops a restart within its slot from running it again.
    week = settings.model_copy(update={"outbox_done_retention_days": 7})
    assert tasks.kept_for(week, [timedelta(hours=1), timedelta(days=1)]) == timedelta(days=7)
    assert tasks.kept_for(week, [timedelta(days=5)]) == timedelta(days=10)
