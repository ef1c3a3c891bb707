"""A report counts in the jurisdiction's own time zone: Kota Kupang is WITA (UTC+8)."""

from datetime import datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.complaints.support import create, ok
from tests.factories import World
from tests.reports.support import NOVEMBER, report, set_times


async def _kupang(client: httpx.AsyncClient, world: World, engine: AsyncEngine, at: str) -> str:
    c = await create(client, world, who="citizen_app_kupang", location=None)
    await set_times(engine, c["id"], received_at=datetime.fromisoformat(at))
    return str(c["id"])


async def test_local_days_decide_the_period_the_week_and_the_working_days(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    await _kupang(client, world, engine, "2026-10-31T23:30:00+08:00")  # October, locally
    await _kupang(client, world, engine, "2026-11-01T00:30:00+08:00")  # 31 Oct in UTC
    # Monday 07:30 WITA is Sunday 23:30 UTC; verified the same Monday at 23:30 WITA.
    monday = await _kupang(client, world, engine, "2026-11-02T07:30:00+08:00")
    await ok(client, world, "admin_kupang", monday, "verify", {"type": "information"})
    await set_times(engine, monday, verified_at=datetime.fromisoformat("2026-11-02T23:30+08:00"))

    november = await report(client, world, "summary", who="admin_kupang", **NOVEMBER)
    assert november["period"]["timezone"] == "Asia/Makassar"
    assert november["totals"]["received"] == 2
    assert november["totals"]["working_days"]["verify"] == {"median": 0.0, "p90": 0.0}
    october = await report(
        client, world, "summary", who="admin_kupang", **{"from": "2026-10-01", "to": "2026-10-31"}
    )
    assert october["totals"]["received"] == 1
    weeks = await report(
        client,
        world,
        "trend",
        who="admin_kupang",
        interval="week",
        **{"from": "2026-10-26", "to": "2026-11-08"},
    )
    assert [(r["key"], r["received"]) for r in weeks["rows"]] == [
        ("2026-10-26", 2),  # Saturday 31st and Sunday 1st, local
        ("2026-11-02", 1),
    ]
    # Ngawi's admin sees none of Kupang's complaints.
    assert (await report(client, world, "summary", **NOVEMBER))["totals"]["received"] == 0


async def test_the_default_period_is_the_current_local_month(
    client: httpx.AsyncClient, world: World
) -> None:
    await create(client, world)
    body = await report(client, world, "summary")
    assert body["period"]["from"].endswith("-01")
    assert body["totals"]["received"] == 1
