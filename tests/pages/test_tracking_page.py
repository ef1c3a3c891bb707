"""/lacak: the lookup, the complaint's page (status, timeline, agency, deadline), never identity."""

import httpx

from tests.complaints.support import create, ok
from tests.factories import World


async def test_the_lookup_form_works_without_javascript(client: httpx.AsyncClient) -> None:
    page = await client.get("/lacak")
    assert page.status_code == 200
    assert '<form method="get" action="/lacak"' in page.text
    assert '<label for="nomor">' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]


async def test_a_typed_number_leads_to_its_page(client: httpx.AsyncClient, world: World) -> None:
    c = await create(client, world)
    typed = c["tracking_id"].lower().replace("-", " ")
    response = await client.get("/lacak", params={"nomor": typed})
    assert response.status_code == 303
    assert response.headers["location"] == f"/lacak/{c['tracking_id']}"


async def test_an_unknown_number_is_a_404_page_with_the_lookup_form(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/lacak?nomor=LPR-22222-22222", "/lacak/LPR-22222-22222", "/lacak/bukan-nomor"):
        page = await client.get(path)
        assert page.status_code == 404, path
        assert page.headers["content-type"].startswith("text/html")
        assert "tidak ditemukan" in page.text
        assert 'action="/lacak"' in page.text


async def test_the_page_shows_status_timeline_and_text_but_no_identity(
    client: httpx.AsyncClient, world: World
) -> None:
    reporter = {"name": "Siti Aminah", "phone": "+6281234567890", "email": "siti@contoh.id"}
    c = await create(client, world, reporter=reporter)
    page = await client.get(f"/lacak/{c['tracking_id']}")
    assert page.status_code == 200
    assert "Diterima, menunggu verifikasi" in page.text
    assert "Laporan diterima" in page.text  # the timeline
    assert "WIB" in page.text  # local time of Kabupaten Ngawi
    assert "Jalan di Desa Beran berlubang besar" in page.text
    for secret in ("Siti", "6281234567890", "siti@contoh.id"):
        assert secret not in page.text


async def test_a_confidential_complaint_shows_no_text(
    client: httpx.AsyncClient, world: World
) -> None:
    c = await create(client, world, confidential=True, title="Pungutan liar di kantor desa")
    page = await client.get(f"/lacak/{c['tracking_id']}")
    assert page.status_code == 200
    assert "bersifat rahasia" in page.text
    assert "Jalan di Desa Beran" not in page.text
    assert "Pungutan liar" not in page.text


async def test_after_verification_the_page_shows_the_agency_and_the_deadline(
    client: httpx.AsyncClient, world: World
) -> None:
    c = await create(client, world)
    before = await client.get(f"/lacak/{c['tracking_id']}")
    assert "Ditetapkan setelah laporan diverifikasi" in before.text
    verify = {"type": "non_field", "agency_id": str(world.agencies["DPUPR"])}
    verified = await ok(client, world, "admin", c["id"], "verify", verify)
    page = await client.get(f"/lacak/{c['tracking_id']}")
    assert "Dinas Pekerjaan Umum dan Penataan Ruang" in page.text
    assert "Masih dalam batas waktu" in page.text
    assert "Diteruskan ke instansi" in page.text
    assert verified["due_at"][:10] in page.text  # the <time datetime=...> of the deadline
    public = (await client.get(f"/v1/track/{c['tracking_id']}")).json()
    assert public["on_time"] is True
    assert public["timezone"] == "Asia/Jakarta"
