"""Each console action changes the complaint exactly as the API's route would: same status,
same events, same validation."""

from typing import Any

import httpx

from tests.complaint_states import make_complaint
from tests.console.conftest import Browser, Open, agency
from tests.factories import World


async def _api(client: httpx.AsyncClient, world: World, cid: str) -> dict[str, Any]:
    answer = await client.get(f"/v1/complaints/{cid}", headers=world.h("admin"))
    return answer.json()  # type: ignore[no-any-return]


async def _events(client: httpx.AsyncClient, world: World, cid: str) -> list[str]:
    answer = await client.get(f"/v1/complaints/{cid}/events", headers=world.h("admin"))
    return [e["type"] for e in answer.json()["items"]]


async def _act(b: Browser, cid: str, segment: str, form: dict[str, str]) -> None:
    done = await b.post(f"/konsol/keluhan/{cid}/{segment}", form)
    assert done.status_code == 303, done.text
    assert done.headers["location"].startswith(f"/konsol/keluhan/{cid}?selesai=")
    page = await b.get(done.headers["location"])
    assert page.status_code == 200
    assert 'role="status"' in page.text


async def test_admin_verifies_with_type_and_agency_and_it_is_dispatched(
    browser: Open, world: World, client: httpx.AsyncClient
) -> None:
    cid = await make_complaint(client, world)
    admin = await browser("admin")
    await _act(
        admin,
        cid,
        "verifikasi",
        {"type": "field_inspection", "agency_id": agency(world, "DLH"), "category_id": ""},
    )
    after = await _api(client, world, cid)
    assert after["status"] == "dispatched"
    assert after["type"] == "field_inspection"
    assert after["agency"]["code"] == "DLH"
    assert after["due_at"]
    assert await _events(client, world, cid) == ["received", "verified", "dispatched"]


async def test_admin_dispatches_from_triage(
    browser: Open, world: World, client: httpx.AsyncClient
) -> None:
    cid = await make_complaint(client, world, state="verified")
    admin = await browser("admin")
    if (await _api(client, world, cid))["status"] == "verified":
        await _act(admin, cid, "disposisi", {"agency_id": agency(world, "DINSOS")})
    after = await _api(client, world, cid)
    assert after["status"] == "dispatched"
    assert (await _events(client, world, cid)).count("dispatched") >= 1


async def test_liaison_acknowledges_then_responds(
    browser: Open, world: World, client: httpx.AsyncClient
) -> None:
    cid = await make_complaint(client, world, state="dispatched", agency="DPUPR")
    liaison = await browser("liaison")
    await _act(liaison, cid, "terima", {"note": ""})
    assert (await _api(client, world, cid))["status"] == "in_progress"
    await _act(
        liaison,
        cid,
        "tanggapi",
        {"message": "Lampu sudah diganti.", "resolution": "resolved", "resolution_reason": ""},
    )
    after = await _api(client, world, cid)
    assert after["status"] == "responded"
    assert after["resolution"] == "resolved"
    assert (await _events(client, world, cid))[-2:] == ["acknowledged", "responded"]


async def test_a_liaisons_transfer_is_a_request_to_the_admins(
    browser: Open, world: World, client: httpx.AsyncClient
) -> None:
    cid = await make_complaint(client, world, state="dispatched", agency="DPUPR")
    liaison = await browser("liaison")
    await _act(
        liaison,
        cid,
        "alihkan",
        {"agency_id": agency(world, "DLH"), "reason": "Bukan wewenang PUPR."},
    )
    # The same rule as the API's: the complaint stays, the admins are asked.
    assert (await _api(client, world, cid))["agency"]["code"] == "DPUPR"
    assert (await _events(client, world, cid))[-1] == "transfer_requested"


async def test_admin_requests_info_extends_and_archives(
    browser: Open, world: World, client: httpx.AsyncClient
) -> None:
    waiting = await make_complaint(client, world)
    admin = await browser("admin")
    await _act(admin, waiting, "minta-info", {"message": "Mohon sebutkan nama desanya."})
    assert (await _api(client, world, waiting))["status"] == "needs_info"
    assert f"/konsol/keluhan/{waiting}" in (await admin.get("/konsol/antrian/menunggu")).text

    running = await make_complaint(client, world, state="dispatched")
    before = (await _api(client, world, running))["due_at"]
    await _act(admin, running, "perpanjang", {"working_days": "5", "reason": "Menunggu anggaran."})
    assert (await _api(client, world, running))["due_at"] > before
    assert (await _events(client, world, running))[-1] == "deadline_extended"

    spam = await make_complaint(client, world)
    await _act(admin, spam, "arsip", {"reason": "not_a_complaint", "duplicate_of": "", "note": ""})
    after = await _api(client, world, spam)
    assert after["status"] == "archived"
    assert after["archived_reason"] == "not_a_complaint"


async def test_a_bad_form_is_the_apis_422_and_changes_nothing(
    browser: Open, world: World, client: httpx.AsyncClient
) -> None:
    cid = await make_complaint(client, world)
    admin = await browser("admin")
    # A duplicate without the original is refused by the API's own model rule.
    refused = await admin.post(f"/konsol/keluhan/{cid}/arsip", {"reason": "duplicate"})
    assert refused.status_code == 422
    assert "duplicate_of" in refused.text
    assert refused.headers["content-type"].startswith("text/html")
    illegal = await admin.post(
        f"/konsol/keluhan/{cid}/perpanjang", {"working_days": "5", "reason": "x"}
    )
    assert illegal.status_code in (403, 409)
    assert (await _api(client, world, cid))["status"] == "received"


async def test_reveal_shows_the_reporter_and_is_logged_with_its_reason(
    browser: Open, world: World, client: httpx.AsyncClient
) -> None:
    cid = await make_complaint(client, world, anonymous=True)
    admin = await browser("admin")
    page = await admin.get(f"/konsol/keluhan/{cid}")
    assert "Siti Aminah" not in page.text  # anonymous: never on the detail
    shown = await admin.post(
        f"/konsol/keluhan/{cid}/pelapor", {"reason": "Perlu konfirmasi lokasi."}
    )
    assert shown.status_code == 200
    assert "Siti Aminah" in shown.text
    assert shown.headers["cache-control"] == "no-store"
    log = await client.get(
        f"/v1/audit/identity-access?complaint_id={cid}", headers=world.h("admin")
    )
    entries = [(e["action"], e["purpose"], e["actor_id"]) for e in log.json()["items"]]
    assert ("reveal", "Perlu konfirmasi lokasi.", str(world.ids["admin"])) in entries
