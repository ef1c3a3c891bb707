"""Idempotency-Key on intake: replay, reuse with another body, and retries racing each other."""

import asyncio

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from app.kernel.config import Settings
from tests.complaints.support import BASE, assert_error, fetch, live_server
from tests.factories import World


async def test_same_key_and_body_replays_the_first_answer(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    headers = world.h("citizen_app") | {"Idempotency-Key": "k-1"}
    first = await client.post("/v1/complaints", json=BASE, headers=headers)
    second = await client.post("/v1/complaints", json=BASE, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert len(await fetch(engine, "SELECT id FROM complaints")) == 1


async def test_same_key_with_another_body_gets_422(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    headers = world.h("citizen_app") | {"Idempotency-Key": "k-2"}
    await client.post("/v1/complaints", json=BASE, headers=headers)
    other = await client.post("/v1/complaints", json=BASE | {"text": "lain"}, headers=headers)
    error = assert_error(other, 422, "idempotency_key_reused")
    assert error["details"][0]["field"] == "Idempotency-Key"
    assert len(await fetch(engine, "SELECT id FROM complaints")) == 1


async def test_same_key_from_another_caller_is_another_request(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    key = {"Idempotency-Key": "shared"}
    a = await client.post("/v1/complaints", json=BASE, headers=world.h("citizen_app") | key)
    b = await client.post("/v1/complaints", json=BASE, headers=world.h("citizen_app_other") | key)
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]
    assert len(await fetch(engine, "SELECT id FROM complaints")) == 2


async def test_failed_first_request_leaves_the_key_free(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    headers = world.h("operator") | {"Idempotency-Key": "k-3"}
    letter = BASE | {"channel": "counter", "counter_kind": "letter"}
    future = await client.post(
        "/v1/complaints", json=letter | {"received_at": "2099-01-01T00:00:00Z"}, headers=headers
    )
    assert_error(future, 422)
    fixed = await client.post(
        "/v1/complaints",
        json=letter | {"received_at": "2025-01-06T09:00:00+07:00"},
        headers=headers,
    )
    assert fixed.status_code == 201, fixed.text
    assert await fetch(engine, "SELECT key FROM idempotency_records") == [{"key": "k-3"}]


async def test_overlong_idempotency_key_gets_422(client: httpx.AsyncClient, world: World) -> None:
    headers = world.h("citizen_app") | {"Idempotency-Key": "k" * 256}
    error = assert_error(await client.post("/v1/complaints", json=BASE, headers=headers), 422)
    assert error["details"][0]["field"].lower() == "idempotency-key"


async def test_concurrent_retries_of_one_key_create_one_complaint(
    settings: Settings, world: World, engine: AsyncEngine
) -> None:
    headers = world.h("citizen_app") | {"Idempotency-Key": "retry-storm"}
    async with live_server(settings) as base, httpx.AsyncClient(base_url=base) as http:
        # Twenty requests on their own connections, served concurrently by a real server.
        answers = await asyncio.gather(
            *(http.post("/v1/complaints", json=BASE, headers=headers) for _ in range(20))
        )
        after = await http.post("/v1/complaints", json=BASE, headers=headers)
    rows = await fetch(engine, "SELECT id FROM complaints")
    assert len(rows) == 1
    created_id = str(rows[0]["id"])
    statuses = sorted(a.status_code for a in answers)
    assert set(statuses) <= {201, 409}, statuses
    for answer in answers:
        if answer.status_code == 201:
            assert answer.json()["id"] == created_id
        else:
            assert_error(answer, 409, "idempotency_in_progress")
    assert statuses.count(201) >= 1
    assert after.status_code == 201
    assert after.json()["id"] == created_id


async def test_concurrent_redeliveries_of_one_channel_message_create_one_complaint(
    settings: Settings, world: World, engine: AsyncEngine
) -> None:
    body = BASE | {"channel": "sms_1708", "channel_ref": "sms-777"}
    async with live_server(settings) as base, httpx.AsyncClient(base_url=base) as http:
        answers = await asyncio.gather(
            *(http.post("/v1/complaints", json=body, headers=world.h("gateway")) for _ in range(10))
        )
    rows = await fetch(engine, "SELECT id FROM complaints")
    assert len(rows) == 1
    assert sorted(a.status_code for a in answers) == [200] * 9 + [201]
    assert {a.json()["id"] for a in answers} == {str(rows[0]["id"])}
    assert sorted(a.json()["existing"] for a in answers) == [False] + [True] * 9
