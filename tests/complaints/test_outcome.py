"""The outcome of handling: a response says resolved or not settleable (with a reason), and the
complaint's read, its list item and its events carry it, through closing and reopening."""

import httpx

from tests.complaints.support import assert_error, dispatched, fields_named, ok
from tests.factories import World


async def test_not_settleable_needs_a_reason_and_a_reason_needs_not_settleable(
    client: httpx.AsyncClient, world: World
) -> None:
    c = await dispatched(client, world)
    url = f"/v1/complaints/{c['id']}/responses"
    missing = await client.post(
        url,
        json={"message": "Di luar kewenangan.", "resolution": "not_settleable"},
        headers=world.h("liaison"),
    )
    assert fields_named(assert_error(missing, 422)) == {"resolution_reason"}
    stray = await client.post(
        url,
        json={"message": "Sudah.", "resolution_reason": "anggaran"},
        headers=world.h("liaison"),
    )
    assert fields_named(assert_error(stray, 422)) == {"resolution_reason"}
    unknown = await client.post(
        url, json={"message": "Sudah.", "resolution": "maybe"}, headers=world.h("liaison")
    )
    assert fields_named(assert_error(unknown, 422)) == {"resolution"}
    still = await client.get(f"/v1/complaints/{c['id']}", headers=world.h("admin"))
    assert still.json()["status"] == "dispatched"
    assert still.json()["resolution"] is None


async def test_a_closed_complaint_carries_its_outcome_in_read_list_and_events(
    client: httpx.AsyncClient, world: World
) -> None:
    c = await dispatched(client, world)
    await ok(client, world, "liaison", c["id"], "acknowledge")
    answered = await ok(
        client,
        world,
        "liaison",
        c["id"],
        "responses",
        {
            "message": "Jalan provinsi, bukan kewenangan kabupaten.",
            "resolution": "not_settleable",
            "resolution_reason": "di luar kewenangan daerah",
        },
    )
    assert answered["resolution"] == "not_settleable"
    assert answered["resolution_reason"] == "di luar kewenangan daerah"
    assert answered["acknowledged_at"] is not None
    assert answered["responded_at"] is not None
    closed = await ok(
        client, world, "citizen_app", c["id"], "feedback", {"rating": 4, "satisfied": True}
    )
    assert closed["status"] == "closed"
    assert (closed["resolution"], closed["rating"], closed["satisfied"]) == (
        "not_settleable",
        4,
        True,
    )
    assert closed["closed_at"] is not None

    page = await client.get("/v1/complaints?status=closed", headers=world.h("admin"))
    [item] = page.json()["items"]
    assert item["id"] == c["id"]
    assert (item["resolution"], item["rating"], item["satisfied"]) == ("not_settleable", 4, True)
    assert item["closed_at"] == closed["closed_at"]
    assert item["responded_at"] == closed["responded_at"]

    events = await client.get(f"/v1/complaints/{c['id']}/events", headers=world.h("admin"))
    by_type = {e["type"]: e["data"] for e in events.json()["items"]}
    assert by_type["responded"]["resolution"] == "not_settleable"
    assert by_type["responded"]["resolution_reason"] == "di luar kewenangan daerah"
    assert by_type["closed"]["resolution"] == "not_settleable"
    assert by_type["closed"]["rating"] == 4


async def test_a_response_without_resolution_is_resolved_and_reopening_is_counted(
    client: httpx.AsyncClient, world: World
) -> None:
    c = await dispatched(client, world)
    first = await ok(client, world, "liaison", c["id"], "responses", {"message": "Sudah."})
    assert first["resolution"] == "resolved"
    assert first["resolution_reason"] is None
    reopened = await ok(
        client, world, "citizen_app", c["id"], "feedback", {"rating": 1, "satisfied": False}
    )
    assert reopened["status"] == "in_progress"
    assert (reopened["rating"], reopened["satisfied"], reopened["reopen_count"]) == (1, False, 1)
    assert reopened["closed_at"] is None
