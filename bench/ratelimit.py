"""Rate-limit benchmark: what one request's limit check costs, in process and through Redis.

    .venv/bin/python bench/ratelimit.py [--requests 5000] [--storage redis://127.0.0.1:6379/0]

Runs the door's own check (app/kernel/ratelimit.py, the caller and the address limit both on,
limits high enough that every request passes) `--requests` times, one after another, first with
the per-process buckets, then with the shared Redis store, and prints microseconds per request.
"""

import argparse
import asyncio
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `app` is the checkout's

from app.kernel.ratelimit import build_rate_limiter


async def per_request_us(storage: str | None, requests: int) -> float:
    high = (1e9, 10**9)  # never refuses: the figure is the cost of counting
    limiter = build_rate_limiter(storage, caller=high, address=high, on_storage_error=_failed)
    scope = {"path": "/v1/complaints", "client": ("10.0.0.1", 40000)}
    headers = {b"authorization": f"Bearer bench-{uuid.uuid4().hex}".encode()}
    await limiter.check(scope, headers)  # the first call connects
    started = time.perf_counter()
    for _ in range(requests):
        assert await limiter.check(scope, headers) is None
    return (time.perf_counter() - started) / requests * 1e6


def _failed() -> None:
    sys.exit("the shared store failed: is Redis running at --storage?")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--storage", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    for name, storage in (("in process", None), ("shared (Redis)", args.storage)):
        figure = asyncio.run(per_request_us(storage, args.requests))
        print(f"{name:>15}: {figure:8.1f} us per request (caller and address limits)")


if __name__ == "__main__":
    main()
