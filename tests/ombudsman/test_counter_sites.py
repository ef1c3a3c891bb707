"""Counter intake on the spot: where a complaint was taken (which agency's office or booth,
which event), through the same submission, shown by a report and a list filter."""

import httpx

from tests.factories import World


def _counter(site: dict[str, str] | None, **extra: object) -> dict[str, object]:
    return {
        "channel": "counter",
        "counter_kind": "walk_in",
        "text": "Antrean KTP di kecamatan terlalu lama.",
        **({"counter_site": site} if site is not None else {}),
        **extra,
    }


async def test_counter_sites_are_recorded_reported_and_filtered(
    client: httpx.AsyncClient, world: World
) -> None:
    h = world.h("operator")
    expo = {"agency_code": "DPUPR", "event": "Gerai Pengaduan HUT Ngawi"}
    for body in (_counter(expo), _counter(expo), _counter({"agency_code": "DLH"}), _counter(None)):
        taken = await client.post("/v1/complaints", json=body, headers=h)
        assert taken.status_code == 201, taken.text
    web = await client.post(
        "/v1/complaints", json={"channel": "web", "text": "Lampu mati."}, headers=world.h("admin")
    )
    assert web.status_code == 201

    report = await client.get("/v1/reports/counter-sites", headers=world.h("admin"))
    assert report.status_code == 200, report.text
    rows = {r["key"]: (r["name"], r["received"]) for r in report.json()["rows"]}
    assert rows == {
        "DPUPR · Gerai Pengaduan HUT Ngawi": ("Dinas Pekerjaan Umum dan Penataan Ruang", 2),
        "DLH": ("Dinas Lingkungan Hidup", 1),
        None: (None, 1),  # a counter complaint entered without its site
    }
    listed = await client.get("/v1/complaints?counter_site=DPUPR", headers=world.h("admin"))
    assert len(listed.json()["items"]) == 2
    one = await client.get(
        f"/v1/complaints/{listed.json()['items'][0]['id']}", headers=world.h("admin")
    )
    assert one.json()["channel_detail"]["counter_site"]["event"] == "Gerai Pengaduan HUT Ngawi"


async def test_a_site_must_be_a_known_agency_and_only_for_counters(
    client: httpx.AsyncClient, world: World
) -> None:
    h = world.h("operator")
    unknown = await client.post("/v1/complaints", json=_counter({"agency_code": "NOPE"}), headers=h)
    assert unknown.status_code == 422
    assert unknown.json()["error"]["code"] == "unknown_agency"
    other = await client.post(
        "/v1/complaints", json=_counter({"agency_code": "PU"}), headers=h
    )  # Kota Kupang's agency code, not Ngawi's
    assert other.status_code == 422
    not_counter = await client.post(
        "/v1/complaints",
        json={
            "channel": "call_center",
            "text": "Jalan rusak.",
            "counter_site": {"agency_code": "DLH"},
        },
        headers=h,
    )
    assert not_counter.status_code == 422
