"""The staff console in Chromium: whole journeys through the real forms, and an axe-core scan
of every console page. Complaints are taken in through the API, as a citizen's app would."""

from typing import Any

import httpx

from tests.browser.support import assert_accessible, screenshot
from tests.complaints.support import create
from tests.factories import PASSWORD, World

DESKTOP = {"width": 1280, "height": 900}


async def _desk(browser: Any, live_server: str, world: World, who: str) -> Any:
    """A desktop page logged in as `who` through the login form."""
    context = await browser.new_context(base_url=live_server, locale="id-ID", viewport=DESKTOP)
    page = await context.new_page()
    await page.goto("/konsol/")
    assert "/konsol/masuk" in page.url  # anonymous: sent to the login form first
    await page.get_by_label("Nama pengguna").fill(f"{who}.{world.jurisdiction_id.hex[:6]}")
    await page.get_by_label("Kata sandi").fill(PASSWORD)
    await page.get_by_role("button", name="Masuk").click()
    await page.wait_for_url("**/konsol/antrian/**")
    return page


async def _status(live_server: str, world: World, cid: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=live_server) as api:
        found = await api.get(f"/v1/complaints/{cid}", headers=world.h("admin"))
    body: dict[str, Any] = found.json()
    return body


async def test_admin_verifies_and_dispatches_from_the_queue_and_the_liaison_responds(
    browser: Any, live_server: str, world: World
) -> None:
    async with httpx.AsyncClient(base_url=live_server) as api:
        c = await create(api, world, title="Lampu jalan mati di Beran")
    admin = await _desk(browser, live_server, world, "admin")
    await admin.goto("/konsol/antrian/verifikasi")
    await admin.get_by_role("link", name=c["tracking_id"]).click()
    await admin.get_by_label("Jenis keluhan").select_option("non_field")
    await admin.get_by_role("button", name="Verifikasi").click()
    await admin.wait_for_url("**selesai=verify")
    if (await _status(live_server, world, c["id"]))["status"] == "verified":
        # Routing left it to triage (no rule or model is sure): the admin picks the agency.
        await admin.get_by_label("Instansi tujuan").select_option(str(world.agencies["DPUPR"]))
        await admin.get_by_role("button", name="Disposisikan").click()
        await admin.wait_for_url("**selesai=dispatch")
    after = await _status(live_server, world, c["id"])
    assert after["status"] == "dispatched"
    assert after["agency"]["code"] == "DPUPR"

    liaison = await _desk(browser, live_server, world, "liaison")
    await liaison.goto("/konsol/antrian/instansi")
    await liaison.get_by_role("link", name=c["tracking_id"]).click()
    await liaison.get_by_role("button", name="Terima").click()
    await liaison.wait_for_url("**selesai=acknowledge")
    await liaison.get_by_label("Tanggapan untuk pelapor").fill("Lampu sudah diganti hari ini.")
    await liaison.get_by_role("button", name="Kirim tanggapan").click()
    await liaison.wait_for_url("**selesai=respond")
    assert "Sudah ditanggapi" in await liaison.locator("h1").inner_text()
    assert (await _status(live_server, world, c["id"]))["status"] == "responded"


async def test_a_liaison_cannot_open_another_agencys_complaint(
    browser: Any, live_server: str, world: World
) -> None:
    async with httpx.AsyncClient(base_url=live_server) as api:
        c = await create(api, world)
        await api.post(
            f"/v1/complaints/{c['id']}/verify",
            json={"type": "non_field", "agency_id": str(world.agencies["DPUPR"])},
            headers=world.h("admin"),
        )
    other = await _desk(browser, live_server, world, "liaison_other")
    answer = await other.goto(f"/konsol/keluhan/{c['id']}")
    assert answer.status == 404
    assert await other.locator("h1").inner_text() == "Halaman tidak ditemukan"
    assert c["tracking_id"] not in await other.content()


async def test_every_console_page_passes_axe(browser: Any, live_server: str, world: World) -> None:
    async with httpx.AsyncClient(base_url=live_server) as api:
        waiting = await create(api, world, title="Jalan berlubang di Desa Beran")
        sent = await create(api, world, title="Sampah menumpuk di pasar")
        await api.post(
            f"/v1/complaints/{sent['id']}/verify",
            json={"type": "non_field", "agency_id": str(world.agencies["DLH"])},
            headers=world.h("admin"),
        )
    login = await (await browser.new_context(base_url=live_server, viewport=DESKTOP)).new_page()
    await login.goto("/konsol/masuk")
    await assert_accessible(login)
    await screenshot(login, "konsol-masuk")
    admin = await _desk(browser, live_server, world, "admin")
    pages = {
        "konsol-antrian": "/konsol/antrian/verifikasi",
        "konsol-antrian-semua": "/konsol/antrian/semua",
        "konsol-keluhan": f"/konsol/keluhan/{waiting['id']}",
        "konsol-keluhan-instansi": f"/konsol/keluhan/{sent['id']}",
        "konsol-laporan": "/konsol/laporan",
        "konsol-pengaturan": "/konsol/pengaturan",
        "konsol-instansi": f"/konsol/pengaturan/instansi/{world.agencies['DPUPR']}",
    }
    for name, path in pages.items():
        answer = await admin.goto(path)
        assert answer.status == 200, path
        await assert_accessible(admin)
        await screenshot(admin, name)
    liaison = await _desk(browser, live_server, world, "liaison")
    await liaison.goto("/konsol/antrian/instansi")
    await assert_accessible(liaison)
