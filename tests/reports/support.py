"""Complaints in known states for the report tests, built through the public API; times are
moved by updating rows, as the other tests do until the shared clock lands."""

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.complaints.spans import backfill
from app.jurisdictions.service import load_context
from app.kernel.clock import ManualClock
from tests.complaints.support import create, ok
from tests.factories import World

# Monday 2 November 2026, 10:00 WIB: inside the reports' November period in Ngawi.
RECEIVED = "2026-11-02T10:00:00+07:00"
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}


async def counter(
    client: httpx.AsyncClient, world: World, received_at: str = RECEIVED, **fields: Any
) -> str:
    """A walk-in complaint taken by the operator, received at `received_at`."""
    body = {
        "channel": "counter",
        "counter_kind": "walk_in",
        "text": "Jalan di Desa Beran berlubang besar, sudah dua bulan belum diperbaiki.",
        "received_at": received_at,
        "location": {"region_code": "35.21.01.2001"},
    } | fields
    response = await client.post("/v1/complaints", json=body, headers=world.h("operator"))
    assert response.status_code == 201, response.text
    cid: str = response.json()["id"]
    return cid


async def bring_to(
    client: httpx.AsyncClient,
    world: World,
    cid: str,
    state: str,
    agency: str = "DPUPR",
    resolution: dict[str, Any] | None = None,
) -> None:
    """Move a received complaint to `state` the way the callers do."""
    if state == "received":
        return
    if state == "archived":
        await ok(client, world, "admin", cid, "archive", {"reason": "unclear"})
        return
    if state == "needs_info":
        await ok(client, world, "admin", cid, "request-info", {"message": "Desa mana?"})
        return
    await ok(
        client,
        world,
        "admin",
        cid,
        "verify",
        {"type": "non_field", "agency_id": str(world.agencies[agency])},
    )
    if state == "dispatched":
        return
    liaison = "liaison" if agency == "DPUPR" else "admin"
    if liaison == "liaison":
        await ok(client, world, liaison, cid, "acknowledge")
    await ok(
        client,
        world,
        "admin",
        cid,
        "responses",
        {"message": "Sudah ditangani."} | (resolution or {}),
    )
    if state == "responded":
        return
    assert state == "closed", state
    await ok(client, world, "operator", cid, "feedback", {"rating": 5, "satisfied": True})


async def set_times(engine: AsyncEngine, cid: str, **times: datetime | None) -> None:
    """Put a complaint's instants where a test needs them (column names are the test's own),
    and its stored working-day spans with them, worked out as the migration's backfill does."""
    assignments = ", ".join(f"{column} = :{column}" for column in times)
    async with engine.begin() as conn:
        j = await conn.scalar(
            text(f"UPDATE complaints SET {assignments} WHERE id = :id RETURNING jurisdiction_id"),  # noqa: S608
            {"id": cid, **times},
        )
        ctx = await load_context(AsyncSession(bind=conn), j)
        await conn.run_sync(backfill, j, ctx.calendar, uuid.UUID(cid))


async def report(
    client: httpx.AsyncClient, world: World, path: str, who: str = "admin", **params: str
) -> dict[str, Any]:
    response = await client.get(f"/v1/reports/{path}", params=params, headers=world.h(who))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# Christmas 2026 (Friday 25th) and its cuti bersama (Thursday 24th) in the middle.
MIX_START = datetime(2026, 12, 14, 1, 0, tzinfo=UTC)


async def seeded_mix(
    client: httpx.AsyncClient, world: World, clock: ManualClock, rng: random.Random, count: int
) -> list[str]:
    """`count` complaints in Ngawi (WIB) and Kupang (WITA) taken through the lifecycle by the
    public API with the clock moved a random few hours to days between steps (across local
    midnights, weekends, Christmas, its cuti bersama and a regional day off): paused before
    and after verification, extended, acknowledged or not, answered, reopened and answered
    again, closed with a rating. Returns their ids."""
    clock.set(MIX_START)
    for who in ("admin", "admin_kupang"):  # a regional day off in each jurisdiction
        response = await client.put(
            "/v1/calendar/overrides/2026-12-21",
            json={"date": "2026-12-21", "kind": "holiday", "name": "Hari Jadi"},
            headers=world.h(who),
        )
        assert response.status_code == 200, response.text

    def later() -> None:  # a few hours to a few days, so local midnights and weekends fall in
        clock.advance(timedelta(minutes=rng.randrange(30, 5 * 24 * 60)))

    ids = []
    for n in range(count):
        kupang = n % 3 == 2
        admin = "admin_kupang" if kupang else "admin"
        c = await create(
            client, world, who="citizen_app_kupang" if kupang else "citizen_app", location=None
        )
        ids.append(cid := c["id"])
        later()
        if n % 4 == 3:
            await ok(client, world, admin, cid, "request-info", {"message": "Di mana?"})
            later()
            reporter = "citizen_app_kupang" if kupang else "citizen_app"
            await ok(client, world, reporter, cid, "info", {"text": "Jalan Merdeka."})
            later()
        agency = "KUPANG-PU" if kupang else rng.choice(["DPUPR", "DPUPR", "DLH"])
        kind = rng.choice(["information", "non_field", "field_inspection"])
        verify = {"type": kind, "agency_id": str(world.agencies[agency])}
        await ok(client, world, admin, cid, "verify", verify)
        if n % 5 == 4:
            later()
            await ok(
                client, world, admin, cid, "extend", {"working_days": 3, "reason": "Anggaran."}
            )
        if agency == "DPUPR" and n % 6 != 5:  # its liaison takes it up
            later()
            await ok(client, world, "liaison", cid, "acknowledge")
            if n % 4 == 1:  # paused after verification: the clock stops, the span does not
                later()
                await ok(client, world, "liaison", cid, "request-info", {"message": "Foto?"})
                later()
                await ok(client, world, "citizen_app", cid, "info", {"text": "Terlampir."})
        if n % 6 != 0:
            later()
            await ok(client, world, admin, cid, "responses", {"message": "Sudah ditangani."})
            if n % 3 == 1:  # reopened and answered again: the span runs to the latest answer
                reporter = "citizen_app_kupang" if kupang else "citizen_app"
                await ok(
                    client, world, reporter, cid, "feedback", {"rating": 2, "satisfied": False}
                )
                later()
                await ok(client, world, admin, cid, "responses", {"message": "Sudah diperbaiki."})
        if n % 6 != 0 and rng.random() < 0.5:  # answered (again): closed with a rating
            reporter = "citizen_app_kupang" if kupang else "citizen_app"
            rating = {"rating": rng.randint(1, 5), "satisfied": True}
            await ok(client, world, reporter, cid, "feedback", rating)
        clock.set(MIX_START + timedelta(hours=rng.randrange(0, 72)))
    return ids
