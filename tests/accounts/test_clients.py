"""Machine clients and their keys over /v1/clients: shown once, rotated, revoked, expired."""

from datetime import datetime, timedelta

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.kernel.clock import ManualClock
from tests.factories import World


async def _works(client: httpx.AsyncClient, key: str) -> int:
    answer = await client.get("/v1/complaints", headers={"Authorization": f"Bearer {key}"})
    return answer.status_code


async def test_key_lifecycle_create_rotate_revoke(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    admin = world.h("admin")
    created = await client.post(
        "/v1/clients", json={"name": "Aplikasi Warga", "role": "citizen_app"}, headers=admin
    )
    assert created.status_code == 201, created.text
    body = created.json()
    first_key, client_id = body["key"], body["id"]
    assert first_key.startswith("lpk_")
    assert len(first_key.split("_", 2)[2]) >= 43  # 32 random bytes, base64url
    assert await _works(client, first_key) == 200

    listed = await client.get("/v1/clients", headers=admin)
    mine = next(c for c in listed.json()["items"] if c["id"] == client_id)
    assert first_key not in listed.text  # shown once, never again
    assert mine["keys"][0]["prefix"] == body["keys"][0]["prefix"]
    assert mine["keys"][0]["last_used_at"] is not None

    rotated = await client.post(f"/v1/clients/{client_id}/keys", headers=admin)
    assert rotated.status_code == 201
    second_key = rotated.json()["key"]
    assert await _works(client, first_key) == 200
    assert await _works(client, second_key) == 200
    third = await client.post(f"/v1/clients/{client_id}/keys", headers=admin)
    assert third.status_code == 409
    assert third.json()["error"]["code"] == "too_many_live_keys"

    old_prefix = body["keys"][0]["prefix"]
    revoked = await client.post(f"/v1/clients/{client_id}/keys/{old_prefix}/revoke", headers=admin)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_at"] is not None
    refused = await client.get("/v1/complaints", headers={"Authorization": f"Bearer {first_key}"})
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "invalid_api_key"
    assert await _works(client, second_key) == 200
    again = await client.post(f"/v1/clients/{client_id}/keys/{old_prefix}/revoke", headers=admin)
    assert again.status_code == 404

    async with engine.connect() as conn:
        stored = (await conn.execute(text("SELECT secret_hash FROM api_keys"))).scalars().all()
    assert not any(h in (first_key, second_key) for h in stored)
    assert all(len(h) == 64 for h in stored)


async def _expires_in(engine: AsyncEngine, client_id: object, at: datetime) -> None:
    """Give the client's key an expiry (no route sets one)."""
    async with engine.begin() as conn:
        await conn.execute(
            text("UPDATE api_keys SET expires_at = :at WHERE client_id = :c"),
            {"at": at, "c": client_id},
        )


async def test_expired_key_is_refused(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, clock: ManualClock
) -> None:
    await _expires_in(engine, world.ids["hub"], clock.now() + timedelta(days=30))
    clock.advance(timedelta(days=30, seconds=1))
    assert await _works(client, world.tokens["hub"]) == 401


async def test_a_cached_key_stops_working_when_it_expires(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, clock: ManualClock
) -> None:
    await _expires_in(engine, world.ids["hub"], clock.now() + timedelta(seconds=1))
    assert await _works(client, world.tokens["hub"]) == 200  # now verified and cached
    clock.advance(timedelta(seconds=1))
    assert await _works(client, world.tokens["hub"]) == 401  # not served from the cache


async def test_clients_of_another_jurisdiction_are_not_found(
    client: httpx.AsyncClient, world: World
) -> None:
    other = world.ids["citizen_app_kupang"]
    rotate = await client.post(f"/v1/clients/{other}/keys", headers=world.h("admin"))
    assert rotate.status_code == 404
    listed = await client.get("/v1/clients", headers=world.h("admin"))
    assert str(other) not in listed.text


async def test_agency_system_needs_an_agency_of_this_jurisdiction(
    client: httpx.AsyncClient, world: World
) -> None:
    admin = world.h("admin")
    body = {"name": "Sistem PU", "role": "agency_system"}
    assert (await client.post("/v1/clients", json=body, headers=admin)).status_code == 422
    foreign = {**body, "agency_id": str(world.agencies["KUPANG-PU"])}
    answer = await client.post("/v1/clients", json=foreign, headers=admin)
    assert answer.status_code == 422
    assert answer.json()["error"]["details"][0]["field"] == "agency_id"
    own = {**body, "agency_id": str(world.agencies["DPUPR"])}
    assert (await client.post("/v1/clients", json=own, headers=admin)).status_code == 201
    person = {"name": "X", "role": "admin"}
    assert (await client.post("/v1/clients", json=person, headers=admin)).status_code == 422
