"""/lapor: the web form files through the API's submission; its abuse guards refuse quietly."""

import io
import re
from datetime import timedelta

import httpx
import pytest
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.kernel.clock import ManualClock
from app.kernel.config import Settings
from tests.complaints.support import fetch
from tests.factories import World
from tests.pages.support import DESA, KECAMATAN, fields, load_regions, open_form, post_form
from tests.test_hardening import client_for


@pytest.fixture
async def regions(sessions: async_sessionmaker[AsyncSession]) -> None:
    await load_regions(sessions)


async def _complaints(engine: AsyncEngine) -> list[dict[str, object]]:
    return await fetch(engine, "SELECT * FROM complaints ORDER BY received_at")


async def test_lapor_opens_the_default_jurisdictions_form(client: httpx.AsyncClient) -> None:
    response = await client.get("/lapor")
    assert response.status_code == 303
    assert response.headers["location"] == "/lapor/35.21"


async def test_the_form_lists_kecamatan_and_without_js_the_desa_of_the_picked_one(
    client: httpx.AsyncClient, world: World, regions: None
) -> None:
    page = await client.get("/lapor/35.21")
    assert page.status_code == 200
    assert f'<option value="{KECAMATAN}">Sine</option>' in page.text
    assert "Pilih kecamatan dahulu" in page.text
    assert 'name="pilih" value="kecamatan"' in page.text  # the no-JS button
    for word in ("Anonim", "Rahasia", 'name="setuju"', 'type="file"'):
        assert word in page.text
    # The no-JS picker posts the form, which comes back as typed, with the desa listed.
    data = fields("", pilih="kecamatan", desa=None, isi="Tulisan yang belum selesai")
    again = await post_form(client, data)
    assert again.status_code == 200
    assert f'<option value="{DESA}">Wonosari</option>' in again.text
    assert "Tulisan yang belum selesai" in again.text
    listed = await client.get("/lapor/35.21/desa", params={"kecamatan": KECAMATAN})
    assert {"code": DESA, "name": "Wonosari"} in listed.json()


async def test_a_citizen_files_on_the_form_and_gets_the_number_and_link(
    client: httpx.AsyncClient, world: World, regions: None, clock: ManualClock, engine: AsyncEngine
) -> None:
    token = await open_form(client, clock)
    data = fields(token, nama="Budi", telepon="081234567890", rahasia="1")
    response = await post_form(client, data)
    assert response.status_code == 200, response.text
    number = re.search(r"LPR-[0-9A-Z]{5}-[0-9A-Z]{5}", response.text)
    assert number
    assert f"http://127.0.0.1:8000/lacak/{number.group(0)}" in response.text
    [row] = await _complaints(engine)
    assert row["tracking_id"] == number.group(0)
    assert row["channel"] == "web"
    assert row["region_code"] == DESA
    assert row["confidential"] is True
    assert row["anonymous"] is False
    sealed = await fetch(
        engine, "SELECT phone_hash FROM reporters WHERE complaint_id = :id", id=row["id"]
    )
    assert sealed[0]["phone_hash"]  # the identity went to app/privacy, sealed


async def test_a_photo_is_attached_through_the_attachments_service(
    client: httpx.AsyncClient, world: World, regions: None, clock: ManualClock, engine: AsyncEngine
) -> None:
    image = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(image, "PNG")
    token = await open_form(client, clock)
    files = [("lampiran", ("foto.png", image.getvalue(), "image/png"))]
    response = await post_form(client, fields(token), files)
    assert response.status_code == 200, response.text
    [row] = await _complaints(engine)
    [attached] = await fetch(engine, "SELECT complaint_id FROM attachments")
    assert attached["complaint_id"] == row["id"]
    bad = [("lampiran", ("virus.exe", b"MZ\x90\x00not an image", "image/png"))]
    token = await open_form(client, clock)
    refused = await post_form(client, fields(token), bad)
    assert refused.status_code == 422
    assert "Lampiran tidak dapat diterima" in refused.text
    assert len(await _complaints(engine)) == 1
    assert len(await fetch(engine, "SELECT id FROM attachments")) == 1


async def test_missing_text_and_consent_are_told_in_indonesian_and_kept_as_typed(
    client: httpx.AsyncClient, world: World, regions: None, clock: ManualClock, engine: AsyncEngine
) -> None:
    token = await open_form(client, clock)
    response = await post_form(client, fields(token, isi="", setuju=None, telepon="bukan nomor"))
    assert response.status_code == 422
    assert "Tuliskan isi laporan Anda" in response.text
    assert "Centang persetujuan" in response.text
    assert "Nomor telepon hanya berisi angka" in response.text
    assert 'value="bukan nomor"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert await _complaints(engine) == []


async def test_a_desa_of_another_kecamatan_is_refused(
    client: httpx.AsyncClient, world: World, regions: None, clock: ManualClock, engine: AsyncEngine
) -> None:
    token = await open_form(client, clock)
    response = await post_form(client, fields(token, kecamatan="35.21.02"))
    assert response.status_code == 422
    assert "Pilih desa/kelurahan dari daftar" in response.text
    assert await _complaints(engine) == []


async def test_a_filled_honeypot_looks_received_but_stores_nothing(
    client: httpx.AsyncClient, world: World, regions: None, clock: ManualClock, engine: AsyncEngine
) -> None:
    token = await open_form(client, clock)
    response = await post_form(client, fields(token, situs_web="http://spam.example"))
    assert response.status_code == 200
    assert "Laporan terkirim" in response.text
    assert re.search(r"LPR-[0-9A-Z]{5}-[0-9A-Z]{5}", response.text)
    assert await _complaints(engine) == []


async def test_a_form_posted_at_once_or_without_its_cookie_stores_nothing(
    client: httpx.AsyncClient, world: World, regions: None, clock: ManualClock, engine: AsyncEngine
) -> None:
    token = await open_form(client)  # no time passes: a script, not a person
    too_fast = await post_form(client, fields(token))
    assert too_fast.status_code == 422
    assert "kirim ulang" in too_fast.text
    clock.advance(timedelta(seconds=20))
    client.cookies.clear()  # a cross-site post carries the token but not our form cookie
    forged = await post_form(client, fields(token))
    assert forged.status_code == 422
    clock.advance(timedelta(hours=7))
    assert (await post_form(client, fields(token))).status_code == 422  # expired
    assert await _complaints(engine) == []


async def test_an_unknown_jurisdiction_is_a_404_page(client: httpx.AsyncClient) -> None:
    for response in (
        await client.get("/lapor/99.99"),
        await client.post("/lapor", data={"wilayah": "99.99"}),
    ):
        assert response.status_code == 404
        assert "Halaman tidak ditemukan" in response.text


async def test_the_form_post_is_rate_limited_and_size_limited_with_html_pages(
    settings: Settings, world: World
) -> None:
    tight = settings.model_copy(
        update={
            "rate_limit_address_per_second": 0.01,
            "rate_limit_address_burst": 2,
            "max_attachment_bytes": 10_000,
        }
    )
    async with client_for(tight) as client:
        big = [("lampiran", ("besar.png", b"x" * 200_000, "image/png"))]
        too_large = await post_form(client, fields("t"), big)
        assert too_large.status_code == 413
        assert "Kiriman terlalu besar" in too_large.text
        await post_form(client, fields("t"))
        limited = await post_form(client, fields("t"))
        assert limited.status_code == 429
        assert limited.headers["content-type"].startswith("text/html")
        assert "Terlalu banyak permintaan" in limited.text
        assert int(limited.headers["retry-after"]) >= 1


async def test_form_posts_have_a_tighter_limit_of_their_own(
    settings: Settings, world: World
) -> None:
    tight = settings.model_copy(
        update={"rate_limit_form_per_minute": 0.6, "rate_limit_form_burst": 2}
    )
    async with client_for(tight) as client:
        for _ in range(2):
            assert (await post_form(client, fields("t"))).status_code == 422  # a bad token
        limited = await post_form(client, fields("t"))
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 90  # one post per 100 s
        assert (await client.get("/lapor/35.21")).status_code == 200  # reading is not posting
        assert (await client.get("/lacak")).status_code == 200


async def test_each_public_page_is_under_100_kb_with_its_css_and_js(
    client: httpx.AsyncClient, world: World, regions: None
) -> None:
    from tests.complaints.support import create

    c = await create(client, world)
    for path in ("/lacak", f"/lacak/{c['tracking_id']}", "/lapor/35.21"):
        page = await client.get(path)
        assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
        assert len(assets) == 2, assets  # the stylesheet and the script
        total = len(page.content) + sum([len((await client.get(a)).content) for a in assets])
        assert total < 100_000, (path, total)
