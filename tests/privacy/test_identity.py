"""Reporter identity on every read path: who sees it, the anonymous case, and the access log."""

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.complaint_states import REPORTER, make_complaint
from tests.factories import World

IDENTITY_STRINGS = [REPORTER["name"], REPORTER["nik"], REPORTER["phone"], "6281234567890"]


async def _log(client: httpx.AsyncClient, world: World, **params: str) -> list[dict[str, object]]:
    answer = await client.get("/v1/audit/identity-access", params=params, headers=world.h("admin"))
    assert answer.status_code == 200, answer.text
    items: list[dict[str, object]] = answer.json()["items"]
    return items


async def test_detail_shows_identity_to_admin_liaison_and_submitter_and_logs_each_read(
    client: httpx.AsyncClient, world: World
) -> None:
    cid = await make_complaint(client, world, "dispatched", "citizen_app")
    for caller in ("admin", "liaison", "citizen_app"):
        detail = (await client.get(f"/v1/complaints/{cid}", headers=world.h(caller))).json()
        assert detail["reporter"]["name"] == REPORTER["name"], caller
        assert detail["reporter"]["nik"] == REPORTER["nik"]
    for caller in ("supervisor", "agency_system"):
        detail = (await client.get(f"/v1/complaints/{cid}", headers=world.h(caller))).json()
        assert detail["reporter"] is None, caller
    rows = await _log(client, world, complaint_id=cid)
    assert sorted(r["actor_role"] for r in rows) == ["admin", "citizen_app", "liaison"]
    assert {r["action"] for r in rows} == {"detail"}
    assert all(r["fields"] == ["name", "nik", "phone"] for r in rows)
    assert {r["actor_role"]: r["purpose"] for r in rows} == {
        "admin": "complaint administration",
        "liaison": "follow-up by the responsible agency",
        "citizen_app": "submitter of the complaint",
    }


async def test_anonymous_identity_leaves_through_no_read_path(
    client: httpx.AsyncClient, world: World
) -> None:
    cid = await make_complaint(
        client, world, "dispatched", "citizen_app", anonymous=True, confidential=True
    )
    tracking = (await client.get(f"/v1/complaints/{cid}", headers=world.h("admin"))).json()[
        "tracking_id"
    ]
    for caller in ("admin", "supervisor", "liaison", "citizen_app", "agency_system"):
        for path in (f"/v1/complaints/{cid}", f"/v1/complaints/{cid}/events", "/v1/complaints"):
            answer = await client.get(path, headers=world.h(caller))
            assert answer.status_code == 200, (caller, path)
            assert not any(s in answer.text for s in IDENTITY_STRINGS), (caller, path)
        detail = (await client.get(f"/v1/complaints/{cid}", headers=world.h(caller))).json()
        assert detail["reporter"] is None
    events = (await client.get(f"/v1/complaints/{cid}/events", headers=world.h("admin"))).json()
    received = events["items"][0]
    assert received["type"] == "received"
    assert received["actor"]["role"] == "citizen_app"  # the app that took it in, not the person
    assert set(received["data"]) == {"channel", "received_at"}
    public = await client.get(f"/v1/track/{tracking}")
    assert public.status_code == 200
    assert public.json()["text"] is None  # rahasia
    assert public.json()["title"] is None
    assert not any(s in public.text for s in IDENTITY_STRINGS)
    assert await _log(client, world, complaint_id=cid) == []  # nothing was read


async def test_non_anonymous_identity_is_never_on_tracking_list_or_events(
    client: httpx.AsyncClient, world: World
) -> None:
    cid = await make_complaint(client, world, "dispatched", "citizen_app")
    detail = (await client.get(f"/v1/complaints/{cid}", headers=world.h("admin"))).json()
    public = await client.get(f"/v1/track/{detail['tracking_id']}")
    assert public.json()["text"]  # not confidential: the text is public
    for answer in (
        public,
        await client.get("/v1/complaints", headers=world.h("admin")),
        await client.get(f"/v1/complaints/{cid}/events", headers=world.h("admin")),
    ):
        assert not any(s in answer.text for s in IDENTITY_STRINGS)


async def test_reveal_needs_a_reason_returns_the_anonymous_identity_and_logs_it(
    client: httpx.AsyncClient, world: World
) -> None:
    cid = await make_complaint(client, world, "received", "citizen_app", anonymous=True)
    url = f"/v1/complaints/{cid}/reveal-reporter"
    missing = await client.post(url, json={}, headers=world.h("admin"))
    assert missing.status_code == 422
    assert missing.json()["error"]["details"][0]["field"] == "reason"
    assert (
        await client.post(url, json={"reason": "x"}, headers=world.h("admin"))
    ).status_code == 422
    for caller in ("supervisor", "liaison", "citizen_app"):
        denied = await client.post(url, json={"reason": "Ingin tahu."}, headers=world.h(caller))
        assert denied.status_code == 403
    reason = "Pelapor mengancam keselamatan petugas; diminta Inspektorat."
    revealed = await client.post(url, json={"reason": reason}, headers=world.h("admin"))
    assert revealed.status_code == 200, revealed.text
    assert revealed.json()["anonymous"] is True
    assert revealed.json()["reporter"]["phone"] == REPORTER["phone"]
    [row] = await _log(client, world, complaint_id=cid)
    assert row["action"] == "reveal"
    assert row["purpose"] == reason
    assert row["actor_id"] == str(world.ids["admin"])
    assert row["fields"] == ["name", "nik", "phone"]
    assert row["request_id"] == revealed.headers["x-request-id"]


async def test_reveal_of_a_complaint_without_identity_is_404(
    client: httpx.AsyncClient, world: World
) -> None:
    created = await client.post(
        "/v1/complaints",
        json={"channel": "web", "text": "Tanpa identitas."},
        headers=world.h("citizen_app"),
    )
    answer = await client.post(
        f"/v1/complaints/{created.json()['id']}/reveal-reporter",
        json={"reason": "Verifikasi."},
        headers=world.h("admin"),
    )
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "reporter_not_held"


async def test_access_log_cannot_be_changed_or_deleted_through_the_app_connection(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    cid = await make_complaint(client, world, "received", "citizen_app")
    await client.get(f"/v1/complaints/{cid}", headers=world.h("admin"))
    for statement in (
        "UPDATE identity_access_log SET purpose = 'nothing to see'",
        "DELETE FROM identity_access_log",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with engine.begin() as conn:
                await conn.execute(text(statement))
    async with engine.connect() as conn:
        purposes = (await conn.execute(text("SELECT purpose FROM identity_access_log"))).all()
    assert purposes == [("complaint administration",)]


async def test_access_log_pages_by_keyset_and_stays_in_its_jurisdiction(
    client: httpx.AsyncClient, world: World
) -> None:
    cid = await make_complaint(client, world, "received", "citizen_app")
    for _ in range(5):
        await client.get(f"/v1/complaints/{cid}", headers=world.h("admin"))
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = (
            await client.get(
                "/v1/audit/identity-access", params=params, headers=world.h("supervisor")
            )
        ).json()
        seen += [r["id"] for r in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 5
    other = await client.get("/v1/audit/identity-access", headers=world.h("admin_kupang"))
    assert other.json()["items"] == []
    bad = await client.get(
        "/v1/audit/identity-access", params={"cursor": "nonsense"}, headers=world.h("admin")
    )
    assert bad.status_code == 422
