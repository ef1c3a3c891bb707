"""Intake, POST /v1/complaints: validation, redelivery, identity apart, tracking ids, deadlines."""

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.complaints.tracking import ALPHABET
from tests.complaints.support import (
    BASE,
    NGAWI,
    assert_error,
    complaint_row,
    create,
    fetch,
    fields_named,
)
from tests.factories import World

FUTURE = (datetime.now(UTC) + timedelta(days=2)).isoformat()


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"colour": "merah"}, "colour"),
        ({"text": "x" * 10_001}, "text"),
        ({"text": "   "}, "text"),
        ({"title": "t" * 201}, "title"),
        ({"channel": "fax"}, "channel"),
        ({"location": {"region_code": "35-21"}}, "location.region_code"),
        ({"location": {"region_code": "35.21.1"}}, "location.region_code"),
        ({"location": {"lat": -7.4}}, "location.lon"),
        ({"location": {"lat": 91, "lon": 111.4}}, "location.lat"),
        ({"channel": "social_media"}, "platform"),
        ({"channel": "web", "platform": "x"}, "platform"),
        ({"channel": "counter"}, "counter_kind"),
        ({"channel": "web", "received_at": "2025-08-14T09:00:00+07:00"}, "received_at"),
        (
            {"channel": "counter", "counter_kind": "letter", "received_at": "2025-08-14T09:00:00"},
            "received_at",
        ),
        ({"channel": "counter", "counter_kind": "letter", "received_at": FUTURE}, "received_at"),
        ({"occurred_at": FUTURE}, "occurred_at"),
        ({"reporter": {"phone": "call me"}}, "reporter.phone"),
        ({"reporter": {"nik": "123"}}, "reporter.nik"),
        ({"reporter": {"name": "Siti", "pin": "1"}}, "reporter.pin"),
        ({"attachments": ["a"] * 11}, "attachments"),
        ({"callback_url": "not a url"}, "callback_url"),
        # Addresses the callbacks would never reach, said at intake (hosts are checked on connect).
        ({"callback_url": "http://10.1.2.3/status"}, "callback_url"),
        ({"callback_url": "http://169.254.169.254/latest/meta-data/"}, "callback_url"),
        ({"callback_url": "http://[fd00::1]/status"}, "callback_url"),
        ({"callback_url": "http://[::ffff:192.168.1.1]/status"}, "callback_url"),
        ({"callback_url": "https://app:secret@example.id/status"}, "callback_url"),
        ({"channel_ref": "r" * 201}, "channel_ref"),
        ({"category_id": str(uuid.uuid4())}, "category_id"),
        # PostgreSQL text cannot hold NUL: refused up front, never a 500 from the driver.
        ({"text": "jalan\x00rusak"}, "text"),
        ({"title": "a\x00"}, "title"),
        ({"location": {"address": "a\x00"}}, "location.address"),
        ({"attachments": ["ok", "a\x00"]}, "attachments.1"),
        ({"channel_ref": "a\x00"}, "channel_ref"),
    ],
)
async def test_invalid_intake_gets_422_naming_the_field(
    client: httpx.AsyncClient,
    world: World,
    engine: AsyncEngine,
    patch: dict[str, Any],
    field: str,
) -> None:
    response = await client.post(
        "/v1/complaints", json=BASE | patch, headers=world.h("citizen_app")
    )
    error = assert_error(response, 422)
    assert field in fields_named(error), error
    assert await fetch(engine, "SELECT id FROM complaints") == []


async def test_missing_required_fields_are_each_named(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post("/v1/complaints", json={}, headers=world.h("citizen_app"))
    assert fields_named(assert_error(response, 422, "invalid")) == {"channel", "text"}


async def test_unknown_category_has_its_own_code(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        "/v1/complaints",
        json=BASE | {"category_id": str(uuid.uuid4())},
        headers=world.h("citizen_app"),
    )
    assert_error(response, 422, "unknown_category")


async def test_category_of_the_jurisdiction_is_accepted(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    body = await create(client, world, category_id=str(world.categories["jalan"]))
    assert (await complaint_row(engine, body["id"]))["category_id"] == world.categories["jalan"]


async def test_malformed_json_gets_400(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        "/v1/complaints",
        content=b'{"channel": "web", "text": ',
        headers=world.h("citizen_app") | {"Content-Type": "application/json"},
    )
    assert_error(response, 400, "malformed_json")


async def test_body_over_the_limit_gets_413_by_content_length(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    huge = b'{"channel": "web", "text": "' + b"x" * 1_100_000 + b'"}'
    response = await client.post(
        "/v1/complaints",
        content=huge,
        headers=world.h("citizen_app") | {"Content-Type": "application/json"},
    )
    assert_error(response, 413, "payload_too_large")
    assert await fetch(engine, "SELECT id FROM complaints") == []


async def test_streamed_body_over_the_limit_gets_413(
    client: httpx.AsyncClient, world: World
) -> None:
    async def chunks() -> Any:
        yield b'{"channel": "web", "text": "'
        for _ in range(20):
            yield b"x" * 64_000
        yield b'"}'

    response = await client.post(
        "/v1/complaints",
        content=chunks(),
        headers=world.h("citizen_app") | {"Content-Type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert_error(response, 413, "payload_too_large")


async def test_same_channel_ref_twice_answers_with_the_first_complaint(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    body = BASE | {"channel": "sms_1708", "channel_ref": "sms-42"}
    first = await client.post("/v1/complaints", json=body, headers=world.h("gateway"))
    second = await client.post("/v1/complaints", json=body, headers=world.h("gateway"))
    assert first.status_code == 201
    assert first.json()["existing"] is False
    assert second.status_code == 200, second.text
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["tracking_id"] == first.json()["tracking_id"]
    assert second.json()["existing"] is True
    assert len(await fetch(engine, "SELECT id FROM complaints")) == 1
    events = await fetch(engine, "SELECT seq FROM complaint_events")
    assert len(events) == 1


async def test_same_channel_ref_on_another_channel_is_another_complaint(
    client: httpx.AsyncClient, world: World
) -> None:
    first = await create(client, world, "gateway", channel="sms_1708", channel_ref="m-1")
    second = await create(
        client, world, "gateway", channel="social_media", platform="x", channel_ref="m-1"
    )
    assert first["id"] != second["id"]


async def test_reporter_identity_is_encrypted_apart_from_the_complaint(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    reporter = {
        "name": "Siti Aminah Rahayu",
        "phone": "081234567890",
        "nik": "3521014506900001",
        "email": "siti.aminah@example.id",
        "address": "Dusun Krajan RT 02",
    }
    body = await create(client, world, reporter=reporter)
    row = await complaint_row(engine, body["id"])
    flat = repr(row)
    for value in reporter.values():
        assert value not in flat
    (stored,) = await fetch(
        engine, "SELECT * FROM reporters WHERE complaint_id = :id", id=uuid.UUID(body["id"])
    )
    ciphertext = bytes(stored["ciphertext"])
    for value in reporter.values():
        assert value.encode() not in ciphertext
    assert stored["nik_hash"]
    assert reporter["nik"] not in stored["nik_hash"]


async def test_complaint_without_reporter_stores_no_identity_row(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    await create(client, world, anonymous=True)
    assert await fetch(engine, "SELECT complaint_id FROM reporters") == []


async def test_tracking_ids_are_readable_unique_and_not_sequential(
    client: httpx.AsyncClient, world: World
) -> None:
    pattern = re.compile(rf"^LPR-[{ALPHABET}]{{5}}-[{ALPHABET}]{{5}}$")
    assert not set("0O1IL") & set(ALPHABET)
    ids = [(await create(client, world))["tracking_id"] for _ in range(30)]
    assert all(pattern.match(t) for t in ids), ids
    assert not {c for t in ids for c in t[4:]} & set("0O1IL")
    assert len(set(ids)) == len(ids)
    # 30 random ids come out in creation order with odds 1/30!; sequential ones always do.
    assert ids != sorted(ids)
    assert ids != sorted(ids, reverse=True)


async def test_verification_is_due_three_working_days_after_receipt(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    body = await create(client, world)
    received = datetime.fromisoformat(body["received_at"])
    due = datetime.fromisoformat(body["verification_due_at"])
    assert due == NGAWI.add_days(received, 3)
    (timer,) = await fetch(
        engine,
        "SELECT available_at, payload FROM outbox_messages WHERE topic = 'timer'"
        " AND complaint_id = :id",
        id=uuid.UUID(body["id"]),
    )
    assert timer["available_at"] == due
    assert timer["payload"]["kind"] == "verification_overdue"


async def test_counter_intake_with_past_receipt_counts_from_that_receipt(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    # 17:30 UTC on Thursday 14 August 2025 is 00:30 WIB on Friday 15 August; Monday 18 August
    # is cuti bersama, so three working days end on Thursday 21 August, 23:59:59.999999 WIB.
    body = await create(
        client,
        world,
        "operator",
        channel="counter",
        counter_kind="letter",
        received_at="2025-08-14T17:30:00Z",
    )
    assert datetime.fromisoformat(body["received_at"]) == datetime(2025, 8, 14, 17, 30, tzinfo=UTC)
    expected = datetime(2025, 8, 21, 16, 59, 59, 999_999, tzinfo=UTC)
    assert datetime.fromisoformat(body["verification_due_at"]) == expected
    row = await complaint_row(engine, body["id"])
    assert row["received_at"] == datetime(2025, 8, 14, 17, 30, tzinfo=UTC)
    assert row["channel_detail"] == {"counter_kind": "letter"}


async def test_intake_records_the_received_event_and_its_outbox_row(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    body = await create(client, world)
    cid = uuid.UUID(body["id"])
    events = await fetch(
        engine, "SELECT seq, type FROM complaint_events WHERE complaint_id=:id", id=cid
    )
    assert events == [{"seq": 1, "type": "received"}]
    outbox = await fetch(
        engine,
        "SELECT seq, payload FROM outbox_messages WHERE topic = 'complaint_event'"
        " AND complaint_id = :id",
        id=cid,
    )
    assert outbox == [{"seq": 1, "payload": {"type": "complaint.received"}}]


async def test_liaison_may_not_take_complaints_in(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post("/v1/complaints", json=BASE, headers=world.h("liaison"))
    assert_error(response, 403, "role_forbidden")
