"""Small helpers the complaint tests share: create a complaint, act on it, read the database."""

import asyncio
import contextlib
import socket
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import uvicorn
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.calendar.workdays import WorkCalendar
from app.kernel.config import Settings
from app.main import create_app
from tests.factories import World

NGAWI = WorkCalendar("Asia/Jakarta")

BASE: dict[str, Any] = {
    "channel": "mobile_app",
    "text": "Jalan di Desa Beran berlubang besar, sudah dua bulan belum diperbaiki.",
    "title": "Jalan berlubang",
    "location": {"region_code": "35.21.01.2001", "address": "Jl. Raya Beran"},
}


async def create(
    client: httpx.AsyncClient, world: World, who: str = "citizen_app", **fields: Any
) -> dict[str, Any]:
    """POST a valid complaint (BASE with `fields` on top); asserts 201 and returns the body."""
    response = await client.post("/v1/complaints", json=BASE | fields, headers=world.h(who))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def act(
    client: httpx.AsyncClient,
    world: World,
    who: str,
    cid: str,
    action: str,
    body: dict[str, Any] | None = None,
) -> httpx.Response:
    return await client.post(f"/v1/complaints/{cid}/{action}", json=body, headers=world.h(who))


async def ok(
    client: httpx.AsyncClient,
    world: World,
    who: str,
    cid: str,
    action: str,
    body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    response = await act(client, world, who, cid, action, body)
    assert response.status_code == 200, response.text
    out: dict[str, Any] = response.json()
    return out


async def dispatched(
    client: httpx.AsyncClient, world: World, agency: str = "DPUPR", type: str = "non_field"
) -> dict[str, Any]:
    """A new complaint, verified and sent to `agency`."""
    c = await create(client, world)
    await ok(
        client,
        world,
        "admin",
        c["id"],
        "verify",
        {"type": type, "agency_id": str(world.agencies[agency])},
    )
    return c


async def in_status(client: httpx.AsyncClient, world: World, status: str) -> dict[str, Any]:
    """A complaint brought to `status` through the API by the right callers."""
    if status == "received":
        return await create(client, world)
    if status in {"needs_info", "archived"}:
        c = await create(client, world)
        if status == "needs_info":
            await ok(client, world, "admin", c["id"], "request-info", {"message": "Lokasi?"})
        else:
            await ok(client, world, "admin", c["id"], "archive", {"reason": "unclear"})
        return c
    if status == "verified":
        c = await create(client, world)
        await ok(client, world, "admin", c["id"], "verify", {"type": "non_field"})
        return c
    c = await dispatched(client, world)
    if status == "dispatched":
        return c
    await ok(client, world, "liaison", c["id"], "acknowledge")
    if status == "in_progress":
        return c
    await ok(client, world, "liaison", c["id"], "responses", {"message": "Sudah diperbaiki."})
    if status == "responded":
        return c
    assert status == "closed"
    await ok(client, world, "citizen_app", c["id"], "feedback", {"rating": 5, "satisfied": True})
    return c


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The contract's error shape with this status (and code); returns the `error` object."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    assert set(error) == {"code", "message", "details"}, error
    assert isinstance(error["message"], str)
    assert error["message"]
    if code is not None:
        assert error["code"] == code, error
    return error


def fields_named(error: dict[str, Any]) -> set[str]:
    return {d["field"] for d in error["details"]}


async def fetch(engine: AsyncEngine, sql: str, **params: Any) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        rows = await conn.execute(text(sql), params)
        return [dict(r) for r in rows.mappings()]


async def execute(engine: AsyncEngine, sql: str, **params: Any) -> None:
    async with engine.begin() as conn:
        await conn.execute(text(sql), params)


async def complaint_row(engine: AsyncEngine, cid: str | uuid.UUID) -> dict[str, Any]:
    rows = await fetch(engine, "SELECT * FROM complaints WHERE id = :id", id=uuid.UUID(str(cid)))
    assert len(rows) == 1
    return rows[0]


@contextlib.asynccontextmanager
async def live_server(settings: Settings) -> AsyncIterator[str]:
    """A real uvicorn server on 127.0.0.1 (random port) in this event loop; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(settings), log_config=None, lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        for _ in range(500):
            if server.started:
                break
            await asyncio.sleep(0.01)
        assert server.started, "the test server did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()
