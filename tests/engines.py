"""The worker's engine for tests: the real composition root, narrowed to the topics a test needs."""

from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncEngine

from app.kernel.clock import Clock
from app.kernel.config import Settings
from app.outbox.engine import Engine
from app.worker import built


@asynccontextmanager
async def worker(
    settings: Settings,
    db: AsyncEngine,
    *,
    db_only: bool = False,
    topics: Collection[str] | None = None,
    name: str = "test",
    clock: Clock | None = None,
) -> AsyncIterator[Engine]:
    """`db_only`: only the topics that change nothing but the database (timers, fan-out, ...);
    `topics`: only these."""
    async with built(settings, db, clock, name=name) as engine:
        kept = [
            t
            for t in engine.topics
            if (not db_only or t.handle is not None) and (topics is None or t.name in topics)
        ]
        yield replace(engine, topics=kept)
