"""Area offices through the API: an agency's area, and learned routing choosing by region."""

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.routing import regions_service
from tests.classification import history
from tests.factories import World
from tests.routing.support import COMPARED, routing_of_event, take_in, verify

KECAMATAN = {
    "KEC-GENENG": "35.21.05",
    "KEC-JOGOROGO": "35.21.03",
    "KEC-KEDUNGGALAR": "35.21.11",
    "KEC-MANTINGAN": "35.21.13",
    "KEC-NGAWI": "35.21.09",
    "KEC-PARON": "35.21.10",
    "KEC-SINE": "35.21.01",
    "KEC-WIDODAREN": "35.21.12",
}
# A Geneng village's complaint from the history, word for word: its text is KEC-GENENG's.
GENENG_TEXT = "Perangkat desa Keniten sering mabuk di kantor desa saat jam kerja"
DAWU_PARON = "35.21.10.2006"


async def _load_regions(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        await regions_service.load(session, "35.21")


async def test_an_agency_area_is_checked_set_read_and_cleared(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _load_regions(sessions)
    admin = world.h("admin")
    body = {"code": "KEC-PARON", "name": "Kecamatan Paron", "kind": "kecamatan"}
    created = await client.post(
        "/v1/agencies", json=body | {"region_code": "35.21.10"}, headers=admin
    )
    assert created.status_code == 201, created.text
    assert created.json()["region_code"] == "35.21.10"
    url = f"/v1/agencies/{created.json()['id']}"
    assert (await client.get(url, headers=world.h("liaison"))).json()["region_code"] == "35.21.10"

    to_desa = await client.patch(url, json={"region_code": DAWU_PARON}, headers=admin)
    assert to_desa.status_code == 200, to_desa.text
    assert to_desa.json()["region_code"] == DAWU_PARON
    for bad, code in (
        ("35.21", "invalid"),  # the regency itself is not an area
        ("35-21-10", "invalid"),
        ("35.21.99", "unknown_region"),  # the right shape, but no such kecamatan in Ngawi
        ("53.71.01", "unknown_region"),  # another jurisdiction's kecamatan
    ):
        refused = await client.patch(url, json={"region_code": bad}, headers=admin)
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.json()["error"]["code"] == code, bad
        assert refused.json()["error"]["details"][0]["field"].endswith("region_code")
    assert (await client.get(url, headers=admin)).json()["region_code"] == DAWU_PARON

    untouched = await client.patch(url, json={"name": "Kantor Kecamatan Paron"}, headers=admin)
    assert untouched.json()["region_code"] == DAWU_PARON  # a field not sent stays
    cleared = await client.patch(url, json={"region_code": None}, headers=admin)
    assert cleared.status_code == 200
    assert cleared.json()["region_code"] is None
    assert (await client.get(url, headers=admin)).json()["region_code"] is None

    # Kupang's regions are not loaded: only the shape (and the jurisdiction) can be checked.
    kupang = await client.post(
        "/v1/agencies",
        json={
            "code": "KEC-ALAK",
            "name": "Kecamatan Alak",
            "kind": "kecamatan",
            "region_code": "53.71.01",
        },
        headers=world.h("admin_kupang"),
    )
    assert kupang.status_code == 201, kupang.text


@pytest.fixture
async def wide(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> dict[str, str]:
    """The wide corpus's older four fifths as history, its kecamatan offices given their
    areas through the API, and a model trained by the API."""
    await _load_regions(sessions)
    older, _ = history.corpus(history.WIDE)
    agencies = await history.load(sessions, world, older)
    for code, area in KECAMATAN.items():
        r = await client.patch(
            f"/v1/agencies/{agencies[code]}", json={"region_code": area}, headers=world.h("admin")
        )
        assert r.status_code == 200, r.text
    r = await client.post("/v1/routing-models", headers=world.h("admin"))
    assert r.status_code == 201, r.text
    assert r.json()["kept"] is True
    assert r.json()["evaluation"]["agency"]["area_offices"] == sorted(
        agencies[code] for code in KECAMATAN
    )
    return agencies


async def _routes(
    client: httpx.AsyncClient, world: World, text: str, region: str | None
) -> dict[str, Any]:
    """Intake's suggestion, the rule test and verify without an agency: the same decision."""
    complaint = await take_in(client, world, text, region)
    at_intake = complaint["suggestion"]["routing"]
    test = {"text": text, "channel": "sms_1708"} | ({"region_code": region} if region else {})
    tested = await client.post("/v1/routing-rules/test", json=test, headers=world.h("admin"))
    assert tested.status_code == 200, tested.text
    _, events = await verify(client, world, complaint["id"])
    at_verify = routing_of_event(events[-1])
    for key in COMPARED:
        assert at_intake[key] == tested.json()[key] == at_verify[key], key
    return dict(at_intake)


async def test_a_village_complaint_goes_to_the_office_of_its_region_not_of_its_text(
    client: httpx.AsyncClient, world: World, wide: dict[str, str]
) -> None:
    routed = await _routes(client, world, GENENG_TEXT, DAWU_PARON)
    assert routed["outcome"] == "model"
    assert routed["agency_id"] == wide["KEC-PARON"]
    assert routed["candidates"][0]["code"] == "KEC-PARON"
    assert "KEC-GENENG" not in {c["code"] for c in routed["candidates"]}
    assert f"region {DAWU_PARON} is in the area 35.21.10 of KEC-PARON" in routed["reason"]
    assert routed["cues"][0] == "area 35.21.10"
    assert routed["probability"] >= routed["threshold"]
    # The same text from Geneng goes to Geneng's office.
    at_home = await _routes(client, world, GENENG_TEXT, "35.21.05.2006")
    assert at_home["agency_id"] == wide["KEC-GENENG"]


async def test_without_a_region_or_an_office_for_it_the_admins_choose_the_office(
    client: httpx.AsyncClient, world: World, wide: dict[str, str]
) -> None:
    offices = set(KECAMATAN)
    nowhere = await _routes(client, world, GENENG_TEXT, None)
    assert nowhere["outcome"] == "triage"
    assert nowhere["agency_id"] is None
    assert "the complaint has no region" in nowhere["reason"]
    assert not offices & {c["code"] for c in nowhere["candidates"]}  # no office is guessed
    # Kasreman (35.21.19) has no kecamatan office in this jurisdiction.
    unserved = await _routes(client, world, GENENG_TEXT, "35.21.19.2001")
    assert unserved["outcome"] == "triage"
    assert "no active area office serves region 35.21.19.2001" in unserved["reason"]
    assert not offices & {c["code"] for c in unserved["candidates"]}
    # Paron's office retired: its region has no active office, and Geneng's is not guessed.
    retired = await client.patch(
        f"/v1/agencies/{wide['KEC-PARON']}", json={"active": False}, headers=world.h("admin")
    )
    assert retired.status_code == 200, retired.text
    orphan = await _routes(client, world, GENENG_TEXT, DAWU_PARON)
    assert orphan["outcome"] == "triage"
    assert f"no active area office serves region {DAWU_PARON}" in orphan["reason"]
    assert not offices & {c["code"] for c in orphan["candidates"]}
