"""Reads: the service's complaint detail and list pages against a bare asyncpg twin.

    .venv/bin/python bench/reads.py [--complaints 100000] [--connections 16] [--seconds 15]
        [--warmup 5] [--database URL]

Creates a scratch database on BENCH_DATABASE_URL (bench/scratch.py) with `--complaints`
complaints in 30 agencies (bench/reports.py's generator), or reads a database kept by
`bench/reports.py --keep` (`--database`). An agency system's API key (role agency_system, bound
to the first agency) reads, at `--connections` concurrent requests:
- detail: `GET /v1/complaints/{id}`, in turn over 500 of its agency's complaints;
- list: `GET /v1/complaints?limit=50`, the first keyset page, newest first;
- list filtered: the same with `status=responded,closed`;
- list page 2: the second page, through the first page's cursor.
Each against the service (`python -m app serve`, one process, rate limits off) and
bench/bare_reads.py, with wrk (`--client`, or bench/loadgen.py's httpx where wrk is missing):
a warm-up that is not counted, then the measured run. Prints requests/s, p50 and p99 per app
and the service/twin ratio, but no ratio when any request failed or answered other than 2xx.
Servers stop and the scratch database is dropped whatever happens.
"""

import argparse
import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: `app` is the checkout's

from app.accounts import service as accounts  # noqa: E402
from app.kernel.db import make_engine, make_sessionmaker  # noqa: E402
from bench import reports  # noqa: E402
from bench.intake import _process_cpu_seconds, _servers, wrk  # noqa: E402 - starts, stops both
from bench.scratch import scratch_database  # noqa: E402

FILTER = "status=responded,closed"

# wrk in C: a load generator in Python (bench/loadgen.py) shares the two cores with the server
# and the database and puts its own pauses into the tail it measures. Each thread goes round
# the case's paths and counts every answer but 2xx (wrk's own "status" errors are only >= 400).
WRK_SCRIPT = """
local threads = {}
setup = function(thread) table.insert(threads, thread) end
local paths = {%(paths)s}
local next_path = 0
not_2xx = 0
wrk.headers["Authorization"] = "Bearer %(token)s"
request = function()
  next_path = next_path %% #paths + 1
  return wrk.format("GET", paths[next_path])
end
response = function(status, headers, body)
  if status < 200 or status > 299 then not_2xx = not_2xx + 1 end
end
done = function(summary, latency, requests)
  local e = summary.errors
  local other = 0
  for _, thread in ipairs(threads) do other = other + thread:get("not_2xx") end
  io.write(string.format(
    'BENCH {"requests": %%d, "errors": %%d, "seconds": %%f, "p50_ms": %%f, "p99_ms": %%f}\\n',
    summary.requests, other + e.connect + e.read + e.write + e.timeout,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


async def _reader(url: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """An agency system's key on the first agency, and the paths each case asks for."""
    conn = await asyncpg.connect(url)
    try:
        jurisdiction_id, agency_id = await conn.fetchrow(
            "SELECT jurisdiction_id, id FROM agencies ORDER BY code LIMIT 1"
        )
        ids = await conn.fetch(
            "SELECT id FROM complaints WHERE agency_id = $1 ORDER BY hashtext(tracking_id)"
            " LIMIT 500",
            agency_id,
        )
    finally:
        await conn.close()
    engine = make_engine(url, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            name = f"bench-reads-{datetime.now(UTC):%H%M%S%f}"
            _, key = await accounts.create_client(
                session, jurisdiction_id, name, "agency_system", agency_id
            )
    finally:
        await engine.dispose()
    env = {
        "BENCH_DSN": url,
        "BENCH_TOKEN": key.token,
        "BENCH_JURISDICTION": str(jurisdiction_id),
        "BENCH_AGENCY": str(agency_id),
    }
    return env, {
        "detail": [f"/v1/complaints/{r['id']}" for r in ids],
        "list": ["/v1/complaints?limit=50"],
        "list filtered": [f"/v1/complaints?limit=50&{FILTER}"],
    }


def _load(
    client: str, base: str, paths: list[str], token: str, connections: int, seconds: float
) -> dict[str, float]:
    if client == "wrk":
        script = WRK_SCRIPT % {"paths": ", ".join(json.dumps(p) for p in paths), "token": token}
        return wrk(script, base, connections, seconds)
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench/loadgen.py"), base, str(connections), str(seconds)],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
        env=os.environ | {"BENCH_TOKEN": token, "BENCH_PATHS": "\n".join(paths)},
    )
    answer: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def _second_page(base: str, token: str) -> list[str]:
    """The list's second page, through the cursor the service hands out with the first."""
    import httpx

    first = httpx.get(
        f"{base}/v1/complaints?limit=50", headers={"Authorization": f"Bearer {token}"}
    )
    first.raise_for_status()
    return [f"/v1/complaints?limit=50&cursor={first.json()['next_cursor']}"]


async def _scratch_run(complaints: int, run: Callable[[str], None]) -> None:
    async with scratch_database("bench_reads") as url:
        await reports.prepare(url, reports._settings(url), complaints, 30)
        await asyncio.to_thread(run, url)  # servers and load runs block: off the loop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--database", help="a database kept by bench/reports.py --keep")
    parser.add_argument(
        "--client", choices=["auto", "wrk", "httpx"], default="auto", help="load generator"
    )
    args = parser.parse_args()
    if args.client == "auto":
        args.client = "wrk" if shutil.which("wrk") else "httpx"
    if args.seconds > 120 or args.warmup > 120 or args.connections > 256:
        parser.error("runs are bounded: at most 120 s each and 256 connections")
    load_before = os.getloadavg()[0]
    rows: list[tuple[str, str, dict[str, float]]] = []

    def run(url: str) -> None:
        env, cases = asyncio.run(_reader(url))
        with _servers(env, ["service", "bare"], bare="bench/bare_reads.py") as servers:
            cases["list page 2"] = _second_page(servers["service"][0], env["BENCH_TOKEN"])
            for case, paths in cases.items():
                for app in ("service", "bare"):
                    base, pid = servers[app]
                    if args.warmup > 0:
                        _load(
                            args.client,
                            base,
                            paths,
                            env["BENCH_TOKEN"],
                            args.connections,
                            args.warmup,
                        )
                    cpu = _process_cpu_seconds(pid)
                    r = _load(
                        args.client, base, paths, env["BENCH_TOKEN"], args.connections, args.seconds
                    )
                    # The server's own CPU per answer: steadier than requests/s on a shared
                    # machine, where the load generator competes for the same cores.
                    r["cpu_ms"] = (_process_cpu_seconds(pid) - cpu) * 1000 / max(r["requests"], 1)
                    rows.append((case, app, r))
                    print(f"  {case} {app}: {r}", file=sys.stderr, flush=True)

    if args.database:
        run(args.database)
    else:
        asyncio.run(_scratch_run(args.complaints, run))
    complaints = "the kept database's" if args.database else f"{args.complaints:,}"
    print(
        f"{complaints} complaints, 30 agencies; an agency system's key; {args.connections}"
        f" connections, {args.warmup:g} s warm-up + {args.seconds:g} s per row;"
        f" load generator {args.client};"
        f" {os.cpu_count()} cores, Python {platform.python_version()}, load average before"
        f" {load_before:.1f}, after {os.getloadavg()[0]:.1f}"
    )
    print(
        "\n| read | app | requests/s | p50 ms | p99 ms | errors | server CPU ms/request |"
        "\n|---|---|---:|---:|---:|---:|---:|"
    )
    for case, app, r in rows:
        rps = r["requests"] / r["seconds"]
        print(
            f"| {case} | {app} | {rps:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} |"
            f" {r['errors']} | {r['cpu_ms']:.2f} |"
        )
    if any(r["errors"] for _, _, r in rows):
        print("\nerrors seen: no ratio (every request must answer 2xx)")
        sys.exit(1)
    print()
    by = {(case, app): r for case, app, r in rows}
    for case in dict.fromkeys(case for case, _, _ in rows):
        service, bare = by[case, "service"], by[case, "bare"]
        ratio = (service["requests"] / service["seconds"]) / (bare["requests"] / bare["seconds"])
        print(f"- {case}: service / twin = **{ratio:.2f}**, service p99 {service['p99_ms']:.1f} ms")


if __name__ == "__main__":
    main()
