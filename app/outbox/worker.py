"""The background worker: claims due outbox rows and hands each to its topic's handler.

Rows are claimed with `FOR UPDATE SKIP LOCKED`, so any number of workers can run side by side
and each row is handled by one. Two kinds of topic:

- a *handler* only changes the database (a timer, the fan-out of an event): it runs in the same
  transaction that marks its row done, so it happens exactly once, or not at all and is retried;
- a *sender* talks to the outside world (a callback, an e-mail, an SMS): the row is leased
  (`locked_until`) and committed first, the I/O runs outside any transaction, and the outcome is
  recorded only while the lease is still ours. A worker killed mid-send loses nothing: the lease
  expires and another worker sends again, so senders must be idempotent on the row id.
"""

import asyncio
import contextlib
import math
import os
import random
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

# Every mapped table, so foreign keys resolve in a worker process that serves no routes (without
# it `python -m app worker` failed on complaints.category_id -> categories and fired nothing).
import app.models  # noqa: F401
from app.complaints import timers
from app.complaints.fanout import Subscriber, fan_out
from app.hub import sync as hub_sync
from app.kernel.clock import Clock, SystemClock
from app.kernel.config import Settings
from app.kernel.db_faults import LoopBackoff
from app.kernel.logging import get_logger
from app.metrics import snapshot as metrics_snapshot
from app.outbox.models import OutboxMessage
from app.outbox.service import ADMIN_NOTICE_TOPIC, EVENT_TOPIC, TIMER_TOPIC
from app.privacy import service as privacy
from app.privacy.crypto import Sealer
from app.webhooks.subscriber import enqueue_deliveries

log = get_logger(__name__)

MAX_ATTEMPTS = 10

Handler = Callable[[AsyncSession, OutboxMessage, datetime], Awaitable[None]]


@dataclass(frozen=True)
class Outcome:
    """What a sender reports: done, or not yet (retry at a time, or by backoff), or never."""

    done: bool
    retry_at: datetime | None = None
    error: str | None = None
    dead: bool = False


Sender = Callable[[OutboxMessage], Awaitable[Outcome]]

_CLAIM = text(
    """
    UPDATE outbox_messages SET locked_until = :lease_end, attempts = attempts + 1
    WHERE id IN (
        SELECT id FROM outbox_messages
        WHERE status = 'pending' AND available_at <= :now AND topic = ANY(:topics)
          AND (locked_until IS NULL OR locked_until < :now)
        ORDER BY available_at
        LIMIT :limit
        FOR UPDATE SKIP LOCKED)
    RETURNING id
    """
)
_SETTLE = text(
    """
    UPDATE outbox_messages
    SET status = CAST(:status AS varchar), available_at = :available_at, last_error = :error,
        locked_until = NULL,
        done_at = CASE WHEN CAST(:status AS varchar) = 'done' THEN CAST(:now AS timestamptz) END
    WHERE id = :id AND locked_until = :lease_end
    """
)


def backoff(attempts: int) -> timedelta:
    """Exponential with jitter, capped at an hour."""
    seconds = min(3600.0, 2.0**attempts) * random.uniform(0.8, 1.2)
    return timedelta(seconds=seconds)


@dataclass(frozen=True)
class Worker:
    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    handlers: dict[str, Handler]
    senders: dict[str, Sender] = field(default_factory=dict)
    name: str = f"{socket.gethostname()}:{os.getpid()}"
    clock: Clock = field(default_factory=SystemClock)

    async def run_batch(self) -> int:
        """Handle the rows that are due now; returns how many were claimed."""
        handled = await self._run_handlers() if self.handlers else 0
        sent = await self._run_senders() if self.senders else 0
        return handled + sent

    async def _run_senders(self) -> int:
        now = self.clock.now()
        lease_end = now + timedelta(seconds=self.settings.worker_lease_seconds)
        async with self.sessions() as session, session.begin():
            ids = (
                (
                    await session.execute(
                        _CLAIM,
                        {
                            "lease_end": lease_end,
                            "now": now,
                            "topics": list(self.senders),
                            "limit": self.settings.worker_batch_size,
                        },
                    )
                )
                .scalars()
                .all()
            )
            rows = (
                await session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)))
            ).all()
        await asyncio.gather(*(self._send(row, lease_end) for row in rows))
        return len(rows)

    async def _send(self, row: OutboxMessage, lease_end: datetime) -> None:
        try:
            outcome = await self.senders[row.topic](row)
        except Exception as exc:  # a sender's crash is a failed attempt, never fatal
            log.exception("sender failed", extra={"row": str(row.id), "topic": row.topic})
            outcome = Outcome(done=False, error=f"{type(exc).__name__}: {exc}")
        now = self.clock.now()
        if outcome.done:
            status, available_at = "done", row.available_at
        elif outcome.dead or row.attempts >= MAX_ATTEMPTS:
            status, available_at = "dead", row.available_at
        else:
            status, available_at = "pending", outcome.retry_at or now + backoff(row.attempts)
        async with self.sessions() as session, session.begin():
            await session.execute(
                _SETTLE,
                {
                    "status": status,
                    "available_at": available_at,
                    "error": (outcome.error or "")[:2000] or None,
                    "now": now,
                    "id": row.id,
                    "lease_end": lease_end,
                },
            )

    async def _run_handlers(self) -> int:
        now = self.clock.now()
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
                await self._handle(session, row, now)
            return len(rows)

    async def _handle(self, session: AsyncSession, row: OutboxMessage, now: datetime) -> None:
        try:
            # A savepoint per row: one failing handler does not undo the rest of the batch.
            async with session.begin_nested():
                await self.handlers[row.topic](session, row, now)
        except Exception as exc:  # a handler's failure is recorded and retried, never fatal
            row.attempts += 1
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if row.attempts >= MAX_ATTEMPTS:
                row.status = "dead"
                log.error("outbox row dead", extra={"row": str(row.id), "topic": row.topic})
            else:
                delay = min(3600.0, 2.0**row.attempts) * random.uniform(0.8, 1.2)
                row.available_at = now + timedelta(seconds=delay)
                log.warning(
                    "outbox row failed", extra={"row": str(row.id), "error": row.last_error}
                )
            return
        row.status = "done"
        row.attempts += 1
        row.done_at = now

    async def sweep(self) -> int:
        """Erase reporter identities past their retention; returns how many were erased."""
        async with self.sessions() as session, session.begin():
            return await privacy.erase_expired(
                session, self.settings.identity_retention_days, self.clock.now()
            )

    async def _sweep_and_log(self) -> None:
        erased = await self.sweep()
        if erased:
            log.info("identities erased", extra={"count": erased})

    async def snapshot_metrics(self) -> None:
        """Recount the gauges /metrics serves (outbox, deliveries, complaints)."""
        async with self.sessions() as session, session.begin():
            await metrics_snapshot.refresh(
                session, self.clock.now(), [*self.handlers, *self.senders]
            )

    async def retrain(self) -> int:
        """Retrain routing where enough new verified history arrived; returns how many."""
        from app.classification import retrain  # here: training pulls in scikit-learn

        return await retrain.retrain_due(self.sessions, self.clock.now())

    async def _retrain_and_log(self) -> None:
        trained = await self.retrain()
        if trained:
            log.info("routing retrained", extra={"count": trained})

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set; a busy batch is followed at once by the next."""
        topics = sorted([*self.handlers, *self.senders])
        log.info("worker started", extra={"worker": self.name, "topics": topics})
        periodic: list[tuple[str, float, Callable[[], Awaitable[None]]]] = [
            ("retention sweep", self.settings.retention_sweep_seconds, self._sweep_and_log),
            ("metrics snapshot", self.settings.metrics_snapshot_seconds, self.snapshot_metrics),
        ]
        if self.settings.routing_retrain_seconds > 0:  # 0 turns scheduled retraining off
            periodic.append(
                ("routing retraining", self.settings.routing_retrain_seconds, self._retrain_and_log)
            )
        last_run = dict.fromkeys((name for name, _, _ in periodic), -math.inf)
        backoff = LoopBackoff(self.settings.worker_poll_seconds)
        while not stop.is_set():
            for name, every, job in periodic:
                if time.monotonic() - last_run[name] >= every:
                    last_run[name] = time.monotonic()
                    try:
                        await job()
                    except Exception:  # retried at the next interval
                        log.exception(f"{name} failed")
            try:
                claimed = await self.run_batch()
                backoff.succeeded()
            except Exception as exc:  # the database may be restarting: wait longer, try again
                backoff.failed("worker batch failed", exc)
                claimed = 0
            if claimed == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=backoff.wait)
        log.info("worker stopped", extra={"worker": self.name})


def default_handlers(settings: Settings, sealer: Sealer) -> dict[str, Handler]:
    """Topic -> database-only handler. Each module that consumes events subscribes here."""
    repeat = timedelta(hours=settings.overdue_repeat_hours)

    async def fire_timer(session: AsyncSession, row: OutboxMessage, now: datetime) -> None:
        payload: dict[str, Any] = row.payload
        await timers.fire(session, row.complaint_id, payload, repeat, now)

    from app.channels import jobs as channel_jobs  # imported here: channels build on this module
    from app.routing import notify  # here, not at the top: notify imports this module

    subscribers: list[Subscriber] = [
        *channel_jobs.subscribers(settings, sealer),
        notify.notify,
        enqueue_deliveries,
    ]
    if settings.hub_base_url:
        subscribers.append(hub_sync.subscriber(settings))
    return {
        TIMER_TOPIC: fire_timer,
        EVENT_TOPIC: fan_out(subscribers),
        "sms_assemble": channel_jobs.assemble_handler(settings, sealer),
        ADMIN_NOTICE_TOPIC: notify.admin_notice,
    }


def default_senders(
    settings: Settings,
    http: httpx.AsyncClient,
    sealer: Sealer,
    sessions: async_sessionmaker[AsyncSession] | None = None,
) -> dict[str, Sender]:
    """Topic -> sender, for rows that need the network (callbacks, e-mail, SMS)."""
    from app.channels import jobs as channel_jobs  # imported here: channels build on this module
    from app.hub.client import hub_from_settings  # these import Outcome from here
    from app.hub.push import push_sender
    from app.routing import notify

    senders: dict[str, Sender] = {**channel_jobs.senders(settings, http, sealer)}
    if settings.smtp_host:
        senders[notify.EMAIL_TOPIC] = notify.email_sender(settings)
    hub = hub_from_settings(settings, http)
    if hub is not None and sessions is not None:
        senders[hub_sync.PUSH_TOPIC] = push_sender(sessions, sealer, hub)
    return senders
