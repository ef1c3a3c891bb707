"""Timers fired by the worker: each exactly once, also with two workers or two processes racing."""

import asyncio
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.complaints import tasks
from app.kernel.clock import ManualClock
from app.kernel.config import Settings
from app.kernel.db import make_engine, make_sessionmaker
from app.outbox.engine import Engine, Handler, Policy, Topic
from app.outbox.service import TIMER_TOPIC
from tests.complaints.support import NGAWI, create, dispatched, execute, fetch, in_status, ok
from tests.factories import World

ROOT = Path(__file__).resolve().parents[2]


MAX_ATTEMPTS = Policy().max_attempts


@pytest.fixture
async def worker(settings: Settings, engine: AsyncEngine, clock: ManualClock) -> Engine:
    """An engine on the test's clock, the app's: a deadline passes when the test moves it."""
    return Engine(make_sessionmaker(engine), timer_topics(settings), clock=clock)


def timer_topics(settings: Settings, handle: Handler | None = None) -> list[Topic]:
    """Timers only, so the counts here are of timer rows (event fan-out has its own tests)."""
    policy = Policy(batch_size=settings.worker_batch_size)
    [timer] = [t for t in tasks.topics(settings, [], policy) if t.name == TIMER_TOPIC]
    return [timer if handle is None else Topic(TIMER_TOPIC, policy, handle=handle)]


async def _drain(worker: Engine) -> int:
    """Run batches until nothing is due; returns how many rows were claimed."""
    total = 0
    while claimed := await worker.run_batch():
        total += claimed
    return total


async def _events(engine: AsyncEngine, cid: str, *types: str) -> list[dict[str, Any]]:
    return await fetch(
        engine,
        "SELECT seq, type, data, actor FROM complaint_events WHERE complaint_id = :id"
        " AND type = ANY(:types) ORDER BY seq",
        id=uuid.UUID(cid),
        types=list(types),
    )


async def _timers(engine: AsyncEngine, cid: str, kind: str) -> list[dict[str, Any]]:
    return await fetch(
        engine,
        "SELECT id, status, available_at, payload FROM outbox_messages WHERE topic = 'timer'"
        " AND complaint_id = :id AND payload->>'kind' = :kind ORDER BY available_at",
        id=uuid.UUID(cid),
        kind=kind,
    )


async def _pass(clock: ManualClock, engine: AsyncEngine, cid: str, kind: str) -> datetime:
    """Let time run until a minute after the complaint's pending `kind` timer fell due."""
    pending = [t for t in await _timers(engine, cid, kind) if t["status"] == "pending"]
    assert pending, f"no pending {kind} timer"
    return clock.set(max(t["available_at"] for t in pending) + timedelta(minutes=1))


async def _due_at(client: httpx.AsyncClient, world: World, cid: str) -> datetime:
    shown = (await client.get(f"/v1/complaints/{cid}", headers=world.h("admin"))).json()
    return datetime.fromisoformat(shown["due_at"])


async def _answered_an_hour_before_the_deadline(
    client: httpx.AsyncClient, world: World, clock: ManualClock
) -> dict[str, Any]:
    """A complaint the agency answered late but in time, so its auto-close is still ahead."""
    c = await in_status(client, world, "in_progress")
    clock.set(await _due_at(client, world, c["id"]) - timedelta(hours=1))
    await ok(client, world, "liaison", c["id"], "responses", {"message": "Sudah diperbaiki."})
    return c


async def test_nothing_fires_before_its_time(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, worker: Engine
) -> None:
    c = await dispatched(client, world)
    assert await _drain(worker) == 0
    assert await _events(engine, c["id"], "escalated", "due_soon", "overdue") == []


async def test_verification_overdue_escalates_to_the_admins_once(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, worker: Engine, clock: ManualClock
) -> None:
    c = await create(client, world)
    await _pass(clock, engine, c["id"], "verification_overdue")
    assert await _drain(worker) == 1
    (event,) = await _events(engine, c["id"], "escalated")
    assert event["data"]["reason"] == "verification_overdue"
    assert event["actor"]["kind"] == "system"
    assert await _drain(worker) == 0
    assert len(await _events(engine, c["id"], "escalated")) == 1
    (timer,) = await _timers(engine, c["id"], "verification_overdue")
    assert timer["status"] == "done"
    outbox = await fetch(
        engine,
        "SELECT seq FROM outbox_messages WHERE topic = 'complaint_event' AND complaint_id = :id"
        " AND payload->>'type' = 'complaint.escalated'",
        id=uuid.UUID(c["id"]),
    )
    assert outbox == [{"seq": event["seq"]}]


async def test_verified_complaint_is_not_escalated_for_verification(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, worker: Engine, clock: ManualClock
) -> None:
    c = await in_status(client, world, "verified")
    await _pass(clock, engine, c["id"], "verification_overdue")
    assert await _drain(worker) == 1
    assert await _events(engine, c["id"], "escalated") == []


async def test_due_soon_reminds_once_on_the_working_day_before(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, worker: Engine, clock: ManualClock
) -> None:
    c = await dispatched(client, world)
    (timer,) = await _timers(engine, c["id"], "due_soon")
    due_at = datetime.fromisoformat(timer["payload"]["due"])
    # 08:00 local time on the last working day before the due day.
    day_before = NGAWI.last_working_day_before(NGAWI.local_date(due_at))
    assert timer["available_at"] == NGAWI.start_of_local_day(day_before) + timedelta(hours=8)
    await _pass(clock, engine, c["id"], "due_soon")
    await _drain(worker)
    await _drain(worker)
    (event,) = await _events(engine, c["id"], "due_soon")
    assert datetime.fromisoformat(event["data"]["due_at"]) == due_at


async def test_overdue_escalates_once_then_repeats_at_the_configured_interval(
    client: httpx.AsyncClient,
    world: World,
    engine: AsyncEngine,
    worker: Engine,
    settings: Settings,
    clock: ManualClock,
) -> None:
    c = await dispatched(client, world)
    fired_at = await _pass(clock, engine, c["id"], "overdue")
    await _drain(worker)
    events = await _events(engine, c["id"], "overdue", "escalated")
    assert [(e["type"], e["data"].get("level")) for e in events] == [
        ("overdue", None),
        ("escalated", 1),
    ]
    await _drain(worker)
    assert len(await _events(engine, c["id"], "overdue", "escalated")) == 2
    pending = [t for t in await _timers(engine, c["id"], "overdue") if t["status"] == "pending"]
    assert len(pending) == 1
    repeat = timedelta(hours=settings.overdue_repeat_hours)
    assert pending[0]["available_at"] == fired_at + repeat
    assert pending[0]["payload"]["level"] == 2
    await _pass(clock, engine, c["id"], "overdue")
    await _drain(worker)
    events = await _events(engine, c["id"], "overdue", "escalated")
    assert [(e["type"], e["data"].get("level")) for e in events] == [
        ("overdue", None),
        ("escalated", 1),
        ("escalated", 2),
    ]


async def test_answered_complaint_is_not_escalated(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, worker: Engine, clock: ManualClock
) -> None:
    c = await _answered_an_hour_before_the_deadline(client, world, clock)
    await _pass(clock, engine, c["id"], "overdue")
    await _drain(worker)
    assert await _events(engine, c["id"], "overdue", "escalated") == []


async def test_reopened_complaint_past_its_deadline_is_escalated(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, worker: Engine, clock: ManualClock
) -> None:
    c = await _answered_an_hour_before_the_deadline(client, world, clock)
    await _pass(clock, engine, c["id"], "overdue")
    # The deadline passes while the answer is with the reporter: nothing to escalate yet.
    await _drain(worker)
    assert await _events(engine, c["id"], "overdue") == []
    not_ok = {"rating": 1, "satisfied": False}
    reopened = await ok(client, world, "citizen_app", c["id"], "feedback", not_ok)
    assert reopened["overdue"] is True
    await _drain(worker)
    assert len(await _events(engine, c["id"], "overdue")) == 1
    await _drain(worker)
    assert len(await _events(engine, c["id"], "overdue")) == 1


def _start_with_a_day_off_after_the_deadline(clock: ManualClock, days: int) -> None:
    """Move the clock to the next day whose deadline `days` working days on is followed by a
    day off, so the minutes after that deadline start no working day."""
    for _ in range(31):
        due = NGAWI.add_days(clock.now(), days)
        if not NGAWI.is_working_day(NGAWI.local_date(due) + timedelta(days=1)):
            return
        clock.advance(timedelta(days=1))
    raise AssertionError("no deadline before a day off within a month")


async def test_deadline_that_passed_during_a_short_pause_still_escalates(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, worker: Engine, clock: ManualClock
) -> None:
    _start_with_a_day_off_after_the_deadline(clock, 14)  # a non-field complaint's 14 days
    c = await dispatched(client, world)
    due_at = await _due_at(client, world, c["id"])
    clock.set(due_at - timedelta(hours=1))
    await ok(client, world, "liaison", c["id"], "request-info", {"message": "Alamat?"})
    clock.set(due_at + timedelta(minutes=1))
    await _drain(worker)
    assert await _events(engine, c["id"], "overdue") == []
    # Answered minutes later, on a day off: no working day began during the pause, so the
    # deadline stays past.
    resumed = await ok(client, world, "citizen_app", c["id"], "info", {"text": "Jl. Beran 3."})
    assert resumed["overdue"] is True
    await _drain(worker)
    await _drain(worker)
    assert len(await _events(engine, c["id"], "overdue")) == 1


async def test_extended_deadline_leaves_the_old_timer_harmless(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, worker: Engine, clock: ManualClock
) -> None:
    c = await dispatched(client, world)
    (old,) = await _timers(engine, c["id"], "overdue")
    extended = await ok(
        client, world, "admin", c["id"], "extend", {"working_days": 3, "reason": "Survei ulang."}
    )
    # Up to just before the old deadline, the earlier timers (verification, reminder) go by.
    clock.set(old["available_at"] - timedelta(minutes=1))
    await _drain(worker)
    clock.set(old["available_at"] + timedelta(minutes=1))
    assert await _drain(worker) == 1
    assert await _events(engine, c["id"], "overdue", "escalated") == []
    timers = await _timers(engine, c["id"], "overdue")
    assert [t["status"] for t in timers] == ["done", "pending"]
    new_due = datetime.fromisoformat(extended["due_at"])
    assert timers[1]["available_at"] == new_due


async def test_needs_info_past_its_limit_is_archived_as_incomplete(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, worker: Engine, clock: ManualClock
) -> None:
    c = await dispatched(client, world)
    await ok(client, world, "admin", c["id"], "request-info", {"message": "Foto lokasi?"})
    await _pass(clock, engine, c["id"], "info_expired")
    await _drain(worker)
    await _drain(worker)
    (event,) = await _events(engine, c["id"], "archived")
    assert event["data"] == {"reason": "incomplete", "automatic": True}
    shown = (await client.get(f"/v1/complaints/{c['id']}", headers=world.h("admin"))).json()
    assert shown["status"] == "archived"
    assert shown["archived_reason"] == "incomplete"
    assert shown["paused"] is False


async def test_info_supplied_in_time_cancels_the_archiving(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, worker: Engine, clock: ManualClock
) -> None:
    c = await create(client, world)
    await ok(client, world, "admin", c["id"], "request-info", {"message": "Foto lokasi?"})
    await ok(client, world, "citizen_app", c["id"], "info", {"text": "Terlampir."})
    await _pass(clock, engine, c["id"], "info_expired")
    await _drain(worker)
    assert await _events(engine, c["id"], "archived") == []


async def test_responded_complaint_closes_itself_after_its_limit(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, worker: Engine, clock: ManualClock
) -> None:
    c = await in_status(client, world, "responded")
    await _pass(clock, engine, c["id"], "auto_close")
    await _drain(worker)
    await _drain(worker)
    (event,) = await _events(engine, c["id"], "closed")
    # Why it closed; the outcome it closed with rides along (API.md: fields may be added).
    assert event["data"]["reason"] == "no_reply"
    assert event["data"]["resolution"] == "resolved"
    shown = (await client.get(f"/v1/complaints/{c['id']}", headers=world.h("admin"))).json()
    assert shown["status"] == "closed"
    assert shown["closed_at"] is not None


async def test_timers_wait_as_rows_until_a_worker_runs(
    client: httpx.AsyncClient,
    world: World,
    engine: AsyncEngine,
    settings: Settings,
    clock: ManualClock,
) -> None:
    c = await create(client, world)
    await _pass(clock, engine, c["id"], "verification_overdue")
    # No worker is running: the due timer is a row and stays pending, however long it waits.
    (timer,) = await _timers(engine, c["id"], "verification_overdue")
    assert timer["status"] == "pending"
    # A worker started later, with its own engine as after a restart, fires it once.
    fresh = make_engine(settings.database_url or "", pool_size=1, max_overflow=0)
    try:
        restarted = Engine(make_sessionmaker(fresh), timer_topics(settings), clock=clock)
        assert await _drain(restarted) == 1
    finally:
        await fresh.dispose()
    assert len(await _events(engine, c["id"], "escalated")) == 1


async def test_failing_handler_is_retried_later_and_finally_dead(
    client: httpx.AsyncClient,
    world: World,
    engine: AsyncEngine,
    settings: Settings,
    clock: ManualClock,
) -> None:
    c = await create(client, world)
    await _pass(clock, engine, c["id"], "verification_overdue")

    async def broken(*_: Any) -> None:
        raise RuntimeError("receiver down")

    failing = Engine(make_sessionmaker(engine), timer_topics(settings, broken), clock=clock)
    assert await failing.run_batch() == 1
    (timer,) = await _timers(engine, c["id"], "verification_overdue")
    row = (await fetch(engine, "SELECT * FROM outbox_messages WHERE id = :id", id=timer["id"]))[0]
    assert row["status"] == "pending"
    assert row["attempts"] == 1
    assert row["last_error"] == "RuntimeError: receiver down"
    assert row["available_at"] > clock.now()
    for attempt in range(2, MAX_ATTEMPTS + 1):
        await _pass(clock, engine, c["id"], "verification_overdue")  # past its backoff
        assert await failing.run_batch() == 1
        status = (
            await fetch(
                engine, "SELECT status, attempts FROM outbox_messages WHERE id = :id", id=row["id"]
            )
        )[0]
        assert status["attempts"] == attempt
    assert status["status"] == "dead"
    assert await _events(engine, c["id"], "escalated") == []


async def _many_due_complaints(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, clock: ManualClock, n: int
) -> list[str]:
    """`n` complaints received at the same instant, their verification limit passed."""
    ids = [(await create(client, world))["id"] for _ in range(n)]
    await _pass(clock, engine, ids[0], "verification_overdue")
    return ids


async def _escalations_per_complaint(engine: AsyncEngine, ids: list[str]) -> list[int]:
    rows = await fetch(
        engine,
        "SELECT c.id, count(e.seq) AS n FROM complaints c LEFT JOIN complaint_events e"
        " ON e.complaint_id = c.id AND e.type = 'escalated' WHERE c.id = ANY(:ids) GROUP BY c.id",
        ids=[uuid.UUID(i) for i in ids],
    )
    assert len(rows) == len(ids)
    return [r["n"] for r in rows]


async def test_two_workers_racing_fire_each_timer_once(
    client: httpx.AsyncClient,
    world: World,
    engine: AsyncEngine,
    settings: Settings,
    clock: ManualClock,
) -> None:
    ids = await _many_due_complaints(client, world, engine, clock, 50)
    small_batches = settings.model_copy(update={"worker_batch_size": 4})
    engines = [make_engine(settings.database_url or "", 2, 0) for _ in range(2)]
    try:
        workers = [
            Engine(make_sessionmaker(e), timer_topics(small_batches), name=f"w{i}", clock=clock)
            for i, e in enumerate(engines)
        ]
        claimed = []
        while True:
            rounds = await asyncio.gather(*(w.run_batch() for w in workers for _ in range(3)))
            claimed.extend(rounds)
            if not any(rounds):
                break
    finally:
        for e in engines:
            await e.dispose()
    assert sum(claimed) == 50
    assert await _escalations_per_complaint(engine, ids) == [1] * 50


@pytest.fixture
async def worker_processes(database_url: str) -> AsyncIterator[list[asyncio.subprocess.Process]]:
    env = os.environ | {
        "DATABASE_URL": database_url,
        "LAPOR_WORKER_POLL_SECONDS": "0.1",
        "LAPOR_WORKER_BATCH_SIZE": "3",
        "LAPOR_LOG_LEVEL": "INFO",
    }
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "app",
            "worker",
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    try:
        yield procs
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                await asyncio.wait_for(proc.wait(), timeout=60)
            except TimeoutError:
                proc.kill()
                await proc.wait()


async def _wait_started(proc: asyncio.subprocess.Process) -> asyncio.Task[bytes]:
    """Wait for the worker's start line, then keep its log pipe drained so it never blocks."""
    assert proc.stderr is not None
    # Generous: on a machine busy with other suites a worker takes many seconds to import.
    async with asyncio.timeout(180):
        while b"worker started" not in await proc.stderr.readline():
            assert proc.returncode is None
    return asyncio.create_task(proc.stderr.read())


async def test_two_worker_processes_racing_fire_each_timer_once(
    client: httpx.AsyncClient,
    world: World,
    engine: AsyncEngine,
    worker_processes: list[asyncio.subprocess.Process],
) -> None:
    ids = [(await create(client, world))["id"] for _ in range(40)]
    drains = [await _wait_started(proc) for proc in worker_processes]
    # Both processes are polling; every timer becomes due at the same moment.
    at = datetime.now(UTC) - timedelta(seconds=1)
    await execute(
        engine,
        "UPDATE outbox_messages SET available_at = :at WHERE topic = 'timer'"
        " AND complaint_id = ANY(:ids)",
        at=at,
        ids=[uuid.UUID(i) for i in ids],
    )
    async with asyncio.timeout(180):
        while True:
            pending = await fetch(
                engine,
                "SELECT count(*) AS n FROM outbox_messages WHERE topic = 'timer'"
                " AND status = 'pending' AND available_at <= now()",
            )
            if pending[0]["n"] == 0:
                break
            await asyncio.sleep(0.1)
    for proc in worker_processes:
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), timeout=60) == 0
    for drain in drains:
        assert b"Traceback" not in await drain
    assert await _escalations_per_complaint(engine, ids) == [1] * 40
    done = await fetch(
        engine,
        "SELECT count(*) AS n FROM outbox_messages WHERE topic = 'timer' AND status = 'done'"
        " AND complaint_id = ANY(:ids)",
        ids=[uuid.UUID(i) for i in ids],
    )
    assert done[0]["n"] == 40
