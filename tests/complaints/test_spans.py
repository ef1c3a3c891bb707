"""The working-day spans a transition stores equal what the reports worked out per row before
(an index of the calendar subscripted by local dates): in WIB, WITA and WIT, across weekends,
national holidays, cuti bersama and a regional holiday, with pauses, extensions and reopenings
in between (none of which moves a span: a span is between two instants)."""

import random
import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.calendar.workdays import CalendarOverride, WorkCalendar, working_day_index
from app.complaints.spans import SPANS, backfill, span
from app.jurisdictions.service import load_context
from app.kernel.clock import ManualClock
from tests.complaints.support import fetch
from tests.factories import World
from tests.reports.support import MIX_START as START
from tests.reports.support import seeded_mix


def _old_formula(cal: WorkCalendar, first: date, start: datetime, end: datetime) -> int:
    index = working_day_index(cal, first, first + timedelta(days=120))
    position = {t: (cal.local_date(t) - first).days for t in (start, end)}
    return index[position[end]] - index[position[start]]


def test_a_span_counts_local_days_as_the_index_did_in_every_time_zone() -> None:
    rng = random.Random(23)
    regional = [CalendarOverride(date(2026, 12, 21), "holiday", "Hari Jadi")]
    for zone in ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"):
        cal = WorkCalendar(zone, regional)
        for _ in range(300):
            start = START + timedelta(minutes=rng.randrange(0, 30 * 24 * 60))
            end = start + timedelta(minutes=rng.randrange(0, 40 * 24 * 60))
            assert span(cal, start, end) == _old_formula(cal, date(2026, 12, 1), start, end)
    # 23:30 WITA on Friday 18th is 15:30 UTC: that local Friday, not the next UTC Saturday...
    wita = WorkCalendar("Asia/Makassar")
    friday_night = datetime(2026, 12, 18, 15, 30, tzinfo=UTC)
    assert span(wita, friday_night, datetime(2026, 12, 21, 1, tzinfo=UTC)) == 1  # Monday 21st
    # ... while in WIT (UTC+9) the same instant is already Saturday 00:30.
    wit = WorkCalendar("Asia/Jayapura")
    assert span(wit, friday_night, datetime(2026, 12, 21, 1, tzinfo=UTC)) == 1
    assert span(wit, datetime(2026, 12, 18, 14, 30, tzinfo=UTC), friday_night) == 0
    assert span(wita, None, friday_night) is None
    assert span(wita, friday_night, None) is None


async def _stored(engine: AsyncEngine, ids: list[str]) -> dict[str, tuple[int | None, ...]]:
    rows = await fetch(
        engine,
        f"SELECT id, {', '.join(SPANS)} FROM complaints WHERE id = ANY(:ids)",  # noqa: S608
        ids=[uuid.UUID(i) for i in ids],
    )
    return {str(r["id"]): tuple(r[c] for c in SPANS) for r in rows}


async def _worked_out_again(engine: AsyncEngine, world: World) -> None:
    """Forget the stored spans and work them out with the backfill's SQL (the old formula)."""
    async with engine.begin() as conn:
        nothing = ", ".join(f"{c} = NULL" for c in SPANS)
        await conn.execute(text(f"UPDATE complaints SET {nothing}"))  # noqa: S608
        for j in (world.jurisdiction_id, world.other_jurisdiction_id):
            ctx = await load_context(AsyncSession(bind=conn), j)
            await conn.run_sync(backfill, j, ctx.calendar)


async def test_stored_spans_equal_the_reports_old_formula_across_a_seeded_mix(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, clock: ManualClock
) -> None:
    ids = await seeded_mix(client, world, clock, random.Random(12), 12)
    stored = await _stored(engine, ids)
    assert all(s[0] is not None for s in stored.values())  # every one verified
    assert any(s[1] is None for s in stored.values())
    assert any(s[2] is None for s in stored.values())
    assert max(max(x or 0 for x in s) for s in stored.values()) > 3  # holidays crossed
    await _worked_out_again(engine, world)
    assert await _stored(engine, ids) == stored
