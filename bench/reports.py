"""Reports at scale: a month's and a year's reports over complaints of three years.

    .venv/bin/python bench/reports.py [--complaints 1000000] [--agencies 30] [--rounds 5]
        [--keep [--name PREFIX] | --database URL]

Creates a scratch database on BENCH_DATABASE_URL (default: the local PostgreSQL, see
bench/scratch.py), migrates it, generates `--complaints` complaints over 2023-12-01..2026-11-30
in `--agencies` agencies with one INSERT ... SELECT generate_series per chunk (statuses in the
regulation's proportions, times, outcomes, ratings, 2% transferred, their received, verified and
responded events, their working-day spans worked out as migration 0023 does), VACUUM ANALYZEs,
then asks the real app (ASGI, one process, one admin's JWT) for the
summary, agencies and trend reports of one month (2026-11) and one year
(2025-12-01..2026-11-30), `--rounds` times each, and prints p50 and max per report. Any answer
other than 200 is counted as an error, and a run with an error prints no figures. Drops its
database, unless `--keep` (it prints the URL); `--database URL` measures again on a kept one
(drop it by hand when done).
"""

import argparse
import asyncio
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: `app` is the checkout's

import app.models  # noqa: E402, F401 - every table, so the ORM resolves each foreign key
from app.accounts import service as accounts  # noqa: E402
from app.accounts.models import User  # noqa: E402
from app.calendar.workdays import WorkCalendar  # noqa: E402
from app.complaints.spans import backfill  # noqa: E402
from app.jurisdictions.service import create_jurisdiction  # noqa: E402
from app.kernel.config import Settings  # noqa: E402
from app.kernel.db import make_engine, make_sessionmaker  # noqa: E402
from app.main import create_app  # noqa: E402
from app.routing.models import Agency  # noqa: E402
from bench.intake import _backends_cpu_seconds  # noqa: E402
from bench.scratch import scratch_database  # noqa: E402

CHUNK = 100_000

# One row per complaint: i picks the status (the regulation's mix: 17.5% archived, 8.75%
# waiting, 2.5% unverified, 2.5% in process, the rest answered or closed), the agency, the type.
GENERATE = """
INSERT INTO complaints (id, jurisdiction_id, tracking_id, channel, channel_detail, text,
    received_at, status, type, agency_id, policy_id, verification_due_at, verified_at, due_at,
    acknowledged_at, responded_at, resolution, closed_at, rating, satisfied, reopen_count,
    archived_reason, region_code, anonymous, confidential, attachments, last_seq)
SELECT gen_random_uuid(), $1, 'B' || lpad(i::text, 10, '0'),
    (ARRAY['web','mobile_app','sms_1708','counter','call_center','social_media'])[1 + i % 6],
    '{}', 'Jalan rusak', r.received_at, s.status,
    CASE WHEN s.status NOT IN ('received', 'archived') THEN
        (ARRAY['information','non_field','field_inspection'])[1 + i % 3] END,
    CASE WHEN s.status NOT IN ('received', 'archived') THEN ($2::uuid[])[1 + i % $3] END,
    $4, r.received_at + interval '3 days', v.verified_at, v.verified_at + interval '20 days',
    CASE WHEN s.status IN ('in_progress', 'responded', 'closed')
        THEN v.verified_at + interval '1 day' END,
    a.responded_at,
    CASE WHEN a.responded_at IS NOT NULL THEN
        CASE WHEN i % 50 = 0 THEN 'not_settleable' ELSE 'resolved' END END,
    CASE WHEN s.status = 'closed' THEN a.responded_at + interval '10 days' END,
    CASE WHEN s.status = 'closed' AND i % 3 = 0 THEN 1 + i % 5 END,
    CASE WHEN s.status = 'closed' AND i % 3 = 0 THEN i % 5 >= 2 END,
    CASE WHEN i % 40 = 0 THEN 1 ELSE 0 END,
    CASE WHEN s.status = 'archived' THEN
        (ARRAY['unclear','duplicate','not_a_complaint','out_of_scope','incomplete'])[1 + i % 5]
    END,
    '35.21.' || lpad((1 + i % 19)::text, 2, '0') || '.2001', false, false, '[]', 1
FROM generate_series($5::bigint, $6::bigint) AS i
-- Spread over the 1,096 days by a multiplicative hash of i: random() here would not mention
-- i, and PostgreSQL would run it once per statement (one instant for a whole chunk).
CROSS JOIN LATERAL (SELECT timestamptz '2023-12-01 00:00+07'
    + ((i * 2654435761) % 94694400) * interval '1 second' AS received_at) r
CROSS JOIN LATERAL (SELECT CASE
    WHEN i % 400 < 70 THEN 'archived' WHEN i % 400 < 105 THEN 'needs_info'
    WHEN i % 400 < 115 THEN 'received' WHEN i % 400 < 120 THEN 'dispatched'
    WHEN i % 400 < 125 THEN 'in_progress' WHEN i % 400 < 140 THEN 'responded'
    ELSE 'closed' END AS status) s
CROSS JOIN LATERAL (SELECT CASE WHEN s.status NOT IN ('received','archived','needs_info')
    THEN r.received_at + (random() * 4) * interval '1 day' END AS verified_at) v
CROSS JOIN LATERAL (SELECT CASE WHEN s.status IN ('responded','closed')
    THEN v.verified_at + (random() * 30) * interval '1 day' END AS responded_at) a
"""
# A timeline as the service writes it, so the reports' joins to the events read a table of the
# size they meet in use (about 2.4 events per complaint here) and not only the transfers.
EVENTS = """
INSERT INTO complaint_events (complaint_id, jurisdiction_id, seq, type, occurred_at, actor, data,
                              status)
SELECT id, jurisdiction_id, e.seq, e.type, e.at, '{}', '{}', e.status
FROM complaints CROSS JOIN LATERAL (VALUES
    (1, 'received', received_at, 'received'),
    (3, 'verified', verified_at, 'verified'),
    (4, 'responded', responded_at, 'responded')) AS e(seq, type, at, status)
WHERE jurisdiction_id = $1 AND e.at IS NOT NULL
"""
TRANSFERS = """
INSERT INTO complaint_events (complaint_id, jurisdiction_id, seq, type, occurred_at, actor, data,
                              status)
SELECT id, jurisdiction_id, 2, 'transferred', coalesce(verified_at, received_at), '{}',
    jsonb_build_object('from_agency_id', ($2::uuid[])[1], 'agency_id', agency_id),
    'dispatched'  -- a transfer leaves the complaint dispatched to its new agency
FROM complaints WHERE jurisdiction_id = $1 AND agency_id IS NOT NULL
    AND hashtext(tracking_id) % 50 = 0
"""


async def prepare(url: str, settings: Settings, complaints: int, agencies: int) -> str:
    """The jurisdiction, its agencies, an admin (returns their token) and the complaints."""
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as session, session.begin():
        jur = await create_jurisdiction(session, "35.21", "Kabupaten Ngawi", "Asia/Jakarta")
        rows = [
            Agency(jurisdiction_id=jur.id, code=f"PD{n:02}", name=f"Perangkat Daerah {n}",
                   kind="dinas")
            for n in range(agencies)
        ]  # fmt: skip
        session.add_all(rows)
        admin = User(
            jurisdiction_id=jur.id,
            username="admin",
            password_hash="-",  # noqa: S106 - never logs in: the token is issued here
            role="admin",
            display_name="Admin",
        )
        session.add(admin)
        await session.flush()
        token = accounts.issue_token(settings, admin)[0]
        jur_id, agency_ids = jur.id, [a.id for a in rows]
    await engine.dispose()
    conn = await asyncpg.connect(url)
    try:
        policy = await conn.fetchval("SELECT id FROM sla_policies LIMIT 1")
        started = time.perf_counter()
        for first in range(1, complaints + 1, CHUNK):
            last = min(first + CHUNK - 1, complaints)
            await conn.execute(GENERATE, jur_id, agency_ids, agencies, policy, first, last)
        await conn.execute(EVENTS, jur_id)
        await conn.execute(TRANSFERS, jur_id, agency_ids)
    finally:
        await conn.close()
    # The working-day spans the transitions would have stored, as the migration works them out.
    engine = make_engine(url)
    async with engine.begin() as sa_conn:
        await sa_conn.run_sync(backfill, jur_id, WorkCalendar("Asia/Jakarta"))
    await engine.dispose()
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("VACUUM ANALYZE")
        print(f"generated {complaints:,} complaints in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)  # fmt: skip
    finally:
        await conn.close()
    return token


async def admin_token(url: str, settings: Settings) -> str:
    """A token for the admin `prepare` made, in a database kept from an earlier run."""
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as session:
        admin = (await session.execute(select(User).where(User.username == "admin"))).scalar_one()
    await engine.dispose()
    return accounts.issue_token(settings, admin)[0]


CASES = {
    "month": {"from": "2026-11-01", "to": "2026-11-30"},
    "year": {"from": "2025-12-01", "to": "2026-11-30"},
}
REPORTS = ("summary", "agencies", "trend")


async def _database_cpu(url: str) -> float:
    """CPU seconds the database's other client backends (the app's pool) have used so far.

    Client backends only: an autovacuum worker (after the generator's or a migration's writes)
    is in the database too, and counting it put up to a second and more of its work into a
    report's figure. Parallel workers are not counted either way: they exit before this reads."""
    conn = await asyncpg.connect(url)
    try:
        pids = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
    finally:
        await conn.close()
    return _backends_cpu_seconds([r["pid"] for r in pids])


async def measure(
    settings: Settings, token: str, rounds: int
) -> tuple[dict[str, list[tuple[float, float, float]]], int]:
    """Per report: (wall, app CPU, database CPU) seconds of each counted round. CPU is what
    a report costs whatever else runs; wall is that plus waiting for a core."""
    application = create_app(settings)
    timings: dict[str, list[tuple[float, float, float]]] = {}
    errors = 0
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=300,
                                     headers=headers) as client:  # fmt: skip
            for case, params in CASES.items():
                for report in REPORTS:
                    spent = timings.setdefault(f"{report} / {case}", [])
                    for _ in range(rounds + 1):  # the first warms the caches: not counted
                        db0 = await _database_cpu(settings.database_url)
                        cpu0, started = time.process_time(), time.perf_counter()
                        response = await client.get(f"/v1/reports/{report}", params=params)
                        elapsed = time.perf_counter() - started
                        cpu = time.process_time() - cpu0
                        db = await _database_cpu(settings.database_url) - db0
                        if response.status_code != 200:
                            errors += 1
                            print(response.status_code, response.text[:300], file=sys.stderr)
                        spent.append((elapsed, cpu, db))
                    del spent[0]
    return timings, errors


def _settings(url: str) -> Settings:
    return Settings(
        database_url=url,
        environment="test",
        log_level="WARNING",
        rate_limit_caller_per_second=0,
        rate_limit_address_per_second=0,
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--complaints", type=int, default=1_000_000)
    parser.add_argument("--agencies", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="leave the database for later runs")
    parser.add_argument("--name", default="lapor_bench_reports", help="the database's prefix")
    parser.add_argument("--database", help="measure on a database kept by an earlier run")
    args = parser.parse_args()
    if args.database:
        settings = _settings(args.database)
        token = await admin_token(args.database, settings)
        timings, errors = await measure(settings, token, args.rounds)
    else:
        async with scratch_database(args.name, keep=args.keep) as url:
            settings = _settings(url)
            token = await prepare(url, settings, args.complaints, args.agencies)
            timings, errors = await measure(settings, token, args.rounds)
        if args.keep:
            print(f"kept {url}", file=sys.stderr)
    load = os.getloadavg()
    complaints = "the kept database's" if args.database else f"{args.complaints:,}"
    print(f"{complaints} complaints, {args.agencies} agencies, {args.rounds} rounds; "
          f"{platform.python_version()}, load average {load[0]:.1f} {load[1]:.1f}")  # fmt: skip
    if errors:
        print(f"{errors} errors: no figures")
        sys.exit(1)
    print("| report / period | p50 s | max s | app CPU s | database CPU s |")
    print("|---|---|---|---|---|")
    for label, spent in timings.items():
        wall, cpu, db = (statistics.median(column) for column in zip(*spent, strict=True))
        print(f"| {label} | {wall:.3f} | {max(w for w, _, _ in spent):.3f} | {cpu:.3f}"
              f" | {db:.3f} |")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
