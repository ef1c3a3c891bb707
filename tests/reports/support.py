"""Complaints in known states for the report tests, built through the public API; times are
moved by updating rows, as the other tests do until the shared clock lands."""

import uuid
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.complaints.spans import backfill
from app.jurisdictions.service import load_context
from tests.complaints.support import ok
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
