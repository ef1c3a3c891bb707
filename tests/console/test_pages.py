"""The dashboard, its download, and the set-up pages with the rule tester; page weight."""

import re

import httpx
import pytest

from tests.complaint_states import make_complaint
from tests.console.conftest import Open, agency
from tests.factories import World

LIMIT = 100 * 1024  # each page under 100 KB before images (issue 14)


async def test_dashboard_draws_the_reports_figures_as_svg(
    browser: Open, world: World, client: httpx.AsyncClient
) -> None:
    await make_complaint(client, world, state="dispatched")
    await make_complaint(client, world)
    admin = await browser("admin")
    page = await admin.get("/konsol/laporan")
    assert page.status_code == 200
    assert page.text.count('<figure class="chart"') == 3
    # The status mix: one waiting for verification, one in process, so both bars are full.
    mix = page.text.split("Komposisi status", 1)[1]
    for label in ("Belum diverifikasi", "Dalam proses"):
        row = mix.split(label, 1)[1].split("</tr>", 1)[0]
        assert 'width="100.0" height="10" class="bar"' in row
    assert 'width="0.0" height="10" class="bar"' in mix.split("Selesai", 1)[1].split("</tr>")[0]
    assert "<script" not in page.text.split("</main>")[0]
    api = await client.get("/v1/reports/summary", headers=world.h("admin"))
    received = api.json()["totals"]["received"]
    assert f"Diterima: <strong>{received}</strong>" in page.text
    assert "Dinas Pekerjaan Umum" in page.text  # the on-time bar of the agency that has one


async def test_monthly_xlsx_downloads_behind_the_session(
    browser: Open, world: World, client: httpx.AsyncClient
) -> None:
    await make_complaint(client, world)
    admin = await browser("admin")
    page = await admin.get("/konsol/laporan")
    month = re.search(r'name="bulan"[^>]* value="(\d{4}-\d{2})"', page.text).group(1)  # type: ignore[union-attr]
    sheet = await admin.get(f"/konsol/laporan/unduh?bulan={month}")
    assert sheet.status_code == 200
    assert sheet.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert sheet.content[:2] == b"PK"


async def test_admin_sets_up_agency_liaison_category_and_rule_then_tests_the_rule(
    browser: Open, world: World
) -> None:
    admin = await browser("admin")
    made = await admin.post(
        "/konsol/pengaturan/instansi",
        {"code": "DISHUB", "name": "Dinas Perhubungan", "kind": "dinas", "head_email": ""},
    )
    assert made.status_code == 303
    setup = await admin.get("/konsol/pengaturan")
    assert "Dinas Perhubungan" in setup.text
    dishub = next(
        part.split('"', 1)[0]
        for part in setup.text.split('href="/konsol/pengaturan/instansi/')[1:]
        if part.split("</a>", 1)[0].endswith(">DISHUB")
    )
    liaison = await admin.post(
        f"/konsol/pengaturan/instansi/{dishub}/penghubung",
        {
            "name": "Budi",
            "role": "primary",
            "decree_number": "188/12/2026",
            "valid_from": "2026-01-01",
        },
    )
    assert liaison.status_code == 303
    page = await admin.get(f"/konsol/pengaturan/instansi/{dishub}")
    assert "188/12/2026" in page.text
    assert "berlaku" in page.text
    category = await admin.post(
        "/konsol/pengaturan/kategori",
        {"code": "lalin", "name": "Lalu lintas", "default_agency_id": dishub, "default_type": ""},
    )
    assert category.status_code == 303
    rule = await admin.post(
        "/konsol/pengaturan/aturan",
        {
            "name": "Lampu lalu lintas",
            "position": "10",
            "agency_id": dishub,
            "keywords": "lampu merah, traffic light",
        },
    )
    assert rule.status_code == 303
    tested = await admin.post(
        "/konsol/pengaturan/aturan/uji", {"text": "Lampu merah di perempatan mati total."}
    )
    assert tested.status_code == 200
    assert "Hasil: DISHUB" in tested.text


async def test_admin_edits_an_agency_and_switches_a_category_and_a_rule_off(
    browser: Open, world: World, client: httpx.AsyncClient
) -> None:
    admin = await browser("admin")
    dlh = agency(world, "DLH")
    edited = await admin.post(
        f"/konsol/pengaturan/instansi/{dlh}",
        {"name": "Dinas Lingkungan Hidup Kab. Ngawi", "kind": "dinas", "active": "false"},
    )
    assert edited.status_code == 303
    api = await client.get(f"/v1/agencies/{dlh}", headers=world.h("admin"))
    assert api.json()["name"] == "Dinas Lingkungan Hidup Kab. Ngawi"
    assert api.json()["active"] is False
    road = str(world.categories["jalan"])
    assert (
        await admin.post(f"/konsol/pengaturan/kategori/{road}", {"active": "false"})
    ).status_code == 303
    cats = await client.get("/v1/categories", headers=world.h("admin"))
    assert [c["active"] for c in cats.json()["items"] if c["id"] == road] == [False]
    rule = await client.post(
        "/v1/routing-rules",
        json={
            "name": "Bansos",
            "position": 5,
            "agency_id": agency(world, "DINSOS"),
            "keywords": ["bansos"],
        },
        headers=world.h("admin"),
    )
    assert rule.status_code == 201, rule.text
    rid = rule.json()["id"]
    assert (await admin.post(f"/konsol/pengaturan/aturan/{rid}/aktif")).status_code == 303
    after = await client.get(f"/v1/routing-rules/{rid}", headers=world.h("admin"))
    assert after.json() == {**rule.json(), "active": False}


async def test_a_bad_setup_form_is_a_422_page(browser: Open, world: World) -> None:
    admin = await browser("admin")
    refused = await admin.post(
        "/konsol/pengaturan/aturan",
        {"name": "Tanpa syarat", "position": "1", "agency_id": agency(world, "DLH")},
    )
    assert refused.status_code == 422


@pytest.mark.parametrize(
    "path",
    [
        "/konsol/antrian/verifikasi",
        "/konsol/antrian/semua",
        "/konsol/laporan",
        "/konsol/pengaturan",
        "{complaint}",
    ],
)
async def test_each_page_is_under_100_kb(
    browser: Open, world: World, client: httpx.AsyncClient, path: str
) -> None:
    for _ in range(3):
        cid = await make_complaint(client, world, state="dispatched")
    admin = await browser("admin")
    page = await admin.get(path.format(complaint=f"/konsol/keluhan/{cid}"))
    assert page.status_code == 200
    assert len(page.content) < LIMIT
    assert "https://" not in page.text.split("<body", 1)[0]  # nothing from another origin
