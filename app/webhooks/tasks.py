"""The webhooks' topic: one `webhook` row per delivery, sent by `dispatcher.WebhookTopic`."""

from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.complaints.fanout import Subscriber
from app.kernel.clock import Clock
from app.kernel.config import Settings
from app.ombudsman.fanout import CaseSubscriber
from app.outbox.engine import Policy, Topic
from app.privacy.crypto import Sealer
from app.webhooks.dispatcher import WebhookTopic
from app.webhooks.rules import MAX_ATTEMPTS, next_attempt_delay
from app.webhooks.subscriber import DELIVERY_TOPIC, enqueue_case_deliveries, enqueue_deliveries


def subscribers() -> list[Subscriber]:
    return [enqueue_deliveries]


def case_subscribers() -> list[CaseSubscriber]:
    """Callbacks of Ombudsman case events."""
    return [enqueue_case_deliveries]


def _retry(attempts_made: int) -> timedelta:
    # The engine stops at MAX_ATTEMPTS, before the schedule runs out.
    return next_attempt_delay(attempts_made) or timedelta(0)


def policy(settings: Settings) -> Policy:
    """Standard Webhooks' schedule; at most `webhook_max_concurrency` POSTs in flight."""
    concurrency = settings.webhook_max_concurrency
    return Policy(
        max_attempts=MAX_ATTEMPTS,
        retry=_retry,
        batch_size=min(settings.webhook_batch_size, concurrency),
        concurrency=concurrency,
        lease=timedelta(seconds=settings.webhook_lease_seconds),
    )


def topics(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    transport: httpx.AsyncBaseTransport,
    sealer: Sealer,
    clock: Clock,
    name: str,
) -> list[Topic]:
    """`transport`: the SSRF-guarded one (app/webhooks/url_guard.py), which follows no redirect."""
    sender = WebhookTopic(sessions, settings, transport, sealer, clock, name)
    return [Topic(DELIVERY_TOPIC, policy(settings), send=sender.send, settled=sender.settled)]
