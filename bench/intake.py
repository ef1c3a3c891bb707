"""Intake benchmark: the real service against a bare asyncpg app, under the same load.

    /work/main/.venv/bin/python bench/intake.py          (or `make bench`)

Creates a scratch database on BENCH_DATABASE_URL (bench/scratch.py; default: the local
PostgreSQL), migrates it, creates a jurisdiction and a citizen_app API key, starts the service
(`python -m app serve`, one process) and bench/bare_app.py on free loopback ports, and drives
`POST /v1/complaints` at each concurrency with wrk (bench/loadgen.py, httpx, when wrk is not
installed): a warm-up that is not counted, then a measured run. Tables are emptied before every
run so each starts equal. Prints a Markdown table; every server it started is stopped and the
scratch database dropped, also on Ctrl-C or an error. Loopback only; bounded in time (about 2 x
2 x (warm-up + measured)).
"""

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: `app` is the checkout's

from app.accounts import service as accounts  # noqa: E402
from app.jurisdictions.service import create_jurisdiction  # noqa: E402
from app.kernel.db import make_engine, make_sessionmaker  # noqa: E402
from bench.scratch import blocking_scratch_database  # noqa: E402

# A citizen app's typical report: text, a title, a location and the reporter's name and phone.
# "same" sends it from one reporter every time: the worst case for the duplicate search, which
# looks through that reporter's recent complaints; "mix" gives each request its own phone number.
BODY_TEMPLATE = {
    "channel": "mobile_app",
    "title": "Jalan berlubang di depan pasar",
    "text": "Jalan di depan Pasar Besar Ngawi berlubang dalam sejak dua minggu, sudah ada "
    "dua pengendara motor jatuh. Mohon segera diperbaiki.",
    "location": {
        "region_code": "35.21.01",
        "address": "Jl. Yos Sudarso",
        "lat": -7.4,
        "lon": 111.44,
    },
    "reporter": {"name": "Sri Wahyuni", "phone": "0812-3456-7890"},
}
BODY = json.dumps(BODY_TEMPLATE)
PHONE_MARK = "0812-3456-7890"

WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = [[%(body)s]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(token)s"
local mix = %(mix)s
local counter = 0
-- Each thread numbers its own reporters: seeded alike (os.time() is the same second in every
-- thread), the threads sent the same phone numbers, so half the "mix" were one reporter's
-- second complaint, linked as a possible duplicate in a second statement.
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("thread_no", threads)
end
math.randomseed(os.time())
local salt = math.random(1000, 9999)
request = function()
  if not mix then return wrk.format() end
  counter = counter + 1
  local phone = string.format("08%%04d%%02d%%06d", salt, thread_no, counter)
  return wrk.format(nil, nil, nil, (wrk.body:gsub("%(mark)s", phone)))
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %%d, "errors": %%d, "seconds": %%f, "p50_ms": %%f, "p99_ms": %%f}\\n',
    summary.requests, e.status + e.connect + e.read + e.write + e.timeout,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


@dataclass
class Run:
    app: str
    connections: int
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float
    server_cpu: float  # share of one core the server process used during the run
    db_cpu: float  # share of one core its PostgreSQL backends used during the run
    machine_cpu: float  # share of all cores busy during the run (load generator and db included)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_ms(self) -> float:
        """Server CPU per request: steadier than requests/s when other work shares the cores."""
        return self.server_cpu * 1000 / max(self.rps, 1e-9)

    @property
    def db_cpu_ms(self) -> float:
        return self.db_cpu * 1000 / max(self.rps, 1e-9)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _process_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _backend_pids(url: str) -> list[int]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
    finally:
        await conn.close()
    return [r["pid"] for r in rows]


def _backends_cpu_seconds(pids: list[int]) -> float:
    """CPU of the database's backends (readable when PostgreSQL runs on this machine)."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            total += _process_cpu_seconds(pid)
    return total


def _machine_ticks() -> tuple[int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


async def _prepare(url: str) -> dict[str, str]:
    """A jurisdiction with its default policy and a citizen_app key; what the bare app needs."""
    engine = make_engine(url, pool_size=1, max_overflow=0)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            jur = await create_jurisdiction(session, "35.21", "Kabupaten Ngawi", "Asia/Jakarta")
            client, key = await accounts.create_client(session, jur.id, "bench", "citizen_app")
            jurisdiction_id, client_id = jur.id, client.id
    finally:
        await engine.dispose()
    conn = await asyncpg.connect(url)
    try:
        policy = await conn.fetchrow(
            "SELECT id, verification_days FROM sla_policies WHERE jurisdiction_id = $1",
            jurisdiction_id,
        )
    finally:
        await conn.close()
    return {
        "BENCH_DSN": url,
        "BENCH_TOKEN": key.token,
        "BENCH_JURISDICTION": str(jurisdiction_id),
        "BENCH_CLIENT": str(client_id),
        "BENCH_POLICY": str(policy["id"]),
        "BENCH_VERIFICATION_DAYS": str(policy["verification_days"]),
    }


async def _empty_tables(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        # Requests of the last run that wrk gave up on may still be running in the server:
        # TRUNCATE would deadlock with their inserts (a 500 in the server's log). Wait for them;
        # one that starts between the wait and the TRUNCATE still can, and PostgreSQL then
        # aborts one side: ours, as it waits on a short lock timeout, and it tries again.
        await conn.execute("SET lock_timeout = '1s'")
        for attempt in range(10):
            await _quiet(conn)
            try:
                await conn.execute(
                    "TRUNCATE complaints, reporters, complaint_events, outbox_messages, "
                    "idempotency_records CASCADE"
                )
                break
            except (asyncpg.DeadlockDetectedError, asyncpg.LockNotAvailableError):
                if attempt == 9:
                    raise
        # No ANALYZE here: statistics of an empty complaints table make PostgreSQL check the
        # foreign keys of every new row with a sequential scan of complaints (O(rows) each).
    finally:
        await conn.close()


async def _quiet(conn: asyncpg.Connection) -> None:
    """Until no other session of this database is running a statement (30 s at most)."""
    for _ in range(300):
        busy = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state NOT IN ('idle')"
        )
        if not busy:
            return
        await asyncio.sleep(0.1)


def _wait_ready(proc: subprocess.Popen[bytes], base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{proc.args} did not become ready")


@contextlib.contextmanager
def _servers(
    env: dict[str, str], apps: list[str], bare: str = "bench/bare_app.py"
) -> Iterator[dict[str, tuple[str, int]]]:
    """Start the service and the bare app (`bare`, a script); always stop both."""
    procs: list[subprocess.Popen[bytes]] = []
    try:
        started: dict[str, tuple[str, int]] = {}
        service_port, bare_port = _free_port(), _free_port()
        service_env = os.environ | {
            "DATABASE_URL": env["BENCH_DSN"],
            "LAPOR_LOG_LEVEL": os.environ.get("LAPOR_LOG_LEVEL", "WARNING"),
            # One credential and one address send everything here: the per-caller and
            # per-address limits would answer most requests 429. Off explicitly, and said so.
            "LAPOR_RATE_LIMIT_CALLER_PER_SECOND": "0",
            "LAPOR_RATE_LIMIT_ADDRESS_PER_SECOND": "0",
        }
        commands = {
            "service": (
                [sys.executable, "-m", "app", "serve", "--port", str(service_port)],
                service_env,
                service_port,
            ),
            "bare": (
                [sys.executable, bare, str(bare_port)],
                os.environ | env,
                bare_port,
            ),
        }
        for name in apps:
            cmd, proc_env, port = commands[name]
            proc = subprocess.Popen(cmd, cwd=ROOT, env=proc_env)
            procs.append(proc)
            _wait_ready(proc, f"http://127.0.0.1:{port}")
            started[name] = (f"http://127.0.0.1:{port}", proc.pid)
        yield started
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wrk(script: str, url: str, connections: int, seconds: float) -> dict[str, float]:
    """One wrk run with a Lua `script` whose `done` prints a `BENCH {json}` line; that JSON."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        threads = min(connections, os.cpu_count() or 1)
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s"]
        out = subprocess.run(
            [*command, "--timeout", "10s", "-s", f.name, url],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        ).stdout
    finally:
        os.unlink(f.name)
    line = next(x for x in out.splitlines() if x.startswith("BENCH "))
    result: dict[str, float] = json.loads(line[len("BENCH ") :])
    return result


def _load(
    client: str, url: str, connections: int, seconds: float, token: str, mix: bool
) -> dict[str, float]:
    """One bounded load run; returns requests, errors (any non-2xx or failure), seconds, p50/p99."""
    timeout = seconds + 60
    if client == "wrk":
        mark = PHONE_MARK.replace("-", "%-")  # a Lua pattern: '-' is a quantifier there
        script = WRK_SCRIPT % {"body": BODY, "token": token, "mix": str(mix).lower(), "mark": mark}
        return wrk(script, url, connections, seconds)
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench/loadgen.py"), url, str(connections), str(seconds)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
        env=os.environ
        | {"BENCH_TOKEN": token, "BENCH_BODY": BODY, "BENCH_MIX_MARK": PHONE_MARK if mix else ""},
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    return result


def _measure(
    args: argparse.Namespace, env: dict[str, str], name: str, base: str, pid: int, conns: int
) -> Run:
    asyncio.run(_empty_tables(env["BENCH_DSN"]))
    url = f"{base}/v1/complaints"
    if args.warmup > 0:
        _load(args.client, url, conns, args.warmup, env["BENCH_TOKEN"], args.reporters == "mix")
    backends = asyncio.run(_backend_pids(env["BENCH_DSN"]))
    db0, cpu0, (busy0, total0) = (
        _backends_cpu_seconds(backends),
        _process_cpu_seconds(pid),
        _machine_ticks(),
    )
    r = _load(args.client, url, conns, args.seconds, env["BENCH_TOKEN"], args.reporters == "mix")
    db1, cpu1, (busy1, total1) = (
        _backends_cpu_seconds(backends),
        _process_cpu_seconds(pid),
        _machine_ticks(),
    )
    run = Run(
        name,
        conns,
        int(r["requests"]),
        int(r["errors"]),
        r["seconds"],
        r["p50_ms"],
        r["p99_ms"],
        (cpu1 - cpu0) / r["seconds"],
        (db1 - db0) / r["seconds"],
        (busy1 - busy0) / max(1, total1 - total0),
    )
    print(
        f"  {name:<8} c={conns:<4} {run.rps:8.1f} req/s  p50 {run.p50_ms:7.1f} ms  "
        f"p99 {run.p99_ms:7.1f} ms  errors {run.errors}  server cpu {run.server_cpu:.0%} "
        f"({run.cpu_ms:.2f} ms/req)  db cpu {run.db_cpu:.0%} ({run.db_cpu_ms:.2f} ms/req)  "
        f"machine cpu {run.machine_cpu:.0%}",
        file=sys.stderr,
        flush=True,
    )
    return run


def _report(args: argparse.Namespace, runs: list[Run]) -> str:
    load = os.getloadavg()
    lines = [
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()}: "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, load generator "
        f"{args.client}, {args.warmup:g} s warm-up + {args.seconds:g} s measured per row, "
        f"reporters {args.reporters}, rate limits off, "
        f"load average before the run {args.load_before}, after {load[0]:.2f}.",
        "",
        "| app | connections | requests/s | p50 ms | p99 ms | errors | server CPU "
        "| server CPU ms/request | db CPU ms/request | machine CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        lines.append(
            f"| {r.app} | {r.connections} | {r.rps:.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} "
            f"| {r.errors} | {r.server_cpu:.0%} | {r.cpu_ms:.2f} | {r.db_cpu_ms:.2f} "
            f"| {r.machine_cpu:.0%} |"
        )
    lines.append("")
    if any(r.errors for r in runs):
        # A ratio over failed requests measures how fast the service says no.
        lines.append("- **errors seen: no ratio** (every run must answer 2xx only)")
        return "\n".join(lines)
    for conns in args.connections:
        by_app = {r.app: r for r in runs if r.connections == conns}
        if {"service", "bare"} <= by_app.keys():
            ratio = by_app["service"].rps / by_app["bare"].rps
            lines.append(f"- {conns} connections: service / bare = **{ratio:.2f}**")
    return "\n".join(lines)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` cleans up like Ctrl-C does
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=15, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=10, help="uncounted seconds before each")
    parser.add_argument("--connections", default="64,256", help="comma-separated concurrencies")
    parser.add_argument("--only", choices=["service", "bare"], help="measure one app only")
    parser.add_argument(
        "--client", choices=["auto", "wrk", "httpx"], default="auto", help="load generator"
    )
    parser.add_argument(
        "--reporters",
        choices=["mix", "same"],
        default="mix",
        help="a new reporter per request, or one reporter for all (the duplicate search's worst)",
    )
    args = parser.parse_args()
    args.connections = [int(c) for c in args.connections.split(",")]
    if args.client == "auto":
        args.client = "wrk" if shutil.which("wrk") else "httpx"
    if args.seconds > 120 or args.warmup > 120 or max(args.connections) > 1024:
        parser.error("runs are bounded: at most 120 s each and 1024 connections")
    args.load_before = f"{os.getloadavg()[0]:.2f}"

    runs: list[Run] = []
    try:
        with blocking_scratch_database("bench_intake") as url:
            env = asyncio.run(_prepare(url))
            apps = [args.only] if args.only else ["service", "bare"]
            with _servers(env, apps) as servers:
                for conns in args.connections:
                    for app in apps:
                        base, pid = servers[app]
                        runs.append(_measure(args, env, app, base, pid, conns))
    except KeyboardInterrupt:
        print("interrupted; servers stopped", file=sys.stderr)
    if runs:
        print(_report(args, runs))
    if not runs or any(r.errors for r in runs):
        sys.exit(1)


if __name__ == "__main__":
    main()
