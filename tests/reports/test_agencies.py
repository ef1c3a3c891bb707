"""Per agency: on-time against due_at as pauses and extensions move it, overdue now, working
days, transfers in and out, and a liaison sees their own agency only."""

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.complaints.support import ok
from tests.factories import World
from tests.reports.support import NOVEMBER, bring_to, counter, report, set_times


def _wib(day: int) -> datetime:
    """09:00 WIB on `day` November 2026."""
    return datetime(2026, 11, day, 2, 0, tzinfo=UTC)


async def test_on_time_overdue_working_days_and_transfers_per_agency(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    yesterday = datetime.now(UTC) - timedelta(days=1)
    cids = {}
    for name in ("on_time", "late", "extended", "overdue", "paused", "moved"):
        cids[name] = await counter(client, world)
        await bring_to(client, world, cids[name], "dispatched")
    await ok(client, world, "liaison", cids["on_time"], "acknowledge")
    await ok(client, world, "liaison", cids["on_time"], "responses", {"message": "Sudah."})
    await set_times(engine, cids["late"], due_at=yesterday)
    await ok(client, world, "liaison", cids["late"], "responses", {"message": "Sudah."})
    # An extension moves the deadline that had passed: answered after the old one, on time.
    await set_times(engine, cids["extended"], due_at=yesterday)
    await ok(
        client,
        world,
        "admin",
        cids["extended"],
        "extend",
        {"working_days": 5, "reason": "Menunggu anggaran perubahan."},
    )
    await ok(client, world, "liaison", cids["extended"], "responses", {"message": "Sudah."})
    await set_times(engine, cids["overdue"], due_at=yesterday)
    # Waiting on the reporter: paused for two weeks, its passed deadline is not overdue ...
    await ok(client, world, "liaison", cids["paused"], "request-info", {"message": "Dusun?"})
    await set_times(
        engine, cids["paused"], due_at=yesterday, paused_at=datetime.now(UTC) - timedelta(days=14)
    )
    await ok(
        client,
        world,
        "admin",
        cids["moved"],
        "transfer",
        {"agency_id": str(world.agencies["DINSOS"]), "reason": "Bansos, bukan jalan."},
    )

    rows = {r["name"]: r for r in (await report(client, world, "agencies", **NOVEMBER))["rows"]}
    dpupr = rows["Dinas Pekerjaan Umum dan Penataan Ruang"]
    assert (dpupr["received"], dpupr["overdue_now"], dpupr["waiting_for_information"]) == (5, 1, 1)

    # ... and once the information comes, the paused working days are given back.
    await ok(client, world, "operator", cids["paused"], "info", {"text": "Dusun Krajan."})
    await ok(client, world, "liaison", cids["paused"], "responses", {"message": "Sudah."})
    # Verified Tue 3rd to Mon 9th: 1, 2, 3, 4 and 5 working days after Mon 2nd.
    days = {"on_time": 3, "late": 4, "extended": 5, "overdue": 6, "paused": 9}
    for name, day in days.items():
        await set_times(engine, cids[name], verified_at=_wib(day))
    await set_times(engine, cids["on_time"], acknowledged_at=_wib(9))  # 4 days after the 3rd

    body = await report(client, world, "agencies", **NOVEMBER)
    rows = {r["name"]: r for r in body["rows"]}
    dpupr = rows["Dinas Pekerjaan Umum dan Penataan Ruang"]
    assert (dpupr["on_time"], dpupr["late"], dpupr["on_time_percent"]) == (3, 2, 60.0)
    assert (dpupr["overdue_now"], dpupr["responded"], dpupr["in_process"]) == (1, 4, 1)
    assert dpupr["working_days"]["verify"] == {"median": 3.0, "p90": 4.6}
    assert dpupr["working_days"]["acknowledge"] == {"median": 4.0, "p90": 4.0}
    assert (dpupr["transfers_out"], dpupr["transfers_in"]) == (1, 0)
    dinsos = rows["Dinas Sosial"]
    assert (dinsos["received"], dinsos["transfers_in"], dinsos["transfers_out"]) == (1, 1, 0)
    assert dinsos["transfers"] == 1
    assert dinsos["key"] == str(world.agencies["DINSOS"])

    mine = await report(client, world, "agencies", who="liaison", **NOVEMBER)
    assert [r["key"] for r in mine["rows"]] == [str(world.agencies["DPUPR"])]
    assert mine["rows"][0]["received"] == 5
    other = await report(client, world, "summary", who="liaison_other", **NOVEMBER)
    assert other["totals"]["received"] == 0
    filtered = await report(
        client, world, "summary", agency_id=str(world.agencies["DINSOS"]), **NOVEMBER
    )
    assert filtered["totals"]["received"] == 1


async def test_satisfaction_and_reopening_per_agency(
    client: httpx.AsyncClient, world: World
) -> None:
    happy = await counter(client, world)
    await bring_to(client, world, happy, "responded")
    await ok(
        client,
        world,
        "operator",
        happy,
        "feedback",
        {"rating": 4, "satisfied": True, "comment": "Terima kasih."},
    )
    unhappy = await counter(client, world)
    await bring_to(client, world, unhappy, "responded")
    await ok(client, world, "operator", unhappy, "feedback", {"rating": 1, "satisfied": False})

    [row] = (await report(client, world, "satisfaction", **NOVEMBER))["rows"]
    assert (row["feedback"], row["mean_rating"], row["satisfied_percent"]) == (2, 2.5, 50.0)
    assert row["ratings"] == {"1": 1, "2": 0, "3": 0, "4": 1, "5": 0}
    assert (row["comments"], row["reopened"]) == (1, 1)
    t = (await report(client, world, "summary", **NOVEMBER))["totals"]
    assert (t["reopened"], t["settled"], t["in_process"]) == (1, 1, 1)
