"""Call centre and counter intake details, and linking a reporter's repeated complaint."""

import uuid

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.kernel.config import Settings
from app.main import create_app
from app.privacy.crypto import Sealed
from tests.channels.conftest import cipher_for
from tests.factories import World
from tests.privacy.support import access_rows

ROAD = "Jalan di Desa Beran berlubang besar, sudah dua bulan belum diperbaiki oleh dinas."


async def test_call_centre_complaint_filed_on_behalf_with_consent(
    client: httpx.AsyncClient,
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    body = {
        "channel": "call_center",
        "text": ROAD,
        "call_ref": "CC-2026-11-000123",
        "received_at": "2026-11-20T09:15:00+07:00",
        "contact_consent": True,
        "reporter": {"name": "Pak Darmo", "phone": "081299990000"},
        "filed_by": {"name": "Sri", "relation": "anak", "phone": "081311112222"},
    }
    r = await client.post("/v1/complaints", json=body, headers=world.h("operator"))
    assert r.status_code == 201, r.text
    got = (await client.get(f"/v1/complaints/{r.json()['id']}", headers=world.h("admin"))).json()
    assert got["channel_detail"] == {
        "call_ref": "CC-2026-11-000123",
        "contact_consent": True,
        "filed_on_behalf": True,
    }
    assert got["received_at"].startswith("2026-11-20T02:15:00")
    async with sessions() as s:
        row = (await s.execute(text("SELECT key_id, ciphertext FROM reporters"))).one()
    identity = cipher_for(settings)._open(Sealed.IDENTITY, row[0], row[1], uuid.UUID(got["id"]))
    assert identity["filed_by"] == {"name": "Sri", "relation": "anak", "phone": "081311112222"}
    assert identity["name"] == "Pak Darmo"
    [read] = await access_rows(sessions, got["id"])  # the admin's detail: what it showed, no more
    assert "name" in read["fields"]
    assert "filed_by" not in read["fields"]


async def test_counter_letter_and_box(client: httpx.AsyncClient, world: World) -> None:
    letter = {
        "channel": "counter",
        "counter_kind": "letter",
        "text": ROAD,
        "letter_number": "045/RT03/XI/2026",
        "letter_date": "2026-11-18",
        "received_at": "2026-11-19T10:00:00+07:00",
        "contact_consent": False,
    }
    r = await client.post("/v1/complaints", json=letter, headers=world.h("operator"))
    assert r.status_code == 201, r.text
    got = (await client.get(f"/v1/complaints/{r.json()['id']}", headers=world.h("operator"))).json()
    assert got["channel_detail"]["letter_number"] == "045/RT03/XI/2026"
    assert got["channel_detail"]["letter_date"] == "2026-11-18"
    box = {"channel": "counter", "counter_kind": "complaint_box", "text": ROAD}
    assert (
        await client.post("/v1/complaints", json=box, headers=world.h("operator"))
    ).status_code == 201
    for bad in (
        {**box, "letter_number": "1/2026"},
        {"channel": "web", "text": ROAD, "call_ref": "CC-1"},
        {**letter, "filed_by": {"relation": "anak"}},
    ):
        r = await client.post("/v1/complaints", json=bad, headers=world.h("operator"))
        assert r.status_code == 422, r.text


async def test_same_reporter_similar_text_is_linked_not_dropped(
    client: httpx.AsyncClient, world: World
) -> None:
    first = await client.post(
        "/v1/complaints",
        json={"channel": "web", "text": ROAD, "reporter": {"phone": "+62 812-3456-7890"}},
        headers=world.h("citizen_app"),
    )
    again = await client.post(
        "/v1/complaints",
        json={
            "channel": "call_center",
            "text": "Jalan Desa Beran berlubang besar, dua bulan belum diperbaiki dinas!",
            "reporter": {"phone": "081234567890"},
        },
        headers=world.h("operator"),
    )
    other_text = await client.post(
        "/v1/complaints",
        json={
            "channel": "web",
            "text": "Lampu jalan alun-alun mati total.",
            "reporter": {"phone": "081234567890"},
        },
        headers=world.h("citizen_app"),
    )
    other_person = await client.post(
        "/v1/complaints",
        json={"channel": "web", "text": ROAD, "reporter": {"phone": "081200000000"}},
        headers=world.h("citizen_app"),
    )
    assert again.status_code == 201
    got = lambda r: client.get(f"/v1/complaints/{r.json()['id']}", headers=world.h("admin"))  # noqa: E731
    assert (await got(again)).json()["possible_duplicate_of"] == first.json()["id"]
    assert (await got(other_text)).json()["possible_duplicate_of"] is None
    assert (await got(other_person)).json()["possible_duplicate_of"] is None
    assert (await got(first)).json()["status"] == "received"
    events = await client.get(
        f"/v1/complaints/{again.json()['id']}/events", headers=world.h("admin")
    )
    assert events.json()["items"][0]["data"]["possible_duplicate_of"] == first.json()["id"]


async def test_archiving_as_duplicate_keeps_the_earlier_clock(
    client: httpx.AsyncClient, world: World
) -> None:
    reporter = {"nik": "3521010101800001"}
    first = await client.post(
        "/v1/complaints",
        json={"channel": "web", "text": ROAD, "reporter": reporter},
        headers=world.h("citizen_app"),
    )
    fid = first.json()["id"]
    verified = await client.post(
        f"/v1/complaints/{fid}/verify", json={"type": "non_field"}, headers=world.h("admin")
    )
    before = verified.json()
    second = await client.post(
        "/v1/complaints",
        json={"channel": "counter", "counter_kind": "walk_in", "text": ROAD, "reporter": reporter},
        headers=world.h("operator"),
    )
    sid = second.json()["id"]
    dup = (await client.get(f"/v1/complaints/{sid}", headers=world.h("admin"))).json()
    assert dup["possible_duplicate_of"] == fid
    archived = await client.post(
        f"/v1/complaints/{sid}/archive",
        json={"reason": "duplicate", "duplicate_of": fid},
        headers=world.h("admin"),
    )
    assert archived.json()["status"] == "archived"
    assert archived.json()["duplicate_of"] == fid
    after = (await client.get(f"/v1/complaints/{fid}", headers=world.h("admin"))).json()
    for key in ("status", "verified_at", "due_at", "policy", "received_at"):
        assert after[key] == before[key]


async def test_duplicate_window_is_configurable(
    settings: Settings, engine: object, world: World
) -> None:
    app = create_app(settings.model_copy(update={"duplicate_window_days": 0}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://desk.test") as c:
            for _ in range(2):
                r = await c.post(
                    "/v1/complaints",
                    json={"channel": "web", "text": ROAD, "reporter": {"email": "siti@example.id"}},
                    headers=world.h("citizen_app"),
                )
            got = await c.get(f"/v1/complaints/{r.json()['id']}", headers=world.h("admin"))
    assert got.json()["possible_duplicate_of"] is None
