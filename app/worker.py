"""The worker's composition root: one engine, built from every domain's topics.

Each domain declares its topics in its own `tasks.py`; only this module knows them all. The
event fan-out gets every domain's subscribers; the metrics snapshot counts every other topic.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

# Every mapped table, so foreign keys resolve in a worker process that serves no routes.
import app.models  # noqa: F401
from app.channels import tasks as channels
from app.classification import tasks as classification
from app.complaints import tasks as complaints
from app.hub import tasks as hub
from app.kernel.clock import Clock, SystemClock
from app.kernel.config import Settings
from app.kernel.db import make_engine, make_sessionmaker
from app.metrics import tasks as metrics
from app.ombudsman import tasks as ombudsman
from app.outbox import tasks as outbox
from app.outbox.engine import Engine, Policy, Topic
from app.privacy import tasks as privacy
from app.privacy.crypto import Sealer
from app.routing import tasks as routing
from app.webhooks import tasks as webhooks
from app.webhooks.service import loopback_allowed
from app.webhooks.url_guard import GuardedTransport


def default_policy(settings: Settings) -> Policy:
    return Policy(
        batch_size=settings.worker_batch_size,
        concurrency=settings.worker_batch_size,
        lease=timedelta(seconds=settings.worker_lease_seconds),
    )


def topics(
    settings: Settings,
    db: AsyncEngine,
    http: httpx.AsyncClient,
    hooks: httpx.AsyncBaseTransport,
    sealer: Sealer,
    clock: Clock,
    name: str,
) -> list[Topic]:
    """Every topic of every domain. `hooks` is the SSRF-guarded transport for callbacks."""
    sessions = make_sessionmaker(db)
    policy = default_policy(settings)
    subscribers = [
        *channels.subscribers(settings, sealer),
        *routing.subscribers(),
        *webhooks.subscribers(),
        *hub.subscribers(settings),
    ]
    found = [
        *complaints.topics(settings, subscribers, policy),
        *channels.topics(settings, http, sealer, policy, clock),
        *routing.topics(settings, policy),
        *webhooks.topics(settings, sessions, hooks, sealer, clock, name),
        *hub.topics(settings, db, http, sealer, policy, clock),
        *privacy.topics(settings, sessions, clock),
        *classification.topics(settings, sessions, clock),
        *ombudsman.topics(policy, webhooks.case_subscribers()),
    ]
    counted = [*(t.name for t in found), outbox.PRUNE_TOPIC]
    found += metrics.topics(settings, sessions, clock, counted)
    periods = [t.policy.every for t in found if t.policy.every is not None]
    return [*found, *outbox.topics(settings, sessions, clock, periods)]


@asynccontextmanager
async def http_clients(
    settings: Settings,
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncBaseTransport]]:
    """The plain client (SMS, social, hub) and the guarded transport (callbacks); no redirects."""
    async with (
        httpx.AsyncClient(follow_redirects=False, timeout=10.0) as http,
        GuardedTransport(
            loopback_allowed(settings),
            settings.webhook_max_concurrency,
            settings.webhook_timeout_seconds,
        ) as hooks,
    ):
        yield http, hooks


@asynccontextmanager
async def built(
    settings: Settings, db: AsyncEngine, clock: Clock | None = None, name: str = "worker"
) -> AsyncIterator[Engine]:
    """The engine over every topic, with its HTTP clients open while it is in use."""
    sealer = Sealer.from_settings(settings)  # the worker's one sealer, for every job
    clock = clock or SystemClock()
    async with http_clients(settings) as (http, hooks):
        yield Engine(
            make_sessionmaker(db),
            topics(settings, db, http, hooks, sealer, clock, name),
            clock,
            settings.worker_poll_seconds,
        )


async def run(settings: Settings, stop: asyncio.Event) -> None:
    """`python -m app worker`: run until `stop`."""
    db = make_engine(settings.database_url or "", pool_size=4, max_overflow=8)
    try:
        async with built(settings, db) as engine:
            await engine.run_forever(stop)
    finally:
        await db.dispose()
