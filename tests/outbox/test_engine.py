"""The engine's own guarantees, on real PostgreSQL: order per key, leases, retries, periods."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.kernel.db import make_engine, make_sessionmaker
from app.outbox.engine import (
    CLAIM_LEASED,
    Engine,
    Message,
    Outcome,
    Policy,
    Topic,
    each,
    periodic,
    slot_of,
)
from app.outbox.service import enqueue
from tests.factories import World


@dataclass
class Clock:
    """A clock the test moves."""

    at: datetime

    def now(self) -> datetime:
        return self.at


def _clock() -> Clock:
    # A moment ahead of the database's clock, which stamps the rows as they are enqueued.
    return Clock(datetime.now(UTC) + timedelta(seconds=1))


async def _put(
    sessions: async_sessionmaker[AsyncSession], world: World, topic: str, n: int, key: str | None
) -> None:
    async with sessions() as session, session.begin():
        for i in range(n):
            await enqueue(session, world.jurisdiction_id, topic, None, {"i": i}, ordering_key=key)


async def _rows(engine: AsyncEngine, topic: str) -> list[Any]:
    async with engine.connect() as conn:
        return list(
            (
                await conn.execute(
                    text(
                        "SELECT payload->>'i' AS i, status, attempts, available_at, last_error"
                        " FROM outbox_messages WHERE topic = :t ORDER BY position"
                    ),
                    {"t": topic},
                )
            ).all()
        )


async def test_a_row_waits_while_an_earlier_row_of_its_key_is_pending(
    world: World, sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    seen: list[int] = []
    fail_first = [True]

    async def send(m: Message) -> Outcome:
        if fail_first[0]:
            fail_first[0] = False
            return Outcome(done=False, error="not yet")
        seen.append(int(m.payload["i"]))
        return Outcome(done=True)

    clock = _clock()
    topic = Topic("ordered", Policy(retry=lambda _: timedelta(minutes=1)), send=each(send))
    worker = Engine(sessions, [topic], clock)
    await _put(sessions, world, "ordered", 3, key="k")
    await _put(sessions, world, "ordered", 1, key=None)  # no key: never waits
    assert await worker.run_batch() == 2  # the key's first row (fails) and the unkeyed one
    assert await worker.run_batch() == 0  # the key's later rows wait behind the retry
    clock.at += timedelta(minutes=2)
    while await worker.run_batch():
        pass
    assert seen == [0, 0, 1, 2]  # the unkeyed row at once, then the key's rows in order


async def test_a_lease_that_runs_out_lets_another_worker_run_the_row_again(
    world: World, sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    ran: list[str] = []

    def sender(name: str) -> Any:
        async def send(m: Message) -> Outcome:
            ran.append(name)
            return Outcome(done=True)

        return send

    clock = _clock()
    policy = Policy(lease=timedelta(seconds=30))
    first = Engine(sessions, [Topic("leased", policy, send=each(sender("first")))], clock)
    await _put(sessions, world, "leased", 1, key=None)
    # The first worker claims and dies before settling: only its claim happens.
    async with sessions() as session, session.begin():
        claimed = await session.execute(
            CLAIM_LEASED,
            {"topic": "leased", "now": clock.now(), "limit": 10, "lease_end": clock.now()
             + policy.lease},
        )  # fmt: skip
        assert len(claimed.all()) == 1
    assert await first.run_batch() == 0  # leased: not due again yet
    clock.at += timedelta(seconds=31)
    second = Engine(sessions, [Topic("leased", policy, send=each(sender("second")))], clock)
    assert await second.run_batch() == 1
    [row] = await _rows(engine, "leased")
    assert (row.status, row.attempts, ran) == ("done", 2, ["second"])


async def test_each_topic_has_its_own_schedule_and_last_attempt(
    world: World, sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    async def refuse(m: Message) -> Outcome:
        return Outcome(done=False, error="down")

    clock = _clock()
    quick = Topic("quick", Policy(max_attempts=2, retry=lambda n: timedelta(seconds=10 * n)),
                  send=each(refuse))  # fmt: skip
    patient = Topic("patient", Policy(max_attempts=4, retry=lambda n: timedelta(hours=n)),
                    send=each(refuse))  # fmt: skip
    worker = Engine(sessions, [quick, patient], clock)
    await _put(sessions, world, "quick", 1, key=None)
    await _put(sessions, world, "patient", 1, key=None)
    assert await worker.run_batch() == 2
    [q] = await _rows(engine, "quick")
    [p] = await _rows(engine, "patient")
    assert q.available_at - clock.now() == timedelta(seconds=10)
    assert p.available_at - clock.now() == timedelta(hours=1)
    clock.at += timedelta(hours=2)
    assert await worker.run_batch() == 2
    [q] = await _rows(engine, "quick")
    [p] = await _rows(engine, "patient")
    assert (q.status, q.attempts, q.last_error) == ("dead", 2, "down")
    assert (p.status, p.attempts) == ("pending", 2)
    assert p.available_at - clock.now() == timedelta(hours=2)


async def test_a_crashing_handler_is_a_failed_attempt_and_the_rest_of_the_batch_goes_on(
    world: World, sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    async def handle(session: AsyncSession, m: Message) -> None:
        await session.execute(text("SELECT 1"))
        if m.payload["i"] == 1:
            raise RuntimeError("bug")

    async def send(m: Message) -> Outcome:
        raise ValueError("bug in a sender")

    worker = Engine(sessions, [Topic("h", handle=handle), Topic("s", send=each(send))], _clock())
    await _put(sessions, world, "h", 3, key=None)
    await _put(sessions, world, "s", 1, key=None)
    assert await worker.run_batch() == 4
    assert [(r.i, r.status, r.last_error) for r in await _rows(engine, "h")] == [
        ("0", "done", None),
        ("1", "pending", "RuntimeError: bug"),
        ("2", "done", None),
    ]
    [s] = await _rows(engine, "s")
    assert (s.status, s.attempts, s.last_error) == ("pending", 1, "ValueError: bug in a sender")


async def test_a_periodic_job_runs_once_per_slot_with_two_engines_and_enqueues_the_next(
    world: World, sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine, settings: Any
) -> None:
    runs: list[int] = []

    async def job(m: Message) -> Outcome:
        runs.append(int(m.payload["slot"]))
        return Outcome(done=True)

    every = timedelta(minutes=5)
    clock = _clock()
    other = make_engine(settings.database_url or "", pool_size=2, max_overflow=0)
    try:
        topic = Topic("tick", periodic(every.total_seconds()), send=each(job))
        a = Engine(sessions, [topic], clock, name="a")
        b = Engine(make_sessionmaker(other), [topic], clock, name="b")
        await a.start()
        await b.start()  # the same slot again: deduplicated
        assert await a.run_batch() + await b.run_batch() == 1
        assert await a.run_batch() + await b.run_batch() == 0  # the next slot is not due yet
        clock.at += every
        await a.start()  # a restart in the next slot finds its row already there
        assert await b.run_batch() + await a.run_batch() == 1
    finally:
        await other.dispose()
    now = slot_of(clock.now(), every)
    assert runs == [now - 1, now]
    async with engine.connect() as conn:
        keys = (
            await conn.execute(
                text("SELECT dedupe_key, status FROM outbox_messages WHERE topic = 'tick'"
                     " ORDER BY position")
            )
        ).all()  # fmt: skip
    assert [tuple(k) for k in keys] == [
        (f"tick:{now - 1}", "done"),
        (f"tick:{now}", "done"),
        (f"tick:{now + 1}", "pending"),
    ]


async def test_the_database_going_away_mid_batch_loses_no_row(
    world: World, sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine, settings: Any
) -> None:
    """A handler's transaction cut off half way: nothing of it is kept, every row runs again."""
    victim = make_engine(settings.database_url or "", pool_size=1, max_overflow=0)
    handled: list[str] = []

    async def handle(session: AsyncSession, m: Message) -> None:
        handled.append(m.payload["i"])
        if len(handled) == 2:  # the server ends this worker's connection under it
            async with engine.connect() as conn:
                await conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE application_name = 'victim'"
                    )
                )

    try:
        async with victim.connect() as conn:
            await conn.execute(text("SET application_name = 'victim'"))
            await conn.commit()
        cut = Engine(make_sessionmaker(victim), [Topic("db", handle=handle)])
        await _put(sessions, world, "db", 3, key=None)
        with pytest.raises(DBAPIError):  # the connection is gone: the whole transaction with it
            await cut.run_batch()
    finally:
        await victim.dispose()
    assert [(r.status, r.attempts) for r in await _rows(engine, "db")] == [("pending", 0)] * 3
    healthy = Engine(sessions, [Topic("db", handle=handle)])
    assert await healthy.run_batch() == 3
    assert [r.status for r in await _rows(engine, "db")] == ["done"] * 3


def test_a_topic_needs_exactly_one_way_to_run() -> None:
    async def send(m: Message) -> Outcome:
        return Outcome(done=True)

    for bad in ({}, {"handle": lambda s, m: None, "send": each(send)}):
        try:
            Topic("x", **bad)  # type: ignore[arg-type]
        except ValueError:
            continue
        raise AssertionError(f"accepted {bad}")
