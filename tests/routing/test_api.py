"""Reference data over HTTP: agencies, liaisons, categories, rules, regions, settings."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.routing import regions_service
from tests.factories import World


def _today() -> str:
    return datetime.now(UTC).astimezone(ZoneInfo("Asia/Jakarta")).date().isoformat()


async def test_admin_creates_and_updates_an_agency_staff_reads_it(
    client: httpx.AsyncClient, world: World
) -> None:
    body = {
        "code": "BAPPEDA",
        "name": "Badan Perencanaan Pembangunan Daerah",
        "kind": "badan",
        "head_email": "kepala@bappeda.example",
    }
    created = await client.post("/v1/agencies", json=body, headers=world.h("admin"))
    assert created.status_code == 201, created.text
    agency = created.json()
    assert agency["kind"] == "badan"
    assert agency["current_liaison"] is None

    again = await client.post("/v1/agencies", json=body, headers=world.h("admin"))
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "agency_code_taken"

    patched = await client.patch(
        f"/v1/agencies/{agency['id']}",
        json={"active": False, "parent_id": str(world.agencies["DPUPR"])},
        headers=world.h("admin"),
    )
    assert patched.status_code == 200
    assert patched.json()["active"] is False

    listed = await client.get("/v1/agencies", headers=world.h("liaison"))
    codes = [a["code"] for a in listed.json()["items"]]
    assert codes == sorted(codes)
    assert "BAPPEDA" in codes
    assert "PU" not in codes  # Kupang's agency stays in Kupang

    page = await client.get("/v1/agencies?limit=2", headers=world.h("supervisor"))
    assert len(page.json()["items"]) == 2
    assert page.json()["next_cursor"]


async def test_agency_writes_need_an_admin_and_valid_fields(
    client: httpx.AsyncClient, world: World
) -> None:
    body = {"code": "X", "name": "X", "kind": "dinas"}
    denied = await client.post("/v1/agencies", json=body, headers=world.h("liaison"))
    assert denied.status_code == 403
    bad = await client.post(
        "/v1/agencies", json={**body, "kind": "ministry"}, headers=world.h("admin")
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["field"] == "kind"
    extra = await client.post("/v1/agencies", json={**body, "x": 1}, headers=world.h("admin"))
    assert extra.status_code == 422
    other = await client.get(
        f"/v1/agencies/{world.agencies['KUPANG-PU']}", headers=world.h("admin")
    )
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "agency_not_found"
    self_parent = await client.patch(
        f"/v1/agencies/{world.agencies['DLH']}",
        json={"parent_id": str(world.agencies["DLH"])},
        headers=world.h("admin"),
    )
    assert self_parent.status_code == 422


async def test_liaisons_are_listed_with_todays_validity(
    client: httpx.AsyncClient, world: World
) -> None:
    today = datetime.fromisoformat(_today()).date()
    url = f"/v1/agencies/{world.agencies['DLH']}/liaisons"
    lapsed = {
        "role": "primary",
        "name": "Pak Lama",
        "email": "lama@dlh.example",
        "decree_number": "188/1/2024",
        "valid_from": "2024-01-02",
        "valid_to": (today - timedelta(days=1)).isoformat(),
    }
    deputy = {
        "role": "deputy",
        "name": "Bu Wakil",
        "email": "wakil@dlh.example",
        "phone": "+62 812-3456-7890",
        "valid_from": today.isoformat(),
        "user_id": str(world.ids["liaison_other"]),
    }
    for body in (lapsed, deputy):
        r = await client.post(url, json=body, headers=world.h("admin"))
        assert r.status_code == 201, r.text
    listed = (await client.get(url, headers=world.h("liaison_other"))).json()["items"]
    assert [(x["name"], x["valid_today"]) for x in listed] == [
        ("Pak Lama", False),
        ("Bu Wakil", True),
    ]
    agency = (
        await client.get(f"/v1/agencies/{world.agencies['DLH']}", headers=world.h("admin"))
    ).json()
    assert agency["current_liaison"]["name"] == "Bu Wakil"

    backwards = await client.post(
        url,
        json={**deputy, "valid_from": "2026-05-02", "valid_to": "2026-05-01"},
        headers=world.h("admin"),
    )
    assert backwards.status_code == 422
    stranger = await client.post(
        url, json={**deputy, "user_id": str(world.ids["admin_kupang"])}, headers=world.h("admin")
    )
    assert stranger.status_code == 422
    assert stranger.json()["error"]["code"] == "unknown_user"

    wrong_agency = await client.post(
        url, json={**deputy, "user_id": str(world.ids["liaison"])}, headers=world.h("admin")
    )
    assert wrong_agency.status_code == 422  # a DPUPR liaison cannot hold a DLH appointment

    ended = await client.patch(
        f"{url}/{listed[1]['id']}",
        json={"valid_to": (today - timedelta(days=1)).isoformat()},
        headers=world.h("admin"),
    )
    assert ended.status_code == 422  # before its own start: refused, nothing written
    ended = await client.patch(
        f"{url}/{listed[1]['id']}", json={"valid_to": today.isoformat()}, headers=world.h("admin")
    )
    assert ended.status_code == 200
    assert ended.json()["valid_today"] is True  # the last day is still a valid day
    gone = await client.delete(f"{url}/{listed[0]['id']}", headers=world.h("admin"))
    assert gone.status_code == 204
    missing = await client.delete(f"{url}/{listed[0]['id']}", headers=world.h("admin"))
    assert missing.status_code == 404


async def test_category_tree_with_default_agency(client: httpx.AsyncClient, world: World) -> None:
    parent = await client.post(
        "/v1/categories",
        json={
            "code": "lingkungan",
            "name": "Lingkungan",
            "default_agency_id": str(world.agencies["DLH"]),
        },
        headers=world.h("admin"),
    )
    assert parent.status_code == 201, parent.text
    child = await client.post(
        "/v1/categories",
        json={
            "code": "sampah",
            "name": "Sampah",
            "parent_id": parent.json()["id"],
            "default_type": "field_inspection",
        },
        headers=world.h("admin"),
    )
    assert child.status_code == 201
    assert child.json()["parent_id"] == parent.json()["id"]
    foreign = await client.post(
        "/v1/categories",
        json={"code": "y", "name": "Y", "default_agency_id": str(world.agencies["KUPANG-PU"])},
        headers=world.h("admin"),
    )
    assert foreign.status_code == 422
    assert foreign.json()["error"]["details"][0]["field"] == "default_agency_id"
    patched = await client.patch(
        f"/v1/categories/{child.json()['id']}",
        json={"default_type": "non_field"},
        headers=world.h("admin"),
    )
    assert patched.json()["default_type"] == "non_field"
    listed = await client.get("/v1/categories", headers=world.h("operator"))
    assert [c["code"] for c in listed.json()["items"]] == ["jalan", "lingkungan", "sampah"]


async def test_routing_rules_crud(client: httpx.AsyncClient, world: World) -> None:
    rule = {
        "name": "Sampah ke DLH",
        "position": 10,
        "agency_id": str(world.agencies["DLH"]),
        "keywords": ["sampah", "limbah"],
    }
    created = await client.post("/v1/routing-rules", json=rule, headers=world.h("admin"))
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    empty = await client.post(
        "/v1/routing-rules",
        json={"name": "x", "position": 1, "agency_id": str(world.agencies["DLH"])},
        headers=world.h("admin"),
    )
    assert empty.status_code == 422
    punctuation = await client.post(
        "/v1/routing-rules", json={**rule, "keywords": ["!!"]}, headers=world.h("admin")
    )
    assert punctuation.status_code == 422
    assert punctuation.json()["error"]["details"][0]["field"] == "keywords.0"
    bad_prefix = await client.post(
        "/v1/routing-rules", json={**rule, "region_prefix": "35-21"}, headers=world.h("admin")
    )
    assert bad_prefix.status_code == 422
    replaced = await client.put(
        f"/v1/routing-rules/{rid}",
        json={**rule, "position": 5, "channel": "sms_1708"},
        headers=world.h("admin"),
    )
    assert replaced.json()["position"] == 5
    assert replaced.json()["channel"] == "sms_1708"
    listed = await client.get("/v1/routing-rules", headers=world.h("supervisor"))
    assert [r["id"] for r in listed.json()["items"]] == [rid]
    assert (await client.get("/v1/routing-rules", headers=world.h("liaison"))).status_code == 403
    deleted = await client.delete(f"/v1/routing-rules/{rid}", headers=world.h("admin"))
    assert deleted.status_code == 204
    assert (
        await client.get(f"/v1/routing-rules/{rid}", headers=world.h("admin"))
    ).status_code == 404


async def test_rules_sharing_a_position_are_all_paged_in_routing_order(
    client: httpx.AsyncClient, world: World
) -> None:
    made = []
    for n, position in enumerate([10, 10, 10, 20, 20]):
        dlh = str(world.agencies["DLH"])
        rule = {"name": f"Aturan {n}", "position": position, "agency_id": dlh,
                "keywords": [f"kata{n}"]}  # fmt: skip
        created = await client.post("/v1/routing-rules", json=rule, headers=world.h("admin"))
        made.append(created.json()["id"])
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = await client.get("/v1/routing-rules", params=params, headers=world.h("admin"))
        assert page.status_code == 200, page.text
        seen += [r["id"] for r in page.json()["items"]]
        if (cursor := page.json()["next_cursor"]) is None:
            break
    assert seen == made  # position, then age: the order routing checks them in
    for bad in ("10", "not-base64!", "WzEwXQ"):  # the old cursor, junk, a key of one value
        refused = await client.get(
            "/v1/routing-rules", params={"cursor": bad}, headers=world.h("admin")
        )
        assert refused.status_code == 422, bad
        assert refused.json()["error"]["details"][0]["field"] == "cursor", refused.text


async def test_regions_list_and_match(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session, session.begin():
        count = await regions_service.load(session, "35.21")
    assert count == 236  # 19 kecamatan and 217 desa/kelurahan in the 2025 list
    kecamatan = await client.get("/v1/regions", headers=world.h("admin"))
    items = kecamatan.json()["items"]
    assert len(items) == 19
    assert items[0] == {
        "code": "35.21.01",
        "name": "Sine",
        "level": "kecamatan",
        "parent_code": "35.21",
    }
    desa = await client.get("/v1/regions?parent=35.21.09", headers=world.h("admin"))
    assert "Beran" in [d["name"] for d in desa.json()["items"]]
    bad = await client.get("/v1/regions?parent=35-21", headers=world.h("admin"))
    assert bad.status_code == 422
    match = await client.get(
        "/v1/regions/match", params={"q": "Jl. Raya Beran, kec. Ngawi"}, headers=world.h("admin")
    )
    assert match.json()["match"]["code"] == "35.21.09.2006"
    assert match.json()["score"] == 100.0
    kupang = await client.get("/v1/regions", headers=world.h("admin_kupang"))
    assert kupang.json()["items"] == []  # Kupang's regions were not loaded


async def test_unused_agency_and_category_can_be_deleted_used_ones_cannot(
    client: httpx.AsyncClient, world: World
) -> None:
    spare = await client.post(
        "/v1/agencies",
        json={"code": "SPARE", "name": "Typo", "kind": "bumd"},
        headers=world.h("admin"),
    )
    gone = await client.delete(f"/v1/agencies/{spare.json()['id']}", headers=world.h("admin"))
    settings = await client.get("/v1/routing-settings", headers=world.h("supervisor"))
    assert settings.json()["liaison_direct_transfer"] is False
    assert gone.status_code == 204
    used = await client.delete(f"/v1/agencies/{world.agencies['DPUPR']}", headers=world.h("admin"))
    assert used.status_code == 409  # the "jalan" category's default and users refer to it
    assert used.json()["error"]["code"] == "agency_in_use"
    still = await client.get(f"/v1/agencies/{world.agencies['DPUPR']}", headers=world.h("admin"))
    assert still.status_code == 200

    await client.post(
        "/v1/routing-rules",
        json={
            "name": "jalan",
            "position": 1,
            "agency_id": str(world.agencies["DINSOS"]),
            "category_id": str(world.categories["jalan"]),
        },
        headers=world.h("admin"),
    )
    in_use = await client.delete(
        f"/v1/categories/{world.categories['jalan']}", headers=world.h("admin")
    )
    assert in_use.status_code == 409
    assert in_use.json()["error"]["code"] == "category_in_use"
    unused = await client.post(
        "/v1/categories", json={"code": "lain", "name": "Lain-lain"}, headers=world.h("admin")
    )
    deleted = await client.delete(f"/v1/categories/{unused.json()['id']}", headers=world.h("admin"))
    assert deleted.status_code == 204


async def test_creating_posts_honour_the_idempotency_key(
    client: httpx.AsyncClient, world: World
) -> None:
    body = {"code": "BPBD", "name": "Badan Penanggulangan Bencana Daerah", "kind": "badan"}
    headers = {**world.h("admin"), "Idempotency-Key": "create-bpbd-1"}
    first = await client.post("/v1/agencies", json=body, headers=headers)
    replay = await client.post("/v1/agencies", json=body, headers=headers)
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    other = await client.post("/v1/agencies", json={**body, "code": "BPBD2"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    # The same key on another route is another request, not a replay of the agency.
    category = await client.post(
        "/v1/categories", json={"code": "bencana", "name": "Bencana"}, headers=headers
    )
    assert category.status_code == 422
