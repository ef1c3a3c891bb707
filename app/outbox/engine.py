"""The one background engine: claims due outbox rows per topic, runs them, settles, retries.

Every background job is a row of `outbox_messages` and every topic has a `Policy` (retry
schedule, maximum attempts, batch size, how many rows in flight, lease, period). Two kinds of
topic:

- a *handler* only changes the database (a timer, the fan-out of an event): its batch is claimed
  with `FOR UPDATE SKIP LOCKED` and handled and settled in that one transaction, with a savepoint
  per row, so each row's work happens exactly once, or not at all and is retried;
- a *sender* talks to the outside world (a callback, an e-mail, an SMS, the hub, a periodic
  job): the claim leases its rows (`locked_until`, and `available_at` moves to the lease's end so
  a leased row is not due again until the lease runs out) and commits; the I/O runs outside any
  transaction; the batch is settled in one statement, only where the lease is still ours. A
  worker killed mid-send loses nothing: the lease expires and another sends again, so senders
  are idempotent on the row id.

A row with an `ordering_key` is claimed only while no earlier (lower `position`) row with the
same key is pending, so a receiver sees one complaint's events in order and a retried row holds
back the rows behind it; a dead one no longer does. A periodic topic (`Policy.every`) is a chain
of rows, one per time slot, deduplicated by `<topic>:<slot>`: settling one enqueues the next, and
`start` enqueues the current slot, so no process has to stay alive and no slot runs twice.

This module imports only the kernel: each domain declares its topics in its own `tasks.py`, and
`app/worker.py` builds the engine from them.
"""

import asyncio
import contextlib
import math
import os
import random
import socket
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.kernel.clock import Clock, SystemClock
from app.kernel.db_faults import LoopBackoff
from app.kernel.logging import get_logger
from app.outbox.service import enqueue

log = get_logger(__name__)


@dataclass(frozen=True)
class Message:
    """One claimed row, as its handler or sender sees it (not an ORM object: the hot path)."""

    id: uuid.UUID
    topic: str
    jurisdiction_id: uuid.UUID | None
    complaint_id: uuid.UUID | None
    seq: int | None
    payload: dict[str, Any]
    attempts: int  # including this one
    now: datetime  # the engine's clock at the claim: the instant its handler works at


@dataclass(frozen=True)
class Outcome:
    """What a sender reports: done, or not yet (retry at a time, or by the schedule), or never.

    `detail` is the topic's own record of the attempt, for its `settled` hook.
    """

    done: bool
    retry_at: datetime | None = None
    error: str | None = None
    dead: bool = False
    detail: Any = None


@dataclass(frozen=True)
class Settled:
    """A row's outcome as written: what the `settled` hook of its topic mirrors."""

    message: Message
    outcome: Outcome
    status: str  # done, pending (retried at `available_at`) or dead
    available_at: datetime


def backoff(attempts: int) -> timedelta:
    """Exponential with jitter, capped at an hour: the default retry schedule."""
    return timedelta(seconds=min(3600.0, 2.0**attempts) * random.uniform(0.8, 1.2))


@dataclass(frozen=True)
class Policy:
    max_attempts: int = 10
    retry: Callable[[int], timedelta] = backoff  # the wait after the n-th failed attempt
    batch_size: int = 50  # rows per claim
    concurrency: int = 50  # rows in flight at most: batch_size per lane, this many / it lanes
    lease: timedelta = timedelta(seconds=60)  # senders: must outlast one send
    every: timedelta | None = None  # periodic: one row per slot of this length


def periodic(seconds: float, lease: timedelta = timedelta(minutes=15)) -> Policy:
    """One run per slot of `seconds`; a failed run is not retried, the next slot runs anyway."""
    return Policy(
        max_attempts=1, batch_size=1, concurrency=1, lease=lease, every=timedelta(seconds=seconds)
    )


Handler = Callable[[AsyncSession, Message], Awaitable[None]]
Sender = Callable[[Message], Awaitable[Outcome]]
BatchSender = Callable[[Sequence[Message]], Awaitable[Sequence[Outcome]]]
SettleHook = Callable[[AsyncSession, Sequence[Settled]], Awaitable[None]]
StaleFilter = Callable[[AsyncSession, Sequence[Message]], Awaitable[set[uuid.UUID]]]


@dataclass(frozen=True)
class Topic:
    """A topic and how its rows run: exactly one of `handle` (database only) and `send`."""

    name: str
    policy: Policy = Policy()
    handle: Handler | None = None
    send: BatchSender | None = None
    # In the settle transaction, with every outcome: the topic's own bookkeeping (a delivery log).
    settled: SettleHook | None = None
    # Handlers: the rows of a batch with nothing left to do, found in one read and only marked done.
    stale: StaleFilter | None = None

    def __post_init__(self) -> None:
        if (self.handle is None) == (self.send is None):
            raise ValueError(f"topic {self.name!r} needs exactly one of handle and send")


def each(sender: Sender) -> BatchSender:
    """A batch sender from a one-row sender: the batch's rows are sent concurrently."""

    async def send(messages: Sequence[Message]) -> Sequence[Outcome]:
        return await asyncio.gather(*(_guarded(sender, m) for m in messages))

    return send


async def _guarded(sender: Sender, m: Message) -> Outcome:
    try:
        return await sender(m)
    except Exception as exc:  # a sender's crash is a failed attempt, never fatal
        log.exception("sender failed", extra={"row": str(m.id), "topic": m.topic})
        return Outcome(done=False, error=f"{type(exc).__name__}: {exc}")


# Due rows of one topic, oldest first, that no earlier pending row of their key holds back. The
# index on (topic, available_at) over pending rows keeps this an index scan however many rows
# wait for later; the order check is one probe of the (ordering_key, position) index.
_DUE = """
    SELECT m.id FROM outbox_messages m
    WHERE m.topic = :topic AND m.status = 'pending' AND m.available_at <= :now
      AND (m.ordering_key IS NULL OR NOT EXISTS (
          SELECT 1 FROM outbox_messages p
          WHERE p.ordering_key = m.ordering_key AND p.status = 'pending'
            AND p.position < m.position))
    ORDER BY m.available_at
    LIMIT :limit
    FOR UPDATE OF m SKIP LOCKED
"""
_RETURNING = "RETURNING o.id, o.jurisdiction_id, o.complaint_id, o.seq, o.payload, o.attempts"
CLAIM_LEASED = text(
    f"""
    WITH due AS ({_DUE})
    UPDATE outbox_messages o
    SET locked_until = :lease_end, available_at = :lease_end, attempts = o.attempts + 1
    FROM due WHERE o.id = due.id
    {_RETURNING}
    """  # noqa: S608 - constant fragments
)
# Handlers settle in the claim's transaction, so the attempt is counted there too.
CLAIM_LOCKED = text(
    f"""
    WITH due AS ({_DUE})
    SELECT o.id, o.jurisdiction_id, o.complaint_id, o.seq, o.payload, o.attempts + 1 AS attempts
    FROM outbox_messages o JOIN due ON o.id = due.id
    ORDER BY o.available_at
    """  # noqa: S608 - constant fragments
)
_SETTLE = text(
    """
    UPDATE outbox_messages o
    SET status = s.status, available_at = s.available_at, last_error = s.error,
        attempts = s.attempts, locked_until = NULL,
        done_at = CASE WHEN s.status = 'done' THEN CAST(:now AS timestamptz) END
    FROM unnest(CAST(:ids AS uuid[]), CAST(:statuses AS varchar[]),
                CAST(:available AS timestamptz[]), CAST(:errors AS text[]),
                CAST(:attempts AS integer[])) AS s(id, status, available_at, error, attempts)
    WHERE o.id = s.id AND o.locked_until IS NOT DISTINCT FROM CAST(:lease_end AS timestamptz)
    RETURNING o.id
    """
)

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def slot_of(at: datetime, every: timedelta) -> int:
    """Which slot of length `every` the instant `at` falls in (slots count from 2000-01-01)."""
    return math.floor((at - _EPOCH) / every)


def slot_start(slot: int, every: timedelta) -> datetime:
    return _EPOCH + slot * every


@dataclass
class Engine:
    sessions: async_sessionmaker[AsyncSession]
    topics: Sequence[Topic]
    clock: Clock = field(default_factory=SystemClock)
    poll_seconds: float = 1.0
    name: str = f"{socket.gethostname()}:{os.getpid()}"

    @property
    def topic_names(self) -> list[str]:
        return [t.name for t in self.topics]

    async def start(self) -> None:
        """Enqueue the current slot of every periodic topic (a slot already there is kept)."""
        periodic_topics = [t for t in self.topics if t.policy.every is not None]
        if not periodic_topics:
            return
        now = self.clock.now()
        async with self.sessions() as session, session.begin():
            for topic in periodic_topics:
                assert topic.policy.every is not None
                await _enqueue_slot(session, topic, slot_of(now, topic.policy.every))

    async def run_batch(self) -> int:
        """One claim of every topic, database-only topics first; returns how many rows."""
        total = 0
        for topic in sorted(self.topics, key=lambda t: t.handle is None):
            total += await self.run_topic(topic)
        return total

    async def run_topic(self, topic: Topic) -> int:
        """Claim, run and settle one batch of `topic`; returns how many rows were claimed."""
        if topic.handle is not None:
            return await self._run_handler(topic, topic.handle)
        assert topic.send is not None
        return await self._run_sender(topic, topic.send)

    async def _run_handler(self, topic: Topic, handle: Handler) -> int:
        total = 0
        async with self.sessions() as session, session.begin():
            # Claim again in the same transaction until the batch is full: a row settled here
            # lets the next row of its ordering key through (a complaint's events in one go).
            while total < topic.policy.batch_size:
                now = self.clock.now()
                args = {**_claim_args(topic, now), "limit": topic.policy.batch_size - total}
                rows = (await session.execute(CLAIM_LOCKED, args)).all()
                if not rows:
                    break
                messages = [_message(topic.name, r, now) for r in rows]
                outcomes = await _handle_all(session, topic, handle, messages)
                await self._settle(session, topic, messages, outcomes, lease_end=None)
                total += len(messages)
        return total

    async def _run_sender(self, topic: Topic, send: BatchSender) -> int:
        now = self.clock.now()
        lease_end = now + topic.policy.lease
        async with self.sessions() as session, session.begin():
            rows = (
                await session.execute(
                    CLAIM_LEASED, {**_claim_args(topic, now), "lease_end": lease_end}
                )
            ).all()
        if not rows:
            return 0
        messages = [_message(topic.name, r, now) for r in rows]
        try:
            outcomes = await send(messages)
        except Exception as exc:  # a crash of the whole batch fails each of its attempts
            log.exception("batch sender failed", extra={"topic": topic.name})
            outcomes = [Outcome(done=False, error=f"{type(exc).__name__}: {exc}")] * len(rows)
        try:
            async with self.sessions() as session, session.begin():
                await self._settle(session, topic, messages, outcomes, lease_end)
        except Exception:  # unsettled, the leases run out and the rows are tried again
            log.exception("settling a batch failed", extra={"topic": topic.name})
        return len(messages)

    async def _settle(
        self,
        session: AsyncSession,
        topic: Topic,
        messages: Sequence[Message],
        outcomes: Sequence[Outcome],
        lease_end: datetime | None,
    ) -> None:
        """Write every outcome in one statement; then the topic's hook and periodic successor."""
        if not messages:
            return
        now = self.clock.now()
        settled = [
            _decide(topic.policy, m, o, now) for m, o in zip(messages, outcomes, strict=True)
        ]
        ours = set(
            (
                await session.execute(
                    _SETTLE,
                    {
                        "now": now,
                        "lease_end": lease_end,
                        "ids": [s.message.id for s in settled],
                        "statuses": [s.status for s in settled],
                        "available": [s.available_at for s in settled],
                        "errors": [(s.outcome.error or "")[:2000] or None for s in settled],
                        "attempts": [s.message.attempts for s in settled],
                    },
                )
            )
            .scalars()
            .all()
        )
        if len(ours) < len(settled):
            log.warning("lease lost before settling", extra={"lost": len(settled) - len(ours)})
        kept = [s for s in settled if s.message.id in ours]
        for s in kept:
            if s.status == "dead":
                log.error("outbox row dead", extra={"row": str(s.message.id), "topic": topic.name})
        if topic.settled is not None and kept:
            await topic.settled(session, kept)
        every = topic.policy.every
        if every is not None:
            for s in kept:
                # The next slot after this one, and never one already past: a late run (a
                # worker down for hours) does not replay every missed slot.
                slot = max(int(s.message.payload["slot"]), slot_of(now, every)) + 1
                await _enqueue_slot(session, topic, slot)

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Run every topic in its own lanes until `stop`; a full batch is followed at once."""
        await self._start_until(stop)
        log.info("worker started", extra={"worker": self.name, "topics": self.topic_names})
        lanes = [
            self._lane(topic, stop)
            for topic in self.topics
            for _ in range(max(1, topic.policy.concurrency // topic.policy.batch_size))
        ]
        await asyncio.gather(*lanes)
        log.info("worker stopped", extra={"worker": self.name})

    async def _start_until(self, stop: asyncio.Event) -> None:
        backoff_ = LoopBackoff(self.poll_seconds)
        while not stop.is_set():
            try:
                await self.start()
                return
            except Exception as exc:  # the database may be starting: wait longer, try again
                backoff_.failed("enqueueing periodic jobs failed", exc)
            await _wait(stop, backoff_.wait)

    async def _lane(self, topic: Topic, stop: asyncio.Event) -> None:
        backoff_ = LoopBackoff(self.poll_seconds)
        while not stop.is_set():
            try:
                claimed = await self.run_topic(topic)
                backoff_.succeeded()
            except Exception as exc:  # the database may be restarting: wait longer, try again
                backoff_.failed(f"{topic.name} batch failed", exc)
                claimed = 0
            if claimed < topic.policy.batch_size:
                await _wait(stop, backoff_.wait)


async def _handle_all(
    session: AsyncSession, topic: Topic, handle: Handler, messages: Sequence[Message]
) -> list[Outcome]:
    """Run a database-only handler on each row, a savepoint each; skip the stale ones."""
    stale = await topic.stale(session, messages) if topic.stale else set()
    outcomes = []
    for m in messages:
        if m.id in stale:
            outcomes.append(Outcome(done=True))
            continue
        try:
            # A savepoint per row: one failing handler does not undo the rest.
            async with session.begin_nested():
                await handle(session, m)
            outcomes.append(Outcome(done=True))
        except Exception as exc:  # recorded and retried, never fatal
            log.warning("outbox row failed", extra={"row": str(m.id), "error": str(exc)})
            outcomes.append(Outcome(done=False, error=f"{type(exc).__name__}: {exc}"))
    return outcomes


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


def _claim_args(topic: Topic, now: datetime) -> dict[str, Any]:
    return {"topic": topic.name, "now": now, "limit": topic.policy.batch_size}


def _message(topic: str, r: Any, now: datetime) -> Message:
    return Message(
        r.id, topic, r.jurisdiction_id, r.complaint_id, r.seq, r.payload, r.attempts, now
    )


def _decide(policy: Policy, m: Message, o: Outcome, now: datetime) -> Settled:
    """Done; dead when told so or out of attempts; else pending, at its time or by the schedule."""
    if o.done:
        return Settled(m, o, "done", now)
    if o.dead or m.attempts >= policy.max_attempts:
        return Settled(m, o, "dead", now)
    return Settled(m, o, "pending", o.retry_at or now + policy.retry(m.attempts))


async def _enqueue_slot(session: AsyncSession, topic: Topic, slot: int) -> None:
    assert topic.policy.every is not None
    await enqueue(
        session,
        None,
        topic.name,
        f"{topic.name}:{slot}",
        {"slot": slot},
        available_at=slot_start(slot, topic.policy.every),
    )
