"""Server CPU per intake, in process: the service's request path without uvicorn or a network.

    .venv/bin/python bench/intake_cpu.py [--requests 800] [--reporters mix|same] [--concurrency 8]

Creates a scratch database on BENCH_DATABASE_URL (as bench/intake.py does), then sends
`POST /v1/complaints` straight into `create_app()` as ASGI calls, 8 at a time (`--concurrency`:
64 or 256 queue requests behind the pool as wrk's connections do), and prints this process's
CPU time per request and its database connections', on the event loop `python -m app serve`
uses (uvloop). A steadier figure than bench/intake.py's on a shared machine (no load
generator, no HTTP parsing competing for the cores), for comparing two versions of the
request path: run it in each checkout, alternately. Exits non-zero on any answer but 201.
"""

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.cli import run, tune_gc  # noqa: E402
from app.kernel.config import Settings  # noqa: E402
from app.main import create_app  # noqa: E402
from bench import asgi  # noqa: E402
from bench.intake import (  # noqa: E402
    BODY_TEMPLATE,
    _backend_pids,
    _backends_cpu_seconds,
    _prepare,
)
from bench.scratch import blocking_scratch_database  # noqa: E402


async def _drive(
    url: str, token: str, requests: int, mix: bool, concurrency: int
) -> tuple[float, float, dict[int, int]]:
    settings = Settings(
        database_url=url,
        log_level="WARNING",
        rate_limit_caller_per_second=0,
        rate_limit_address_per_second=0,
    )
    app = create_app(settings)
    headers = [
        (b"content-type", b"application/json"),
        (b"authorization", f"Bearer {token}".encode()),
    ]
    statuses: dict[int, int] = {}
    sent = 0

    async def one() -> None:
        nonlocal sent
        sent += 1
        body = dict(BODY_TEMPLATE)
        if mix:
            body["reporter"] = {"name": "Sri Wahyuni", "phone": f"08{sent:010d}"}
        await asgi.call(app, "POST", "/v1/complaints", headers, json.dumps(body).encode(), statuses)

    async def worker(count: int) -> None:
        for _ in range(count):
            await one()

    async with app.router.lifespan_context(app):
        # A warm-up of about 80 requests, not counted.
        await asyncio.gather(*(worker(max(1, 80 // concurrency)) for _ in range(concurrency)))
        tune_gc()  # as `app serve` does after start-up
        statuses.clear()
        per_worker = max(1, requests // concurrency)
        backends = await _backend_pids(url)  # the pool's connections, open since the warm-up
        db_started, started = _backends_cpu_seconds(backends), time.process_time()
        await asyncio.gather(*(worker(per_worker) for _ in range(concurrency)))
        cpu, db = time.process_time() - started, _backends_cpu_seconds(backends) - db_started
    count = per_worker * concurrency
    return cpu * 1000 / count, db * 1000 / count, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=800, help="measured requests")
    parser.add_argument("--reporters", choices=["mix", "same"], default="mix")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    args = parser.parse_args()
    if not 1 <= args.requests <= 100_000:
        parser.error("--requests is bounded: 1 to 100,000")
    if not 1 <= args.concurrency <= 1000:
        parser.error("--concurrency is bounded: 1 to 1,000")
    with blocking_scratch_database("bench_cpu") as url:
        env = asyncio.run(_prepare(url))
        ms, db_ms, statuses = run(  # on uvloop, as `python -m app serve` runs
            _drive(
                url, env["BENCH_TOKEN"], args.requests, args.reporters == "mix", args.concurrency
            )
        )
    print(
        f"intake in process, reporters {args.reporters}, {args.concurrency} in flight: "
        f"answers {statuses}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    if set(statuses) != {201}:
        print("- **non-201 answers: no figure**")
        sys.exit(1)
    print(f"- server CPU per request: **{ms:.2f} ms**, database CPU per request: {db_ms:.2f} ms")


if __name__ == "__main__":
    main()
