"""The hub's topics: pushes of our events, and the periodic pull and reconcile."""

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from app.complaints.fanout import Subscriber
from app.hub import sync
from app.hub.client import hub_from_settings
from app.hub.push import push_sender, under_sync_lock
from app.kernel.clock import Clock
from app.kernel.config import Settings
from app.kernel.db import make_sessionmaker
from app.outbox.engine import Policy, Topic, each, periodic
from app.privacy.crypto import Sealer

PULL_TOPIC = "hub_pull"
RECONCILE_TOPIC = "hub_reconcile"


def subscribers(settings: Settings) -> list[Subscriber]:
    """None without a hub: nothing is owed to it."""
    return [sync.subscriber(settings)] if settings.hub_base_url else []


def topics(
    settings: Settings,
    engine: AsyncEngine,
    http: httpx.AsyncClient,
    sealer: Sealer,
    policy: Policy,
    clock: Clock,
) -> list[Topic]:
    hub = hub_from_settings(settings, http)
    if hub is None:
        return []
    sessions = make_sessionmaker(engine)

    async def pull() -> object:
        return await sync.pull(sessions, settings, sealer, hub, clock)

    async def reconcile() -> object:
        return await sync.reconcile(sessions, settings, sealer, hub, clock)

    return [
        Topic(sync.PUSH_TOPIC, policy, send=each(push_sender(sessions, sealer, hub, clock))),
        Topic(
            PULL_TOPIC,
            periodic(settings.hub_sync_seconds),
            send=each(under_sync_lock(engine, pull)),
        ),
        Topic(
            RECONCILE_TOPIC,
            periodic(settings.hub_reconcile_seconds),
            send=each(under_sync_lock(engine, reconcile)),
        ),
    ]
