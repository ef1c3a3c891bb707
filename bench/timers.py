"""Timer benchmark: how long the engine takes to fire `--due` due timers among `--rows` pending.

    /work/main/.venv/bin/python bench/timers.py [--rows 1000000] [--due 100000] [--batch 250]

Creates a scratch database on BENCH_DATABASE_URL (default: the local PostgreSQL), migrates it,
takes in `--complaints` complaints through the real intake, then loads `--rows` pending timer
rows in one INSERT ... SELECT generate_series: `--due` of them due now, the rest due within the
next 30 days, each naming one of the complaints. The due ones are stale, as most timers are when
they come due (a due-soon reminder for a complaint that was answered in time): the real timer
topic finds that for a whole batch in one indexed read and settles the batch in one statement.
Prints `EXPLAIN (ANALYZE, BUFFERS)` of the claim (it must be an index scan), then runs the real
engine's timer topic until every due row is settled and times it. Prints no figure and exits 1
if any row failed, died or was left. Always drops its database.
"""

import argparse
import asyncio
import os
import platform
import sys
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: `app` is the checkout's


# Stale due-soon reminders: computed for a deadline none of these complaints has.
_LOAD = """
    INSERT INTO outbox_messages (id, jurisdiction_id, topic, dedupe_key, complaint_id, payload,
                                 status, available_at, attempts, created_at)
    SELECT gen_random_uuid(), $1, 'timer', 'bench:' || g, ($2::uuid[])[1 + g % $3],
           jsonb_build_object('kind', 'due_soon', 'due', '2026-01-05T09:00:00+07:00',
                              'level', 0, 'generation', 0),
           'pending',
           CASE WHEN g <= $4 THEN now() - (g % 3600) * interval '1 second'
                ELSE now() + interval '1 hour' + (g % 2592000) * interval '1 second' END,
           0, now()
    FROM generate_series(1, $5) AS g
"""


async def prepare(url: str, settings: Any, complaints: int, rows: int, due: int) -> None:
    import asyncpg

    from app.complaints.intake import take_in
    from app.complaints.schemas import ComplaintCreate
    from app.jurisdictions.service import create_jurisdiction, load_context
    from app.kernel.clock import SystemClock
    from app.kernel.db import make_engine, make_sessionmaker
    from app.kernel.security import CITIZEN_APP, Principal
    from app.privacy.crypto import Sealer

    engine = make_engine(url, pool_size=2, max_overflow=0)
    sessions = make_sessionmaker(engine)
    ids = []
    async with sessions() as session, session.begin():
        jur = await create_jurisdiction(session, "35.21", "Kabupaten Ngawi", "Asia/Jakarta")
        ctx = await load_context(session, jur.id)
        app_client = Principal(uuid.uuid4(), "client", CITIZEN_APP, jur.id, None, "bench")
        cipher = Sealer.from_settings(settings)
        now = SystemClock().now()
        for i in range(complaints):
            body = ComplaintCreate(channel="web", text=f"Keluhan nomor {i} untuk bench timer.")
            ids.append((await take_in(session, ctx, cipher, app_client, body, now=now)).body.id)
    await engine.dispose()
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(_LOAD, jur.id, ids, len(ids), due, rows)
        await conn.execute("ANALYZE outbox_messages")
    finally:
        await conn.close()


async def explain_claim(url: str, batch: int) -> str:
    """The claim's plan, run for real inside a transaction that is rolled back."""
    import asyncpg

    from app.outbox.engine import CLAIM_LOCKED

    sql = str(CLAIM_LOCKED).replace(":topic", "$1").replace(":now", "now()")
    sql = sql.replace(":limit", "$2")
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            lines = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", "timer", batch)
            plan = "\n".join(r[0] for r in lines)
            raise _Rollback(plan)
    except _Rollback as done:
        return str(done)
    finally:
        await conn.close()


class _Rollback(Exception):
    pass


async def measure(
    url: str, settings: Any, due: int, lanes: int, limit_s: float
) -> tuple[float, int, int]:
    from sqlalchemy import text

    from app.complaints import tasks
    from app.kernel.db import make_engine, make_sessionmaker
    from app.outbox.engine import Engine
    from app.worker import default_policy

    engine = make_engine(url, pool_size=4, max_overflow=0)
    policy = default_policy(settings)
    policy = replace(policy, concurrency=policy.batch_size * lanes)
    timer = [t for t in tasks.topics(settings, [], policy) if t.name == "timer"]
    worker = Engine(make_sessionmaker(engine), timer, poll_seconds=0.01, name="bench")
    stop = asyncio.Event()
    started = time.perf_counter()
    task = asyncio.create_task(worker.run_forever(stop))
    # What is still due, read through the claim's own partial index (a count over the whole
    # table every few milliseconds would cost more than the work being timed).
    still_due = text(
        "SELECT count(*) FROM outbox_messages"
        " WHERE topic = 'timer' AND status = 'pending' AND available_at <= now()"
    )
    async with engine.connect() as conn:
        while time.perf_counter() - started < limit_s:
            left = await conn.scalar(still_due)
            await conn.commit()
            if left == 0:
                break
            await asyncio.sleep(0.1)
    elapsed = time.perf_counter() - started
    stop.set()
    await task
    async with engine.connect() as conn:
        bad = await conn.scalar(
            text(
                "SELECT count(*) FROM outbox_messages"
                " WHERE status NOT IN ('pending', 'done') OR last_error IS NOT NULL"
            )
        )
        left = await conn.scalar(still_due)
        settled = await conn.scalar(
            text("SELECT count(*) FROM outbox_messages WHERE topic = 'timer' AND status = 'done'")
        )
    await engine.dispose()
    return elapsed, settled, bad + left


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="pending timer rows")
    parser.add_argument("--due", type=int, default=100_000, help="of which due now")
    parser.add_argument("--complaints", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=250, help="rows per claim")
    parser.add_argument("--lanes", type=int, default=2, help="batches in flight")
    parser.add_argument("--seconds", type=float, default=300.0)
    args = parser.parse_args()

    from app.kernel.config import Settings
    from bench.scratch import scratch_database

    async with scratch_database("bench_timers") as url:
        settings = Settings(
            database_url=url,
            environment="test",
            log_level="WARNING",
            worker_batch_size=args.batch,
        )
        await prepare(url, settings, args.complaints, args.rows, args.due)
        plan = await explain_claim(url, args.batch)
        elapsed, settled, bad = await measure(url, settings, args.due, args.lanes, args.seconds)
    print("claim plan (EXPLAIN ANALYZE, BUFFERS), with every row pending:")
    print("    " + plan.replace("\n", "\n    "))
    clean = bad == 0 and settled >= args.due
    rate = f"{settled / elapsed:.0f}" if clean else "none: errors or rows left"
    print("| pending rows | due | batch | lanes | seconds | timers/s |")
    print("|---|---|---|---|---|---|")
    print(
        f"| {args.rows + args.complaints} | {settled} of {args.due} | {args.batch} |"
        f" {args.lanes} | {elapsed:.2f} | {rate} |"
    )
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    if not clean or "Index Scan" not in plan:
        sys.exit(1)


if __name__ == "__main__":
    asyncio.run(main())
