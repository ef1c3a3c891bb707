"""Callback delivery benchmark: deliveries per second from one worker to a receiver process.

    /work/main/.venv/bin/python bench/webhooks.py [--count 20000] [--events 2] [--concurrency 200]

Creates a scratch database on BENCH_DATABASE_URL (default: the local PostgreSQL), migrates it,
takes in `--count / --events` complaints through the real intake and gives each `--events - 1`
more events, registers one endpoint, lets the engine's fan-out turn the events into deliveries,
then runs the real engine's `webhook` topic (claim with SKIP LOCKED and a lease, in order per
(endpoint, complaint), sign, POST through the SSRF-guarded client, attempts logged and deliveries
settled in one statement per batch) against a minimal HTTP/1.1 keep-alive receiver in ANOTHER
process, and times it until every delivery is done. The receiver checks that each complaint's
events arrive in seq order. Bounded: it stops after `--seconds` even if not done, and always
drops its database. Prints a Markdown row; prints no rate and exits 1 if anything was lost,
failed, answered other than 2xx, or arrived out of order.
"""

import argparse
import asyncio
import contextlib
import json
import os
import platform
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: `app` is the checkout's


class Receiver:
    """Answers 204 on kept-alive connections; counts, and checks seq order per complaint."""

    def __init__(self) -> None:
        self.count = 0
        self.out_of_order = 0
        self.last_seq: dict[str, int] = {}

    def record(self, body: bytes) -> None:
        data = json.loads(body)["data"]
        complaint, seq = data["complaint_id"], data["seq"]
        if seq <= self.last_seq.get(complaint, 0):
            self.out_of_order += 1
        self.last_seq[complaint] = seq
        self.count += 1

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = await reader.readexactly(length)
                if head.startswith(b"GET /stats"):
                    stats = json.dumps({"count": self.count, "out_of_order": self.out_of_order})
                    answer = (
                        f"HTTP/1.1 200 OK\r\ncontent-length: {len(stats)}\r\n\r\n{stats}".encode()
                    )
                else:
                    self.record(body)
                    answer = b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n"
                writer.write(answer)
                await writer.drain()
        writer.close()


async def receive() -> None:
    """The receiver process: prints its port, serves until its stdin closes."""
    receiver = Receiver()
    server = await asyncio.start_server(receiver.serve, "127.0.0.1", 0, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


async def prepare(url: str, settings: Any, complaints: int, events: int, port: int) -> None:
    from app.complaints.events import append_event
    from app.complaints.intake import take_in
    from app.complaints.models import Complaint
    from app.complaints.schemas import ComplaintCreate
    from app.jurisdictions.service import create_jurisdiction, load_context
    from app.kernel.clock import SystemClock
    from app.kernel.db import make_engine, make_sessionmaker
    from app.kernel.security import ADMIN, CITIZEN_APP, SYSTEM_ACTOR, Principal
    from app.privacy.crypto import Sealer
    from app.webhooks.schemas import EndpointCreate
    from app.webhooks.service import create_endpoint

    now = SystemClock().now()
    from app.worker import built

    engine = make_engine(url, pool_size=4, max_overflow=0)
    sessions = make_sessionmaker(engine)
    cipher = Sealer.from_settings(settings)
    async with sessions() as session, session.begin():
        jur = await create_jurisdiction(session, "35.21", "Kabupaten Ngawi", "Asia/Jakarta")
        ctx = await load_context(session, jur.id)
        admin = Principal(uuid.uuid4(), "user", ADMIN, jur.id, None, "bench")
        await create_endpoint(
            session,
            settings,
            cipher,
            admin,
            EndpointCreate(
                url=f"http://127.0.0.1:{port}/hook",
                event_types=["complaint.received", "complaint.due_soon"],
            ),
            now,
        )
        app_client = Principal(uuid.uuid4(), "client", CITIZEN_APP, jur.id, None, "bench")
        for i in range(complaints):
            body = ComplaintCreate(channel="web", text=f"Keluhan nomor {i} untuk bench callback.")
            created = await take_in(session, ctx, cipher, app_client, body, now=now)
            c = await session.get(Complaint, created.body.id)
            assert c is not None
            for _ in range(events - 1):
                await append_event(session, c, "due_soon", SYSTEM_ACTOR, c.received_at)
    async with built(settings, engine) as worker:
        fan_out = [t for t in worker.topics if t.name == "complaint_event"]
        while await worker.run_topic(fan_out[0]):
            pass
    await engine.dispose()


async def _stats(port: int) -> dict[str, int]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /stats HTTP/1.1\r\ncontent-length: 0\r\n\r\n")
    head = await reader.readuntil(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
    stats: dict[str, int] = json.loads(await reader.readexactly(length))
    writer.close()
    return stats


async def measure(
    url: str, settings: Any, count: int, events: int, limit_s: float, port: int
) -> tuple[dict[str, int], float, float, int]:
    from sqlalchemy import text

    from app.cli import tune_gc
    from app.kernel.db import make_engine
    from app.worker import built

    await prepare(url, settings, count // events, events, port)
    engine = make_engine(url, pool_size=8, max_overflow=8)
    stop = asyncio.Event()
    async with built(settings, engine, name="bench") as worker:
        hooks = [t for t in worker.topics if t.name == "webhook"]
        only_hooks = type(worker)(worker.sessions, hooks, worker.clock, 0.01, "bench")
        tune_gc()  # as `python -m app worker` does once it is built
        started, cpu_started = time.perf_counter(), time.process_time()
        task = asyncio.create_task(only_hooks.run_forever(stop))
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            while time.perf_counter() - started < limit_s:
                # The engine's pending rows, through its partial index, every 50 ms: a delivery
                # is settled in the same transaction as its row (scanning the delivery table
                # every 20 ms cost this process and the database more than the answer is worth).
                pending = await conn.scalar(
                    text(
                        "SELECT count(*) FROM outbox_messages"
                        " WHERE topic = 'webhook' AND status = 'pending'"
                    )
                )
                if pending == 0:
                    break
                await asyncio.sleep(0.05)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        stop.set()
        await task
    async with engine.connect() as conn:
        not_done = await conn.scalar(
            text(
                "SELECT count(*) FROM webhook_deliveries WHERE status <> 'done'"
                " OR attempts <> 1 OR last_status_code NOT BETWEEN 200 AND 299"
            )
        )
    await engine.dispose()
    return await _stats(port), elapsed, cpu, not_done


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=20000, help="deliveries")
    parser.add_argument("--events", type=int, default=2, help="events (deliveries) per complaint")
    parser.add_argument("--concurrency", type=int, default=200, help="POSTs in flight at most")
    parser.add_argument("--batch", type=int, default=100, help="deliveries per claim")
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--receiver", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.receiver:
        await receive()
        return

    from app.kernel.config import Settings
    from bench.scratch import scratch_database

    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--receiver",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    assert proc.stdin is not None
    port = int(await proc.stdout.readline())
    try:
        async with scratch_database("bench_hooks") as url:
            settings = Settings(
                database_url=url,
                environment="test",
                log_level="WARNING",
                webhook_allow_loopback=True,
                webhook_max_concurrency=args.concurrency,
                webhook_batch_size=args.batch,
                worker_poll_seconds=0.01,
            )
            stats, elapsed, cpu, not_done = await measure(
                url, settings, args.count, args.events, args.seconds, port
            )
    finally:
        proc.stdin.close()
        await proc.wait()
    received = stats["count"]
    # A rate over a run that lost, failed or reordered deliveries would flatter it: no figure.
    clean = received == args.count and not_done == 0 and stats["out_of_order"] == 0
    rate = f"{received / elapsed:.0f}" if clean else "none: errors"
    per_cpu = f"{received / cpu:.0f}" if clean and cpu else "none"
    print(
        "| deliveries | per complaint | concurrency | out of order | seconds | deliveries/s"
        " | worker CPU s | per worker CPU s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {received} of {args.count} | {args.events} | {args.concurrency} |"
        f" {stats['out_of_order']} | {elapsed:.2f} | {rate} | {cpu:.2f} | {per_cpu} |"
    )
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    if not clean:
        sys.exit(1)


if __name__ == "__main__":
    asyncio.run(main())
