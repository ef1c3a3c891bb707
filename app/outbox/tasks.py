"""The outbox's own periodic job: delete done rows past their retention.

Every callback, fan-out, timer and periodic run leaves a done row; without this they pile up for
ever (and every backlog count and claim index walks past more of them). Deleted a batch per
transaction, so no statement holds many row locks or runs long on a big table.
"""

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.kernel.clock import Clock
from app.kernel.config import Settings
from app.kernel.logging import get_logger
from app.outbox.engine import Message, Outcome, Topic, each, periodic
from app.outbox.service import prune_done

log = get_logger(__name__)

PRUNE_TOPIC = "outbox_prune"
PRUNE_BATCH = 5000


def kept_for(settings: Settings, periods: Sequence[timedelta]) -> timedelta:
    """How long a done row stays. A periodic job's done row is what keeps a restart within its
    slot from running the slot again (`Engine.start`): kept for twice the longest period, it goes
    only once that slot is long past."""
    every = timedelta(seconds=settings.outbox_prune_seconds)
    return max(
        timedelta(days=settings.outbox_done_retention_days), *(2 * p for p in (*periods, every))
    )


def topics(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    periods: Sequence[timedelta],
) -> list[Topic]:
    """`periods`: the other periodic topics' slot lengths."""
    keep = kept_for(settings, periods)

    async def run(_: Message) -> Outcome:
        before, deleted = clock.now() - keep, 0
        while True:
            async with sessions() as session, session.begin():
                batch = await prune_done(session, before, PRUNE_BATCH)
            deleted += batch
            if batch < PRUNE_BATCH:
                break
        if deleted:
            log.info("done outbox rows deleted", extra={"count": deleted})
        return Outcome(done=True)

    return [Topic(PRUNE_TOPIC, periodic(settings.outbox_prune_seconds), send=each(run))]
