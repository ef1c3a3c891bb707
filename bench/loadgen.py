"""Fallback load generator (bench/intake.py prefers wrk): httpx, N connections, for S seconds.

`python bench/loadgen.py <url> <connections> <seconds>` with BENCH_TOKEN and BENCH_BODY set
(POSTs the body), or with BENCH_PATHS instead (GETs, in turn, each of those whitespace-separated
paths appended to <url>); prints one JSON line: requests, errors (non-2xx or failed), seconds,
p50_ms, p99_ms. Every connection keeps one request in flight, so the server sees exactly N
concurrent requests. Stops by itself.
"""

import asyncio
import json
import os
import sys
import time

import httpx


async def main(url: str, connections: int, seconds: float) -> dict[str, float]:
    headers = {
        "Authorization": f"Bearer {os.environ['BENCH_TOKEN']}",
        "Content-Type": "application/json",
    }
    paths = os.environ.get("BENCH_PATHS", "").split()
    body = "" if paths else os.environ["BENCH_BODY"]
    # Set: each request replaces it with a phone of its own, so each comes from a new reporter.
    mark = os.environ.get("BENCH_MIX_MARK", "")
    sent = 0
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    started = time.perf_counter()
    deadline = started + seconds

    async def one_connection(client: httpx.AsyncClient) -> None:
        nonlocal errors, sent
        while time.perf_counter() < deadline:
            sent += 1
            content = body.replace(mark, f"08{os.getpid():06d}{sent:06d}") if mark else body
            t0 = time.perf_counter()
            try:
                if paths:
                    response = await client.get(url + paths[sent % len(paths)], headers=headers)
                else:
                    response = await client.post(url, content=content.encode(), headers=headers)
                if not 200 <= response.status_code < 300:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append(time.perf_counter() - t0)

    async with httpx.AsyncClient(limits=limits, timeout=30.0) as client:
        await asyncio.gather(*(one_connection(client) for _ in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    n = len(latencies)
    return {
        "requests": n,
        "errors": errors,
        "seconds": elapsed,
        "p50_ms": latencies[n // 2] * 1000 if n else 0.0,
        "p99_ms": latencies[min(n - 1, int(n * 0.99))] * 1000 if n else 0.0,
    }


if __name__ == "__main__":
    result = asyncio.run(main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3])))
    print(json.dumps(result))
