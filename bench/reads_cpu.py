"""Server CPU per read, in process: the service's detail and list against the bare twin's.

    .venv/bin/python bench/reads_cpu.py [--complaints 100000 | --database URL]
        [--requests 3000] [--concurrency 8] [--rounds 2]

The reads of bench/reads.py (an agency system's key: a detail in turn over 500 of its agency's
complaints, the first list page, the filtered page) sent straight into `create_app()` and into
bench/bare_reads.py's app as ASGI calls (bench/asgi.py), on uvloop, each app in turn for
`--rounds` rounds, after a warm-up. Prints this process's CPU per request for each and their
ratio: without uvicorn, sockets and wrk on the same two cores, the steadier figure for what the
request path itself costs. Creates a scratch database on BENCH_DATABASE_URL (as bench/reads.py
does) or reads a database kept by `bench/reports.py --keep`. Exits non-zero on any answer but
200, and then prints no ratio.
"""

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))  # bare_reads imports bare_serve as a script does

from app.cli import run, tune_gc  # noqa: E402
from app.kernel.config import Settings  # noqa: E402
from app.main import create_app  # noqa: E402
from bench import asgi, reads, reports  # noqa: E402
from bench.scratch import scratch_database  # noqa: E402


async def _cpu_per_read(
    app: Any, token: str, paths: list[str], requests: int, concurrency: int
) -> tuple[float, dict[int, int]]:
    headers = [(b"authorization", f"Bearer {token}".encode())]
    statuses: dict[int, int] = {}

    async def worker(offset: int, count: int) -> None:
        for i in range(count):
            await asgi.call(app, "GET", paths[(offset + i) % len(paths)], headers, b"", statuses)

    per_worker = max(1, requests // concurrency)
    await asyncio.gather(*(worker(w * 50, 20) for w in range(concurrency)))  # warm-up
    statuses.clear()
    started = time.process_time()
    await asyncio.gather(*(worker(w * 50, per_worker) for w in range(concurrency)))
    return (time.process_time() - started) * 1000 / (per_worker * concurrency), statuses


async def _measure(url: str, args: argparse.Namespace) -> dict[tuple[str, str], list[float]]:
    env, cases = await reads._reader(url)
    os.environ.update(env)  # bare_reads reads its configuration at import
    import bare_reads

    service = create_app(
        Settings(
            database_url=url,
            log_level="WARNING",
            rate_limit_caller_per_second=0,
            rate_limit_address_per_second=0,
        )
    )
    figures: dict[tuple[str, str], list[float]] = {}
    failed: dict[int, int] = {}
    async with (
        service.router.lifespan_context(service),
        bare_reads.app.router.lifespan_context(bare_reads.app),
    ):
        tune_gc()  # as `app serve` and the twin's server do after start-up
        for _ in range(args.rounds):
            for case, paths in cases.items():
                for name, app in (("service", service), ("bare", bare_reads.app)):
                    ms, statuses = await _cpu_per_read(
                        app, env["BENCH_TOKEN"], paths, args.requests, args.concurrency
                    )
                    figures.setdefault((case, name), []).append(ms)
                    for status, n in statuses.items():
                        if status != 200:
                            failed[status] = failed.get(status, 0) + n
    if failed:
        print(f"- **answers other than 200: {failed}; no figure**")
        sys.exit(1)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--database", help="a database kept by bench/reports.py --keep")
    parser.add_argument("--requests", type=int, default=3000, help="measured reads per row")
    parser.add_argument("--concurrency", type=int, default=8, help="reads in flight")
    parser.add_argument("--rounds", type=int, default=2, help="times each app reads each case")
    args = parser.parse_args()
    if not (1 <= args.requests <= 100_000 and 1 <= args.concurrency <= 256 and args.rounds <= 10):
        parser.error("bounded: 1-100,000 requests, 1-256 in flight, at most 10 rounds")

    async def scratch() -> dict[tuple[str, str], list[float]]:
        async with scratch_database("bench_reads_cpu") as url:
            await reports.prepare(url, reports._settings(url), args.complaints, 30)
            return await _measure(url, args)

    figures = run(_measure(args.database, args) if args.database else scratch())
    print(
        f"reads in process, {args.concurrency} in flight, {args.requests} per row,"
        f" {args.rounds} rounds, load average {os.getloadavg()[0]:.2f}\n"
        "\n| read | service CPU ms/read | twin CPU ms/read | twin / service |"
        "\n|---|---:|---:|---:|"
    )
    for case in dict.fromkeys(case for case, _ in figures):
        service = statistics.median(figures[case, "service"])
        bare = statistics.median(figures[case, "bare"])
        print(f"| {case} | {service:.2f} | {bare:.2f} | **{bare / service:.2f}** |")


if __name__ == "__main__":
    main()
