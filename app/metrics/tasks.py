"""Metrics' periodic job: recount the gauges /metrics serves (outbox, deliveries, complaints)."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.kernel.clock import Clock
from app.kernel.config import Settings
from app.metrics import snapshot
from app.outbox.engine import Message, Outcome, Topic, each, periodic

SNAPSHOT_TOPIC = "metrics_snapshot"


async def take_snapshot(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, topics: Sequence[str]
) -> None:
    async with sessions() as session, session.begin():
        await snapshot.refresh(session, clock.now(), topics)


def topics(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    counted: Sequence[str],
) -> list[Topic]:
    """`counted`: the engine's other topics, each of which gets its gauges (zero when idle)."""

    async def run(_: Message) -> Outcome:
        await take_snapshot(sessions, clock, [*counted, SNAPSHOT_TOPIC])
        return Outcome(done=True)

    return [Topic(SNAPSHOT_TOPIC, periodic(settings.metrics_snapshot_seconds), send=each(run))]
