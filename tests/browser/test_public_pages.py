"""Citizens' journeys in a real Chromium: filing on the web form, following the tracking page,
by mouse and by keyboard alone, with an axe-core scan of every public page."""

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.browser.support import assert_accessible, screenshot
from tests.complaints.support import create, ok
from tests.factories import World
from tests.pages.support import DESA, KECAMATAN, load_regions

NUMBER = re.compile(r"LPR-[0-9A-Z]{5}-[0-9A-Z]{5}")
FILL_SECONDS = 3_100  # the form refuses a post sooner than a person could write one (ms)


@pytest.fixture
async def api(live_server: str, world: World) -> AsyncIterator[httpx.AsyncClient]:
    """The same live app through its JSON API, to set a journey's scene."""
    async with httpx.AsyncClient(base_url=live_server) as client:
        yield client


@pytest.fixture
async def regions(sessions: async_sessionmaker[AsyncSession]) -> None:
    await load_regions(sessions)


async def test_a_citizen_files_on_the_web_form_and_follows_the_tracking_page(
    browser_page: Any, world: World, regions: None
) -> None:
    page = browser_page
    await page.goto("/lapor")
    assert page.url.endswith("/lapor/35.21")
    await assert_accessible(page)
    await screenshot(page, "lapor")
    await page.fill("#isi", "Saluran air di depan SDN Wonosari tersumbat dan meluap tiap hujan.")
    await page.select_option("#kecamatan", KECAMATAN)
    # With JavaScript the desa list fills in place; the no-JS button is hidden.
    await page.wait_for_selector(f'#desa option[value="{DESA}"]', state="attached")
    assert not await page.locator("[data-without-js]").is_visible()
    await page.select_option("#desa", DESA)
    await page.check("#setuju")
    await page.wait_for_timeout(FILL_SECONDS)
    await page.click("button:text('Kirim laporan')")
    await page.wait_for_selector("h1:text('Laporan terkirim')")
    await screenshot(page, "lapor-terkirim")
    number = NUMBER.search(await page.inner_text("main"))
    assert number
    await page.goto(f"/lacak?nomor={number.group(0).lower()}")  # typed as a person would
    assert page.url.endswith(f"/lacak/{number.group(0)}")
    main = await page.inner_text("main")
    assert "Diterima, menunggu verifikasi" in main
    assert "Saluran air di depan SDN Wonosari" in main
    await assert_accessible(page)


async def test_the_tracking_page_shows_agency_and_deadline_after_verification(
    browser_page: Any, api: httpx.AsyncClient, world: World
) -> None:
    c = await create(api, world)
    verify = {"type": "non_field", "agency_id": str(world.agencies["DPUPR"])}
    await ok(api, world, "admin", c["id"], "verify", verify)
    await browser_page.goto(f"/lacak/{c['tracking_id']}")
    main = await browser_page.inner_text("main")
    assert "Dinas Pekerjaan Umum dan Penataan Ruang" in main
    assert "Masih dalam batas waktu" in main
    assert "WIB" in main
    await assert_accessible(browser_page)
    await screenshot(browser_page, "lacak")


async def test_a_confidential_complaints_page_shows_no_text(
    browser_page: Any, api: httpx.AsyncClient, world: World
) -> None:
    c = await create(api, world, confidential=True)
    await browser_page.goto(f"/lacak/{c['tracking_id']}")
    main = await browser_page.inner_text("main")
    assert "bersifat rahasia" in main
    assert "Jalan di Desa Beran" not in main
    assert "Jalan berlubang" not in main


async def test_the_lookup_and_its_not_found_page_pass_axe(browser_page: Any) -> None:
    await browser_page.goto("/lacak")
    await assert_accessible(browser_page)
    await screenshot(browser_page, "lacak-cari")
    await browser_page.fill("#nomor", "LPR-22222-22222")
    await browser_page.press("#nomor", "Enter")
    await browser_page.wait_for_selector("[role=alert]")
    assert "tidak ditemukan" in await browser_page.inner_text("main")
    await assert_accessible(browser_page)


async def test_the_form_with_its_errors_passes_axe(
    browser_page: Any, world: World, regions: None
) -> None:
    await browser_page.goto("/lapor/35.21")
    await browser_page.fill("#telepon", "bukan nomor")
    # Past the browser's own checks, as an old phone's browser would send it.
    await browser_page.evaluate(
        "document.querySelector('form[action=\"/lapor\"]').noValidate = true"
    )
    await browser_page.wait_for_timeout(FILL_SECONDS)
    await browser_page.click("button:text('Kirim laporan')")
    await browser_page.wait_for_selector("#salah")
    summary = await browser_page.inner_text("#salah")
    assert "Tuliskan isi laporan Anda" in summary
    assert "Nomor telepon hanya berisi angka" in summary
    assert await browser_page.evaluate("document.activeElement.id") == "salah"
    await assert_accessible(browser_page)


async def test_the_form_can_be_filled_and_sent_with_the_keyboard_alone(
    browser_page: Any, world: World, regions: None
) -> None:
    page = browser_page
    await page.goto("/lapor/35.21")
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.textContent") == "Langsung ke isi"
    await page.keyboard.press("Enter")  # the skip link: past the navigation, into the form
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.id") == "isi"
    await page.keyboard.type("Jembatan bambu di Dusun Krajan hampir putus.")
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.id") == "judul"
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.id") == "kecamatan"
    await page.keyboard.press("ArrowDown")  # the first kecamatan
    await page.wait_for_selector("#desa option:nth-child(2)", state="attached")
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.id") == "desa"
    await page.keyboard.press("ArrowDown")
    for expected in ("alamat", "lampiran", "nama", "telepon", "email", "anonim", "rahasia"):
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.id") == expected
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.id") == "setuju"
    await page.keyboard.press("Space")
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.textContent") == "Kirim laporan"
    await page.wait_for_timeout(FILL_SECONDS)
    await page.keyboard.press("Enter")
    await page.wait_for_selector("h1:text('Laporan terkirim')")
    assert NUMBER.search(await page.inner_text("main"))
