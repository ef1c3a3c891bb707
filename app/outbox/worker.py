"""The background worker: claims due outbox rows and hands each to its topic's handler.

Rows are claimed with `FOR UPDATE SKIP LOCKED`, so any number of workers can run side by side
and each row is handled by one. A handler that only changes the database (a timer) runs in the
same transaction that marks its row done: it happens exactly once, or not at all and is retried.
"""

import asyncio
import contextlib
import logging
import os
import random
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

# Every mapped table, so foreign keys resolve in a worker process that serves no routes (without
# it `python -m app worker` failed on complaints.category_id -> categories and fired nothing).
import app.models  # noqa: F401
from app.complaints import timers
from app.config import Settings
from app.outbox.models import OutboxMessage
from app.outbox.service import TIMER_TOPIC

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10

Handler = Callable[[AsyncSession, OutboxMessage], Awaitable[None]]


@dataclass(frozen=True)
class Worker:
    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    handlers: dict[str, Handler]
    name: str = f"{socket.gethostname()}:{os.getpid()}"

    async def run_batch(self) -> int:
        """Handle the rows that are due now; returns how many were claimed."""
        now = datetime.now(UTC)
        async with self.sessions() as session, session.begin():
            rows = (
                await session.scalars(
                    select(OutboxMessage)
                    .where(
                        OutboxMessage.status == "pending",
                        OutboxMessage.available_at <= now,
                        OutboxMessage.topic.in_(self.handlers),
                    )
                    .order_by(OutboxMessage.available_at)
                    .limit(self.settings.worker_batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for row in rows:
                await self._handle(session, row)
            return len(rows)

    async def _handle(self, session: AsyncSession, row: OutboxMessage) -> None:
        try:
            # A savepoint per row: one failing handler does not undo the rest of the batch.
            async with session.begin_nested():
                await self.handlers[row.topic](session, row)
        except Exception as exc:  # a handler's failure is recorded and retried, never fatal
            row.attempts += 1
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if row.attempts >= MAX_ATTEMPTS:
                row.status = "dead"
                log.error("outbox row dead", extra={"row": str(row.id), "topic": row.topic})
            else:
                delay = min(3600.0, 2.0**row.attempts) * random.uniform(0.8, 1.2)
                row.available_at = datetime.now(UTC) + timedelta(seconds=delay)
                log.warning(
                    "outbox row failed", extra={"row": str(row.id), "error": row.last_error}
                )
            return
        row.status = "done"
        row.attempts += 1
        row.done_at = datetime.now(UTC)

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set; a busy batch is followed at once by the next."""
        log.info("worker started", extra={"worker": self.name, "topics": sorted(self.handlers)})
        while not stop.is_set():
            try:
                claimed = await self.run_batch()
            except Exception:  # the database may be restarting: wait and try again
                log.exception("worker batch failed")
                claimed = 0
            if claimed == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.settings.worker_poll_seconds)
        log.info("worker stopped", extra={"worker": self.name})


def default_handlers(settings: Settings) -> dict[str, Handler]:
    """Topic -> handler. Each module that consumes the outbox registers here."""
    repeat = timedelta(hours=settings.overdue_repeat_hours)

    async def fire_timer(session: AsyncSession, row: OutboxMessage) -> None:
        payload: dict[str, Any] = row.payload
        await timers.fire(session, row.complaint_id, payload, repeat)

    return {TIMER_TOPIC: fire_timer}
