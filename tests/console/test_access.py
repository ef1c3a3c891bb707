"""Who sees and may do what in the console: the API's own answers, as pages."""

import httpx
import pytest

from tests.complaint_states import make_complaint
from tests.console.conftest import Open
from tests.factories import World
from tests.routing.support import take_in, verify
from tests.routing.test_learned_routing import trained  # noqa: F401 - the fixture


async def test_admin_queue_of_verification_lists_a_new_complaint(
    browser: Open, world: World, client: httpx.AsyncClient
) -> None:
    cid = await make_complaint(client, world)
    admin = await browser("admin")
    queue = await admin.get("/konsol/antrian/verifikasi")
    assert queue.status_code == 200
    assert f"/konsol/keluhan/{cid}" in queue.text
    elsewhere = await admin.get("/konsol/antrian/menunggu")
    assert f"/konsol/keluhan/{cid}" not in elsewhere.text


async def test_text_search_and_filters_narrow_the_queue(
    browser: Open, world: World, client: httpx.AsyncClient
) -> None:
    lamp = await make_complaint(client, world)
    road = await make_complaint(client, world, text="Jalan berlubang besar di desa Beran.")
    admin = await browser("admin")
    found = await admin.get("/konsol/antrian/semua?q=berlubang&type=&channel=&agency_id=")
    assert f"/konsol/keluhan/{road}" in found.text
    assert f"/konsol/keluhan/{lamp}" not in found.text
    bad = await admin.get("/konsol/antrian/semua?type=bogus")
    assert bad.status_code == 422


async def test_queue_pages_by_keyset(
    browser: Open, world: World, client: httpx.AsyncClient
) -> None:
    for _ in range(26):
        await make_complaint(client, world)
    admin = await browser("admin")
    first = await admin.get("/konsol/antrian/semua")
    assert first.text.count('href="/konsol/keluhan/') == 25
    assert "cursor=" in first.text
    link = first.text.split('href="?', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    second = await admin.get(f"/konsol/antrian/semua?{link}")
    assert second.text.count('href="/konsol/keluhan/') == 1


async def test_liaison_opens_own_agencys_complaint_but_not_another_agencys(
    browser: Open, world: World, client: httpx.AsyncClient
) -> None:
    cid = await make_complaint(client, world, state="dispatched", agency="DPUPR")
    own, other = await browser("liaison"), await browser("liaison_other")
    assert (await own.get(f"/konsol/keluhan/{cid}")).status_code == 200
    refused = await other.get(f"/konsol/keluhan/{cid}")
    api = await client.get(f"/v1/complaints/{cid}", headers=world.h("liaison_other"))
    assert refused.status_code == api.status_code == 404
    assert refused.headers["content-type"].startswith("text/html")
    queue = await other.get("/konsol/antrian/semua")
    assert f"/konsol/keluhan/{cid}" not in queue.text


async def test_the_page_offers_exactly_the_actions_the_api_allows(
    browser: Open, world: World, client: httpx.AsyncClient
) -> None:
    cid = await make_complaint(client, world, state="dispatched", agency="DPUPR")
    for who in ("admin", "liaison", "supervisor"):
        b = await browser(who)
        html = (await b.get(f"/konsol/keluhan/{cid}")).text
        api = await client.get(f"/v1/complaints/{cid}", headers=world.h(who))
        offered = {
            a for a, seg in SEGMENTS.items() if f'action="/konsol/keluhan/{cid}/{seg}"' in html
        }
        assert offered == set(api.json()["allowed_actions"]) & SEGMENTS.keys(), who
        assert ('action="/konsol/keluhan/' + cid + '/pelapor"' in html) == (who == "admin")


async def test_an_action_not_offered_is_refused_when_posted(
    browser: Open, world: World, client: httpx.AsyncClient
) -> None:
    cid = await make_complaint(client, world)
    for who in ("supervisor", "liaison"):
        b = await browser(who)
        refused = await b.post(f"/konsol/keluhan/{cid}/verifikasi", {"type": "non_field"})
        assert refused.status_code == 403, who
        assert refused.headers["content-type"].startswith("text/html")
    supervisor = await browser("supervisor")
    reveal = await supervisor.post(f"/konsol/keluhan/{cid}/pelapor", {"reason": "ingin tahu saja"})
    assert reveal.status_code == 403
    after = await client.get(f"/v1/complaints/{cid}", headers=world.h("admin"))
    assert after.json()["status"] == "received"


async def test_inspektorat_reads_the_dashboard_and_setup_but_gets_no_forms(
    browser: Open, world: World
) -> None:
    supervisor = await browser("supervisor")
    setup = await supervisor.get("/konsol/pengaturan")
    assert setup.status_code == 200
    assert 'action="/konsol/pengaturan/instansi"' not in setup.text
    assert 'action="/konsol/pengaturan/aturan/uji' in setup.text  # the tester only reads
    refused = await supervisor.post(
        "/konsol/pengaturan/instansi", {"code": "X", "name": "X", "kind": "dinas"}
    )
    assert refused.status_code == 403
    assert (await supervisor.get("/konsol/laporan")).status_code == 200


async def test_a_liaison_has_no_setup_pages(browser: Open, world: World) -> None:
    liaison = await browser("liaison")
    assert (await liaison.get("/konsol/pengaturan")).status_code == 403


SEGMENTS = {
    "verify": "verifikasi",
    "request_info": "minta-info",
    "archive": "arsip",
    "dispatch": "disposisi",
    "acknowledge": "terima",
    "transfer": "alihkan",
    "respond": "tanggapi",
    "extend": "perpanjang",
}


@pytest.mark.usefixtures("trained")
async def test_the_triage_queue_shows_the_models_candidates_and_probabilities(
    browser: Open, world: World, client: httpx.AsyncClient
) -> None:
    unsure = await take_in(client, world, "tolong", None)
    status, _ = await verify(client, world, unsure["id"])
    assert status == "verified"  # the model abstained: triage
    candidates = await client.get(f"/v1/complaints/{unsure['id']}", headers=world.h("admin"))
    top = candidates.json()["routing"]["candidates"][0]
    admin = await browser("admin")
    queue = await admin.get("/konsol/antrian/triase")
    row = queue.text.split(f"/konsol/keluhan/{unsure['id']}", 1)[1].split("</tr>", 1)[0]
    assert f"{top['code']} {top['probability'] * 100:.0f}%" in row
    page = await admin.get(f"/konsol/keluhan/{unsure['id']}")
    assert top["name"] in page.text.split("Kandidat instansi", 1)[1]
