"""Callback delivery benchmark: deliveries per second to a local receiver on 127.0.0.1.

    /work/main/.venv/bin/python bench/webhooks.py [--count 2000] [--concurrency 20]

Creates a scratch database on BENCH_DATABASE_URL (default: the local PostgreSQL), migrates it,
takes in `--count` complaints through the real intake, registers one endpoint, lets the
worker's fan-out turn their events into deliveries, then runs the real dispatcher (claim with
SKIP LOCKED and a lease, sign, POST, log the attempt, settle) against a minimal keep-alive
receiver in the same process, and times it until every delivery is done. Bounded: it stops
after `--seconds` even if not done, and always drops its database. Prints a Markdown row.
"""

import argparse
import asyncio
import contextlib
import os
import platform
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: `app` is the checkout's

import app.models  # noqa: E402, F401 - every table, so the ORM resolves each foreign key
from app import migrate  # noqa: E402
from app.complaints.intake import take_in  # noqa: E402
from app.complaints.schemas import ComplaintCreate  # noqa: E402
from app.jurisdictions.service import create_jurisdiction, load_context  # noqa: E402
from app.kernel.clock import SystemClock  # noqa: E402
from app.kernel.config import Settings  # noqa: E402
from app.kernel.db import make_engine, make_sessionmaker  # noqa: E402
from app.kernel.security import ADMIN, CITIZEN_APP, Principal  # noqa: E402
from app.outbox.worker import Worker, default_handlers  # noqa: E402
from app.privacy.crypto import Sealer  # noqa: E402
from app.webhooks.dispatcher import Dispatcher  # noqa: E402
from app.webhooks.schemas import EndpointCreate  # noqa: E402
from app.webhooks.service import create_endpoint  # noqa: E402
from app.webhooks.url_guard import guarded_client  # noqa: E402

_DONE = text("SELECT count(*) FROM webhook_deliveries WHERE status = 'done'")
SERVER = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


class Receiver:
    """Answers 204 to every request on a kept-alive connection; counts them."""

    def __init__(self) -> None:
        self.count = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                self.count += 1
                writer.write(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n")
                await writer.drain()
        writer.close()


async def prepare(url: str, settings: Settings, count: int, port: int) -> None:
    engine = make_engine(url, pool_size=4, max_overflow=0)
    sessions = make_sessionmaker(engine)
    cipher = Sealer.from_settings(settings)
    clock = SystemClock()
    async with sessions() as session, session.begin():
        jur = await create_jurisdiction(session, "35.21", "Kabupaten Ngawi", "Asia/Jakarta")
        ctx = await load_context(session, jur.id)
        admin = Principal(uuid.uuid4(), "user", ADMIN, jur.id, None, "bench")
        await create_endpoint(
            session,
            settings,
            cipher,
            admin,
            EndpointCreate(url=f"http://127.0.0.1:{port}/hook", event_types=["complaint.received"]),
            clock.now(),
        )
        app_client = Principal(uuid.uuid4(), "client", CITIZEN_APP, jur.id, None, "bench")
        for i in range(count):
            body = ComplaintCreate(channel="web", text=f"Keluhan nomor {i} untuk bench callback.")
            await take_in(session, ctx, cipher, app_client, body, now=clock.now())
    worker = Worker(sessions, settings, default_handlers(settings, cipher), {})
    while await worker.run_batch():
        pass
    await engine.dispose()


async def measure(url: str, settings: Settings, count: int, limit_s: float) -> tuple[int, float]:
    receiver = Receiver()
    server = await asyncio.start_server(receiver.serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    await prepare(url, settings, count, port)
    engine = make_engine(url, pool_size=8, max_overflow=8)
    cipher = Sealer.from_settings(settings)
    stop = asyncio.Event()
    async with guarded_client(True, settings.webhook_max_concurrency, 10.0) as http:
        dispatcher = Dispatcher(make_sessionmaker(engine), settings, http, cipher, name="bench")
        started = time.perf_counter()
        task = asyncio.create_task(dispatcher.run_forever(stop))
        async with engine.connect() as conn:
            while time.perf_counter() - started < limit_s:
                done = await conn.scalar(_DONE)
                await conn.commit()
                if done >= count:
                    break
                await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - started
        stop.set()
        await task
    server.close()
    await engine.dispose()
    return receiver.count, elapsed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120.0)
    args = parser.parse_args()
    name = f"bench_hooks_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(SERVER)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(urlsplit(SERVER)._replace(path=f"/{name}"))
    try:
        await asyncio.to_thread(migrate.upgrade, url)  # alembic runs its own event loop
        settings = Settings(
            database_url=url,
            environment="test",
            log_level="WARNING",
            webhook_allow_loopback=True,
            webhook_max_concurrency=args.concurrency,
            worker_poll_seconds=0.05,
        )
        received, elapsed = await measure(url, settings, args.count, args.seconds)
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()
    # A rate over a run that lost or failed deliveries would flatter it: no figure then.
    complete = received == args.count
    rate = f"{received / elapsed:.0f}" if complete else "none: not all delivered"
    print("| deliveries | concurrency | seconds | deliveries/s | machine |")
    print("|---|---|---|---|---|")
    print(
        f"| {received} of {args.count} | {args.concurrency} | {elapsed:.2f} |"
        f" {rate} | {platform.machine()}, {os.cpu_count()} CPUs |"
    )
    if not complete:
        sys.exit(1)


if __name__ == "__main__":
    asyncio.run(main())
