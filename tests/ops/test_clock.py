"""Time is passed in: nothing under app/ reads the system clock except the clock itself."""

import re
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.kernel.clock import ManualClock, SystemClock
from app.kernel.config import Settings
from app.main import create_app
from tests.factories import World

APP = Path(__file__).resolve().parents[2] / "app"

# Any read of the machine's time that bypasses a Clock.
SYSTEM_TIME = re.compile(r"\bdatetime\.(now|utcnow|today)\(|\bdate\.today\(|\btime\.time\(")

# Each with its reason. An entry that no longer reads the time fails the test, so the list
# only shrinks.
ALLOWED = {
    "kernel/clock.py": "SystemClock is the one reader; ManualClock starts from it by default",
    "hub/simulator.py": "a stand-in for the national hub, another system with its own clock",
    # The second and third job engines, deleted by the engine rewrite (issue 11, part 1); their
    # work then runs on the one engine and takes its time from the engine's clock.
}


def _readers() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(APP.rglob("*.py")):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if SYSTEM_TIME.search(line):
                found.setdefault(path.relative_to(APP).as_posix(), []).append(f"{n}: {line}")
    return found


def test_only_the_clock_reads_the_system_time() -> None:
    readers = _readers()
    assert {f: lines for f, lines in readers.items() if f not in ALLOWED} == {}
    assert sorted(set(ALLOWED) - set(readers)) == []  # stale entries are removed, not kept
    assert len(list(APP.rglob("*.py"))) > 50  # the walk found the app


def test_the_pattern_catches_each_way_of_reading_the_time() -> None:
    for line in ("x = datetime.now(UTC)", "datetime.utcnow()", "date.today()", "time.time()"):
        assert SYSTEM_TIME.search(line), line
    for line in ("clock.now()", "time.monotonic()", "self._now = start", "func.now()"):
        assert not SYSTEM_TIME.search(line), line


def test_manual_clock_stands_still_until_moved() -> None:
    start = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    clock = ManualClock(start)
    assert clock.now() == clock.now() == start
    assert clock.advance(timedelta(days=2)) == start + timedelta(days=2) == clock.now()
    wib = timezone(timedelta(hours=7))
    clock.set(datetime(2026, 3, 5, 8, 0, tzinfo=wib))
    assert clock.now() == datetime(2026, 3, 5, 1, 0, tzinfo=UTC)
    assert clock.now().tzinfo is UTC
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.set(datetime(2026, 3, 5, 8, 0))


def test_system_clock_is_aware_utc_and_moves() -> None:
    first = SystemClock().now()
    assert first.tzinfo is UTC
    assert SystemClock().now() >= first


class TickingClock(ManualClock):
    """Moves a millisecond at every read, and counts the reads: two reads cannot agree."""

    reads = 0

    def now(self) -> datetime:
        self.reads += 1
        return self.advance(timedelta(milliseconds=1))


async def test_a_request_reads_the_app_clock_once(
    settings: Settings, engine: AsyncEngine, world: World
) -> None:
    clock = TickingClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    app = create_app(settings, clock=clock)
    body = {"channel": "web", "text": "Lampu jalan di Jl. Merdeka mati sejak kemarin malam."}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        created = await client.post("/v1/complaints", json=body, headers=world.h("operator"))
        assert created.status_code == 201, created.text
        assert clock.reads == 1
        cid = created.json()["id"]
        shown = (await client.get(f"/v1/complaints/{cid}", headers=world.h("admin"))).json()
        events = await client.get(f"/v1/complaints/{cid}/events", headers=world.h("admin"))
    # The intake's one instant: its received time, its first event and that event's outbox row.
    assert shown["received_at"] == "2026-03-02T02:00:00.001000Z"
    assert [e["occurred_at"] for e in events.json()["items"]] == [shown["received_at"]]
    async with engine.connect() as conn:
        due = await conn.scalar(
            text("SELECT available_at FROM outbox_messages WHERE complaint_id = :c AND seq = 1"),
            {"c": uuid.UUID(cid)},
        )
    assert due == datetime.fromisoformat(shown["received_at"])
