"""Classification's periodic job: retrain routing where enough new verified history arrived."""

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.kernel.clock import Clock
from app.kernel.config import Settings
from app.kernel.logging import get_logger
from app.outbox.engine import Message, Outcome, Topic, each, periodic

log = get_logger(__name__)

RETRAIN_TOPIC = "routing_retrain"


def topics(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> list[Topic]:
    """None when `routing_retrain_seconds` is 0 (scheduled retraining turned off)."""
    if settings.routing_retrain_seconds <= 0:
        return []

    async def run(_: Message) -> Outcome:
        from app.classification import retrain  # here: training pulls in scikit-learn

        trained = await retrain.retrain_due(sessions, clock.now())
        if trained:
            log.info("routing retrained", extra={"count": trained})
        return Outcome(done=True)

    # Training is CPU work of minutes on a big history: a long lease, so it is not run twice.
    policy = periodic(settings.routing_retrain_seconds, lease=timedelta(hours=2))
    return [Topic(RETRAIN_TOPIC, policy, send=each(run))]
