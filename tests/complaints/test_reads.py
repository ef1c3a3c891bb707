"""Reads: the filtered list and its pages, one complaint, its events, public tracking."""

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.kernel.clock import ManualClock
from tests.complaints.support import (
    assert_error,
    create,
    dispatched,
    fields_named,
    ok,
)
from tests.factories import World


async def _ids(
    client: httpx.AsyncClient, world: World, who: str = "admin", **query: Any
) -> set[str]:
    response = await client.get("/v1/complaints", params=query, headers=world.h(who))
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    return {item["id"] for item in response.json()["items"]}


@pytest.fixture
async def corpus(client: httpx.AsyncClient, world: World, clock: ManualClock) -> dict[str, str]:
    """Six complaints that differ in one way each; name -> id."""
    road = await create(
        client,
        world,
        category_id=str(world.categories["jalan"]),
        text="Jalan rusak parah di depan pasar.",
    )
    await ok(
        client,
        world,
        "admin",
        road["id"],
        "verify",
        {"type": "field_inspection", "agency_id": str(world.agencies["DPUPR"])},
    )
    drain = await create(
        client,
        world,
        channel="web",
        text="Selokan mampet, air meluap ke rumah warga.",
        location={"region_code": "35.21.02.2003"},
    )
    await ok(
        client,
        world,
        "admin",
        drain["id"],
        "verify",
        {"type": "information", "agency_id": str(world.agencies["DLH"])},
    )
    archived = await create(client, world, text="Pesan tidak jelas.", location=None)
    await ok(client, world, "admin", archived["id"], "archive", {"reason": "unclear"})
    january = await create(
        client,
        world,
        "operator",
        channel="counter",
        counter_kind="letter",
        received_at="2025-01-10T02:00:00Z",
        text="Surat tentang bantuan sosial.",
    )
    february = await create(
        client,
        world,
        "operator",
        channel="counter",
        counter_kind="walk_in",
        received_at="2025-02-10T02:00:00Z",
        text="Datang langsung soal KTP.",
    )
    # Dispatched six weeks ago: its deadline (14 working days) has passed.
    today = clock.now()
    clock.set(today - timedelta(weeks=6))
    late = await dispatched(client, world, "DPUPR")
    clock.set(today)
    return {
        "road": road["id"],
        "drain": drain["id"],
        "archived": archived["id"],
        "january": january["id"],
        "february": february["id"],
        "late": late["id"],
    }


async def test_status_type_channel_and_category_filters(
    client: httpx.AsyncClient, world: World, corpus: dict[str, str]
) -> None:
    c = corpus
    assert await _ids(client, world) == set(c.values())
    assert await _ids(client, world, status="archived") == {c["archived"]}
    assert await _ids(client, world, status="received") == {c["january"], c["february"]}
    assert await _ids(client, world, type="information") == {c["drain"]}
    assert await _ids(client, world, type="non_field") == {c["late"]}
    assert await _ids(client, world, channel="web") == {c["drain"]}
    assert await _ids(client, world, channel="counter") == {c["january"], c["february"]}
    assert await _ids(client, world, category_id=str(world.categories["jalan"])) == {c["road"]}


async def test_agency_and_region_prefix_filters(
    client: httpx.AsyncClient, world: World, corpus: dict[str, str]
) -> None:
    c = corpus
    dpupr = str(world.agencies["DPUPR"])
    assert await _ids(client, world, agency_id=dpupr) == {c["road"], c["late"]}
    assert await _ids(client, world, region_code="35.21.02") == {c["drain"]}
    everything_in_ngawi = {c["road"], c["drain"], c["january"], c["february"], c["late"]}
    assert await _ids(client, world, region_code="35.21") == everything_in_ngawi
    assert await _ids(client, world, region_code="35.21.01.2001") == everything_in_ngawi - {
        c["drain"]
    }
    assert await _ids(client, world, region_code="36") == set()


async def test_deadline_filters(
    client: httpx.AsyncClient, world: World, corpus: dict[str, str]
) -> None:
    c = corpus
    assert await _ids(client, world, overdue="true") == {c["late"]}
    assert await _ids(client, world, overdue="false") == set(c.values()) - {c["late"]}
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert await _ids(client, world, due_before=tomorrow) == {c["late"]}
    far = (datetime.now(UTC) + timedelta(days=400)).isoformat()
    assert await _ids(client, world, due_before=far) == {c["late"], c["road"], c["drain"]}
    shown = await client.get(f"/v1/complaints/{c['late']}", headers=world.h("admin"))
    assert shown.json()["overdue"] is True


async def test_received_window_filters(
    client: httpx.AsyncClient, world: World, corpus: dict[str, str]
) -> None:
    c = corpus
    window = {"received_from": "2025-01-01T00:00:00+07:00", "received_to": "2025-02-01T00:00:00Z"}
    assert await _ids(client, world, **window) == {c["january"]}
    # received_to is exclusive, received_from inclusive.
    exact = {"received_from": "2025-02-10T02:00:00Z", "received_to": "2025-02-10T02:00:01Z"}
    assert await _ids(client, world, **exact) == {c["february"]}
    assert await _ids(client, world, received_to="2025-02-10T02:00:00Z") == {c["january"]}


async def test_text_search_and_tracking_id_search(
    client: httpx.AsyncClient, world: World, corpus: dict[str, str]
) -> None:
    c = corpus
    assert await _ids(client, world, q="selokan") == {c["drain"]}
    assert await _ids(client, world, q="Bantuan SOSIAL") == {c["january"]}
    shown = await client.get(f"/v1/complaints/{c['road']}", headers=world.h("admin"))
    tracking = shown.json()["tracking_id"]
    assert await _ids(client, world, q=tracking) == {c["road"]}
    assert await _ids(client, world, q=tracking.lower().replace("-", "")) == {c["road"]}


async def test_liaison_lists_only_their_agency(
    client: httpx.AsyncClient, world: World, corpus: dict[str, str]
) -> None:
    assert await _ids(client, world, "liaison") == {corpus["road"], corpus["late"]}
    assert await _ids(client, world, "liaison_other") == {corpus["drain"]}
    # Asking for another agency's complaints narrows, never widens.
    dlh = str(world.agencies["DLH"])
    assert await _ids(client, world, "liaison", agency_id=dlh) == set()


async def test_operator_lists_only_what_they_took_in(
    client: httpx.AsyncClient, world: World, corpus: dict[str, str]
) -> None:
    assert await _ids(client, world, "operator") == {corpus["january"], corpus["february"]}
    assert await _ids(client, world, "operator_other") == set()
    assert await _ids(client, world, "admin_kupang") == set()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": 201}, "limit"),
        ({"limit": 0}, "limit"),
        ({"status": "lost"}, "status"),
        ({"region_code": "35-21"}, "region_code"),
        ({"due_before": "2025-01-01T00:00:00"}, "due_before"),
        ({"overdue": "maybe"}, "overdue"),
        ({"q": "jalan\x00"}, "q"),
        ({"cursor": "!!!not-a-cursor"}, "cursor"),
        ({"cursor": "bm90IGpzb24"}, "cursor"),
        ({"cursor": "WyJ4IiwgInkiXQ"}, "cursor"),
        ({"cursor": "eyJhIjogMX0"}, "cursor"),
        ({"cursor": "WyI5OTk5OS0wMS0wMSIsICJ4Il0"}, "cursor"),
        # A cursor whose instant has no offset.
        (
            {
                "cursor": "WyIyMDI1LTAxLTAxVDAwOjAwOjAwIiwgIjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAw"
                "MDAwMDAwMDAwNSJd"
            },
            "cursor",
        ),
    ],
)
async def test_bad_list_query_gets_422(
    client: httpx.AsyncClient, world: World, query: dict[str, Any], field: str
) -> None:
    response = await client.get("/v1/complaints", params=query, headers=world.h("admin"))
    assert field in fields_named(assert_error(response, 422))


async def test_keyset_pages_have_no_duplicates_and_no_gaps(
    client: httpx.AsyncClient, world: World
) -> None:
    created = []
    for i in range(25):
        # Ten share one received_at, so the pages must break ties by id.
        at = "2025-03-03T01:00:00Z" if i % 2 else f"2025-03-{4 + i // 2:02d}T01:00:00Z"
        body = await create(
            client, world, "operator", channel="counter", counter_kind="letter", received_at=at
        )
        created.append(body["id"])
    seen: list[dict[str, Any]] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 10} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/v1/complaints", params=params, headers=world.h("admin"))).json()
        seen.extend(page["items"])
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    ids = [item["id"] for item in seen]
    assert len(ids) == len(set(ids)) == 25
    assert set(ids) == set(created)
    keys = [(item["received_at"], item["id"]) for item in seen]
    assert keys == sorted(keys, reverse=True)


async def test_events_come_in_seq_pages(client: httpx.AsyncClient, world: World) -> None:
    c = await dispatched(client, world)
    await ok(client, world, "liaison", c["id"], "acknowledge")
    await ok(client, world, "liaison", c["id"], "responses", {"message": "Selesai."})
    url = f"/v1/complaints/{c['id']}/events"
    first = (await client.get(url, params={"limit": 2}, headers=world.h("admin"))).json()
    assert [e["seq"] for e in first["items"]] == [1, 2]
    assert first["next_cursor"] == "2"
    second = (
        await client.get(url, params={"limit": 2, "cursor": "2"}, headers=world.h("admin"))
    ).json()
    assert [e["seq"] for e in second["items"]] == [3, 4]
    third = (
        await client.get(url, params={"limit": 2, "cursor": "4"}, headers=world.h("admin"))
    ).json()
    assert [e["seq"] for e in third["items"]] == [5]
    assert third["next_cursor"] is None
    assert third["items"][0]["type"] == "responded"
    assert third["items"][0]["actor"]["role"] == "liaison"
    bad = await client.get(url, params={"cursor": "x"}, headers=world.h("admin"))
    assert "cursor" in fields_named(assert_error(bad, 422))
    hidden = await client.get(url, headers=world.h("liaison_other"))
    assert_error(hidden, 404, "complaint_not_found")


@pytest.mark.parametrize(
    "key",
    [
        ["2026-12-01T00:00:00+00:00", 5],  # an id that is no text (uuid.UUID(5) was a 500)
        ["2026-12-01T00:00:00", "00000000-0000-0000-0000-000000000000"],  # no offset
        [20261201, "00000000-0000-0000-0000-000000000000"],
        ["2026-12-01T00:00:00+00:00"],
        {"at": "2026-12-01T00:00:00+00:00"},
        # an instant with no UTC one: the driver's OverflowError was a 500
        ["0001-01-01T00:00:00+14:00", "00000000-0000-0000-0000-000000000000"],
    ],
)
async def test_a_list_cursor_of_the_wrong_shape_is_a_422(
    client: httpx.AsyncClient, world: World, key: Any
) -> None:
    cursor = base64.urlsafe_b64encode(json.dumps(key).encode()).decode()
    bad = await client.get("/v1/complaints", params={"cursor": cursor}, headers=world.h("admin"))
    assert "cursor" in fields_named(assert_error(bad, 422))


async def test_public_tracking_shows_status_and_text_but_no_identity(
    client: httpx.AsyncClient, world: World
) -> None:
    reporter = {"name": "Bambang Sutrisno", "phone": "081298765432", "email": "bams@example.id"}
    c = await create(client, world, reporter=reporter)
    await ok(
        client,
        world,
        "admin",
        c["id"],
        "verify",
        {"type": "non_field", "agency_id": str(world.agencies["DPUPR"])},
    )
    response = await client.get(f"/v1/track/{c['tracking_id']}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "dispatched"
    assert body["agency_name"] == "Dinas Pekerjaan Umum dan Penataan Ruang"
    assert body["text"].startswith("Jalan di Desa Beran")
    assert [t["type"] for t in body["timeline"]] == ["received", "verified", "dispatched"]
    for value in [*reporter.values(), "citizen_app", "admin", str(world.ids["admin"])]:
        assert value not in response.text


async def test_public_tracking_masks_contact_data_typed_into_the_text(
    client: httpx.AsyncClient, world: World
) -> None:
    c = await create(
        client,
        world,
        anonymous=True,
        title="Lampu mati, hubungi 0812 3456 7890",
        text="Lampu jalan mati sejak seminggu. Saya warga RT 03, NIK 3521095304900001, "
        "WA 0812-3456-7890 atau siti@example.id.",
    )
    body = (await client.get(f"/v1/track/{c['tracking_id']}")).json()
    assert body["title"] == "Lampu mati, hubungi [nomor telepon disembunyikan]"
    assert body["text"] == (
        "Lampu jalan mati sejak seminggu. Saya warga RT 03, NIK [NIK disembunyikan], "
        "WA [nomor telepon disembunyikan] atau [email disembunyikan]."
    )
    # The desk keeps the text whole: it may need the number to call back.
    stored = await client.get(f"/v1/complaints/{c['id']}", headers=world.h("admin"))
    assert "0812-3456-7890" in stored.json()["text"]


async def test_public_tracking_hides_the_content_of_a_confidential_complaint(
    client: httpx.AsyncClient, world: World
) -> None:
    c = await create(client, world, confidential=True, title="Pungli di kantor desa")
    body = (await client.get(f"/v1/track/{c['tracking_id']}")).json()
    assert body["confidential"] is True
    assert body["title"] is None
    assert body["text"] is None
    assert body["status"] == "received"


@pytest.mark.parametrize(
    "typed", [str.lower, lambda t: t.replace("-", ""), lambda t: t[4:].lower().replace("-", " ")]
)
async def test_public_tracking_accepts_what_people_type(
    client: httpx.AsyncClient, world: World, typed: Any
) -> None:
    c = await create(client, world)
    response = await client.get(f"/v1/track/{typed(c['tracking_id'])}")
    assert response.status_code == 200, response.text
    assert response.json()["tracking_id"] == c["tracking_id"]


@pytest.mark.parametrize("tracking_id", ["LPR-22222-22222", "nonsense", "LPR-00000-00000"])
async def test_unknown_tracking_id_gets_404(
    client: httpx.AsyncClient, world: World, tracking_id: str
) -> None:
    assert_error(await client.get(f"/v1/track/{tracking_id}"), 404, "tracking_id_not_found")


async def test_the_detail_names_its_agency_as_it_is_now_renamed_or_deactivated(
    client: httpx.AsyncClient, world: World
) -> None:
    # The detail reads the agency from the routing reference cache (app/routing/service.py
    # agency_ref): a rename must show at once, and an inactive agency is still named.
    c = await dispatched(client, world, "DLH")
    url = f"/v1/complaints/{c['id']}"
    before = (await client.get(url, headers=world.h("admin"))).json()["agency"]
    assert before["id"] == str(world.agencies["DLH"])
    renamed = await client.patch(
        f"/v1/agencies/{world.agencies['DLH']}",
        json={"name": "Dinas Lingkungan Hidup dan Kebersihan"},
        headers=world.h("admin"),
    )
    assert renamed.status_code == 200, renamed.text
    after = (await client.get(url, headers=world.h("admin"))).json()["agency"]
    assert after == before | {"name": "Dinas Lingkungan Hidup dan Kebersihan"}
    closed = await client.patch(
        f"/v1/agencies/{world.agencies['DLH']}", json={"active": False}, headers=world.h("admin")
    )
    assert closed.status_code == 200, closed.text
    still = (await client.get(url, headers=world.h("admin"))).json()["agency"]
    assert still == after
    tracked = await client.get(f"/v1/track/{c['tracking_id']}")
    assert tracked.json()["agency_name"] == "Dinas Lingkungan Hidup dan Kebersihan"
