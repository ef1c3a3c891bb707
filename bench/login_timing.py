"""Login timing: an unknown username, a wrong password and a locked account cost the same.

    .venv/bin/python bench/login_timing.py [--rounds 40]

Creates a scratch database on BENCH_DATABASE_URL (default: the local PostgreSQL), migrates it,
makes one user, then times `accounts.service.login` (the lookup, the argon2 work, the lockout
rule) for each case, interleaved so a slow moment hits all three alike. Each attempt runs in a
transaction that is rolled back, so wrong passwords never add up to a lock; the locked case has
its lock committed once. The route adds the same fixed delay to every failure on top of this.
Prints medians and spreads; the scratch database is dropped at the end, also on an error.
"""

import argparse
import asyncio
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: `app` is the checkout's

from app.accounts import service as accounts  # noqa: E402
from app.accounts.models import User  # noqa: E402
from app.jurisdictions.service import create_jurisdiction  # noqa: E402
from app.kernel.db import make_engine, make_sessionmaker  # noqa: E402
from bench.scratch import blocking_scratch_database  # noqa: E402

PASSWORD = "a-long-enough-password"  # noqa: S105 - a scratch user


async def _measure(url: str, rounds: int) -> dict[str, list[float]]:
    engine = make_engine(url, pool_size=2, max_overflow=0)
    sessions = make_sessionmaker(engine)
    try:
        async with sessions() as s, s.begin():
            jur = await create_jurisdiction(s, "99.99", "Bench", "Asia/Jakarta")
            for name in ("open.user", "locked.user"):
                await accounts.create_user(s, jur.id, name, PASSWORD, "admin")
        async with sessions() as s, s.begin():
            await s.execute(
                update(User)
                .where(User.username == "locked.user")
                .values(locked_until=datetime.now(UTC) + timedelta(days=1))
            )
        cases = {
            "unknown username": ("nobody.here", PASSWORD),
            "wrong password": ("open.user", "not-the-password"),
            "locked, right password": ("locked.user", PASSWORD),
        }
        times: dict[str, list[float]] = {case: [] for case in cases}
        for _ in range(rounds):
            for case, (username, password) in cases.items():
                async with sessions() as s:
                    await s.begin()
                    start = time.perf_counter()
                    user = await accounts.login(s, username, password, datetime.now(UTC))
                    times[case].append(time.perf_counter() - start)
                    await s.rollback()
                assert user is None, case
        return times
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    with blocking_scratch_database("lapor_bench_login") as url:
        times = asyncio.run(_measure(url, args.rounds))
    print(f"| case ({args.rounds} rounds) | median ms | p10 ms | p90 ms |")
    print("|---|---|---|---|")
    for case, values in times.items():
        deciles = statistics.quantiles(values, n=10)
        ms = [statistics.median(values) * 1000, deciles[0] * 1000, deciles[-1] * 1000]
        print(f"| {case} | " + " | ".join(f"{v:.1f}" for v in ms) + " |")


if __name__ == "__main__":
    main()
