"""Privacy's periodic job: erase reporter identities past their retention."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.kernel.clock import Clock
from app.kernel.config import Settings
from app.kernel.logging import get_logger
from app.outbox.engine import Message, Outcome, Topic, each, periodic
from app.privacy import service as privacy

log = get_logger(__name__)

SWEEP_TOPIC = "retention_sweep"


async def sweep(
    sessions: async_sessionmaker[AsyncSession], retention_days: int, now: datetime
) -> int:
    """Erase the identities past their retention in one transaction; returns how many."""
    async with sessions() as session, session.begin():
        return await privacy.erase_expired(session, retention_days, now)


def topics(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> list[Topic]:
    async def run(_: Message) -> Outcome:
        erased = await sweep(sessions, settings.identity_retention_days, clock.now())
        if erased:
            log.info("identities erased", extra={"count": erased})
        return Outcome(done=True)

    return [Topic(SWEEP_TOPIC, periodic(settings.retention_sweep_seconds), send=each(run))]
