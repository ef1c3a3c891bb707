"""The main flow end to end over HTTP: intake, verify with agency, acknowledge, respond, close."""

import httpx

from tests.factories import World

COMPLAINT = {
    "channel": "mobile_app",
    "text": "Jalan di Desa Beran berlubang besar, sudah dua bulan belum diperbaiki.",
    "title": "Jalan berlubang",
    "location": {"region_code": "35.21.01", "address": "Jl. Raya Beran"},
    "reporter": {"name": "Siti", "phone": "081234567890"},
}


async def test_complaint_goes_from_intake_to_closed(
    client: httpx.AsyncClient, world: World
) -> None:
    created = await client.post("/v1/complaints", json=COMPLAINT, headers=world.h("citizen_app"))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "received"
    assert body["tracking_id"].startswith("LPR-")
    cid = body["id"]

    verified = await client.post(
        f"/v1/complaints/{cid}/verify",
        json={"type": "non_field", "agency_id": str(world.agencies["DPUPR"])},
        headers=world.h("admin"),
    )
    assert verified.status_code == 200, verified.text
    assert verified.json()["status"] == "dispatched"
    assert verified.json()["due_at"] is not None

    ack = await client.post(f"/v1/complaints/{cid}/acknowledge", headers=world.h("liaison"))
    assert ack.status_code == 200, ack.text
    assert ack.json()["status"] == "in_progress"

    answered = await client.post(
        f"/v1/complaints/{cid}/responses",
        json={"message": "Sudah dijadwalkan perbaikan minggu depan."},
        headers=world.h("liaison"),
    )
    assert answered.json()["status"] == "responded"

    closed = await client.post(
        f"/v1/complaints/{cid}/feedback",
        json={"rating": 5, "satisfied": True},
        headers=world.h("citizen_app"),
    )
    assert closed.json()["status"] == "closed"

    events = await client.get(f"/v1/complaints/{cid}/events", headers=world.h("admin"))
    types = [e["type"] for e in events.json()["items"]]
    assert types == [
        "received",
        "verified",
        "dispatched",
        "acknowledged",
        "responded",
        "feedback_received",
        "closed",
    ]
    assert [e["seq"] for e in events.json()["items"]] == list(range(1, 8))
