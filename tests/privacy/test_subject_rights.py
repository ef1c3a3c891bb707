"""Data-subject rights: export by NIK, phone or e-mail; correction; erasure after retention."""

from datetime import timedelta

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.kernel.clock import ManualClock
from app.kernel.config import Settings
from app.privacy.tasks import sweep
from tests.complaint_states import REPORTER, make_complaint
from tests.factories import World


async def _search(client: httpx.AsyncClient, world: World, **identifier: str) -> httpx.Response:
    body = {**identifier, "reason": "Permintaan akses data oleh pelapor."}
    return await client.post("/v1/reporters/search", json=body, headers=world.h("admin"))


async def test_export_finds_every_complaint_by_any_identifier_form_and_logs_it(
    client: httpx.AsyncClient, world: World
) -> None:
    first = await make_complaint(client, world, "dispatched", "citizen_app")
    second = await make_complaint(client, world, "received", "operator", anonymous=True)
    await make_complaint(
        client, world, "received", "citizen_app_kupang", "KUPANG-PU", "admin_kupang"
    )  # same person, other jurisdiction: not this admin's to export
    for identifier in ({"phone": "+62 812-3456-7890"}, {"nik": REPORTER["nik"]}):
        answer = await _search(client, world, **identifier)
        assert answer.status_code == 200, answer.text
        found = {c["id"]: c for c in answer.json()["complaints"]}
        assert set(found) == {first, second}
        assert found[first]["reporter"]["name"] == REPORTER["name"]
        assert [e["type"] for e in found[first]["events"]] == ["received", "verified", "dispatched"]
    none = await _search(client, world, email="nobody@example.org")
    assert none.json()["complaints"] == []
    log = await client.get("/v1/audit/identity-access", headers=world.h("admin"))
    exports = [r for r in log.json()["items"] if r["action"] == "export"]
    assert len(exports) == 4  # two searches, two complaints each
    assert sorted(r["complaint_id"] for r in exports) == sorted([first, first, second, second])
    assert {(r["actor_id"], r["actor_kind"]) for r in exports} == {
        (str(world.ids["admin"]), "user")
    }
    assert {r["purpose"] for r in exports} == {"Permintaan akses data oleh pelapor."}


async def test_search_wants_exactly_one_identifier_and_a_reason(
    client: httpx.AsyncClient, world: World
) -> None:
    both = await _search(client, world, nik=REPORTER["nik"], phone=REPORTER["phone"])
    assert both.status_code == 422
    no_reason = await client.post(
        "/v1/reporters/search", json={"nik": REPORTER["nik"]}, headers=world.h("admin")
    )
    assert no_reason.status_code == 422
    assert (await client.get("/v1/reporters/search", headers=world.h("admin"))).status_code == 405


async def test_correction_reencrypts_reindexes_and_records_an_event_without_values(
    client: httpx.AsyncClient, world: World
) -> None:
    cid = await make_complaint(client, world, "dispatched", "citizen_app")
    corrected = await client.patch(
        f"/v1/complaints/{cid}/reporter",
        json={"reason": "Pelapor meminta koreksi.", "phone": "085700001111", "nik": None},
        headers=world.h("admin"),
    )
    assert corrected.status_code == 200, corrected.text
    assert corrected.json() == {
        "name": REPORTER["name"],
        "nik": None,
        "phone": "085700001111",
        "email": None,
        "address": None,
    }
    assert (await _search(client, world, phone="6285700001111")).json()["complaints"]
    assert not (await _search(client, world, phone=REPORTER["phone"])).json()["complaints"]
    assert not (await _search(client, world, nik=REPORTER["nik"])).json()["complaints"]
    events = (await client.get(f"/v1/complaints/{cid}/events", headers=world.h("admin"))).json()
    last = events["items"][-1]
    assert last["type"] == "reporter_corrected"
    assert last["data"]["fields"] == ["nik", "phone"]
    assert "085700001111" not in str(last)
    empty = await client.patch(
        f"/v1/complaints/{cid}/reporter", json={"reason": "Tidak ada."}, headers=world.h("admin")
    )
    assert empty.status_code == 422


async def test_identities_are_erased_after_retention_and_the_complaint_stays(
    client: httpx.AsyncClient,
    world: World,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    clock: ManualClock,
) -> None:
    old_closed = await make_complaint(client, world, "closed", "citizen_app")
    old_archived = await make_complaint(client, world, "archived", "citizen_app")
    old_open = await make_complaint(client, world, "dispatched", "citizen_app")
    clock.advance(timedelta(days=settings.identity_retention_days + 1))
    recent_closed = await make_complaint(client, world, "closed", "citizen_app")
    days = settings.identity_retention_days
    async with engine.begin() as conn:  # as a social-media reporter's row carries (data, not time)
        await conn.execute(text("UPDATE reporters SET social_hash = 'h', email_hash = 'e'"))
    assert await sweep(sessions, days, clock.now()) == 2
    assert await sweep(sessions, days, clock.now()) == 0  # already erased: nothing to do twice
    async with engine.connect() as conn:
        rows = dict(
            (
                await conn.execute(
                    text(
                        "SELECT complaint_id::text, (erased_at IS NOT NULL AND ciphertext = ''"
                        " AND nik_hash IS NULL AND phone_hash IS NULL AND email_hash IS NULL"
                        " AND social_hash IS NULL) FROM reporters"
                    )
                )
            ).all()
        )
    assert rows == {old_closed: True, old_archived: True, recent_closed: False, old_open: False}
    detail = await client.get(f"/v1/complaints/{old_closed}", headers=world.h("admin"))
    assert detail.status_code == 200
    assert detail.json()["status"] == "closed"
    assert detail.json()["reporter"] is None
    reveal = await client.post(
        f"/v1/complaints/{old_closed}/reveal-reporter",
        json={"reason": "Audit."},
        headers=world.h("admin"),
    )
    assert reveal.status_code == 409
    assert reveal.json()["error"]["code"] == "reporter_erased"
    listed = await client.get(
        "/v1/complaints", params={"status": "closed"}, headers=world.h("admin")
    )
    assert {c["id"] for c in listed.json()["items"]} == {old_closed, recent_closed}
