"""Real worker processes (`python -m app worker`): a SIGKILL mid-delivery, and two racing."""

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import World
from tests.webhooks.conftest import new_complaint, register
from tests.webhooks.receiver import Answer, Receiver

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def start_worker(database_url: str) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(**overrides: str) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "LAPOR_ENVIRONMENT": "test",
            "LAPOR_LOG_LEVEL": "WARNING",
            "LAPOR_WEBHOOK_ALLOW_LOOPBACK": "true",
            "LAPOR_WORKER_POLL_SECONDS": "0.1",
            "LAPOR_WEBHOOK_TIMEOUT_SECONDS": "2",
            "LAPOR_WEBHOOK_LEASE_SECONDS": "3",
            **overrides,
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "app", "worker"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


async def _until(check: Callable[[], Any], seconds: float = 120.0) -> None:
    """Wait for a condition with a generous bound (workers start slowly on a busy machine)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while not await check():
        assert loop.time() < end, "condition not reached"
        await asyncio.sleep(0.1)


async def _rows(engine: AsyncEngine, sql: str) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(text(sql))).all())


async def test_worker_killed_mid_delivery_loses_nothing(
    hclient: httpx.AsyncClient,
    world: World,
    receiver: Receiver,
    engine: AsyncEngine,
    start_worker: Callable[..., subprocess.Popen[bytes]],
) -> None:
    never = asyncio.Event()
    receiver.plan("/hook", Answer(stall=never))
    await register(hclient, world, receiver.url(), event_types=["complaint.received"])
    await new_complaint(hclient, world)
    # The first worker's lease is what the second waits out, so it is short; but long enough
    # that, on a busy machine, the first worker cannot see it run out (and send again) in the
    # moment between the test seeing the request arrive and killing it; and its timeout never
    # ends the stalled send first. The second worker's lease and timeout are long, so however
    # slowly it runs its one send settles within its lease: two requests, never a third.
    first = start_worker(LAPOR_WEBHOOK_LEASE_SECONDS="5", LAPOR_WEBHOOK_TIMEOUT_SECONDS="60")

    async def arrived() -> bool:
        return len(receiver.on("/hook")) >= 1

    await _until(arrived)
    first.send_signal(signal.SIGKILL)  # mid-delivery: the receiver has not answered
    first.wait()
    [d] = await _rows(engine, "SELECT status, attempts FROM webhook_deliveries")
    assert d.status == "pending"  # the killed worker settled nothing
    start_worker(LAPOR_WEBHOOK_LEASE_SECONDS="120", LAPOR_WEBHOOK_TIMEOUT_SECONDS="60")

    async def done() -> bool:
        rows = await _rows(engine, "SELECT status FROM webhook_deliveries")
        return [r.status for r in rows] == ["done"]

    await _until(done, 180)
    never.set()
    hits = receiver.on("/hook")
    assert len(hits) == 2  # at-least-once: the receiver saw it twice, with the same id
    assert hits[0].headers["webhook-id"] == hits[1].headers["webhook-id"]
    [d] = await _rows(engine, "SELECT status, attempts FROM webhook_deliveries")
    assert d.attempts == 2
    log = await _rows(engine, "SELECT status_code FROM webhook_attempts")
    assert [a.status_code for a in log] == [200]  # the killed attempt left no log row


async def test_two_workers_racing_deliver_each_once(
    hclient: httpx.AsyncClient,
    world: World,
    receiver: Receiver,
    engine: AsyncEngine,
    start_worker: Callable[..., subprocess.Popen[bytes]],
) -> None:
    count = 40
    for _ in range(count):
        receiver.plan("/hook", Answer(delay=0.02))
    ep = await register(hclient, world, receiver.url(), event_types=["complaint.received"])
    receiver.secret = ep["secret"]
    for _ in range(count):
        await new_complaint(hclient, world)
    start_worker()
    start_worker()

    async def all_done() -> bool:
        rows = await _rows(engine, "SELECT status FROM webhook_deliveries")
        return len(rows) == count and all(r.status == "done" for r in rows)

    await _until(all_done, 120)
    ids = [h.headers["webhook-id"] for h in receiver.on("/hook")]
    assert len(ids) == count
    assert len(set(ids)) == count
    assert all(h.verified for h in receiver.on("/hook"))
    attempts = await _rows(engine, "SELECT delivery_id FROM webhook_attempts")
    assert len(attempts) == count
    assert len({a.delivery_id for a in attempts}) == count
