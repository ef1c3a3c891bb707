"""Routing at verification on real PostgreSQL: each rule kind, each fallback, the liaison."""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.routing import regions_service
from tests.factories import World


def _today() -> date:
    return datetime.now(UTC).astimezone(ZoneInfo("Asia/Jakarta")).date()


async def _complaint(client: httpx.AsyncClient, world: World, text: str, **extra: Any) -> str:
    body = {"channel": "web", "text": text, **extra}
    r = await client.post("/v1/complaints", json=body, headers=world.h("citizen_app"))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def _verify(client: httpx.AsyncClient, world: World, cid: str, **extra: Any) -> Any:
    r = await client.post(
        f"/v1/complaints/{cid}/verify",
        json={"type": "field_inspection", **extra},
        headers=world.h("admin"),
    )
    assert r.status_code == 200, r.text
    return r.json()


async def _events(client: httpx.AsyncClient, world: World, cid: str) -> list[dict[str, Any]]:
    r = await client.get(f"/v1/complaints/{cid}/events", headers=world.h("admin"))
    return list(r.json()["items"])


async def _rule(client: httpx.AsyncClient, world: World, agency: str, **fields: Any) -> str:
    body = {"name": f"to {agency}", "position": 10, "agency_id": str(world.agencies[agency])}
    r = await client.post("/v1/routing-rules", json={**body, **fields}, headers=world.h("admin"))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def _liaison(client: httpx.AsyncClient, world: World, agency: str, **fields: Any) -> None:
    body = {"role": "primary", "name": "X", "email": "x@example.test", **fields}
    for key in ("valid_from", "valid_to"):
        if isinstance(body.get(key), date):
            body[key] = body[key].isoformat()
    r = await client.post(
        f"/v1/agencies/{world.agencies[agency]}/liaisons", json=body, headers=world.h("admin")
    )
    assert r.status_code == 201, r.text


async def test_keyword_rule_routes_and_the_reason_is_in_the_dispatch_event(
    client: httpx.AsyncClient, world: World
) -> None:
    rule_id = await _rule(client, world, "DLH", keywords=["sampah", "limbah"])
    await _rule(client, world, "DINSOS", position=20, keywords=["sampah"])
    cid = await _complaint(client, world, "Sampah di pasar sdh seminggu tdk diangkut")
    done = await _verify(client, world, cid)
    assert done["status"] == "dispatched"
    assert done["agency"]["code"] == "DLH"
    dispatched = (await _events(client, world, cid))[-1]
    assert dispatched["type"] == "dispatched"
    data = dispatched["data"]
    assert data["routed_by"] == "rule"
    assert data["rule_id"] == rule_id
    assert "keywords=sampah" in data["reason"]
    assert [r["matched"] for r in data["rules_checked"]] == [True, True]


async def test_category_rule_beats_the_category_default(
    client: httpx.AsyncClient, world: World
) -> None:
    await _rule(client, world, "DINSOS", category_id=str(world.categories["jalan"]))
    cid = await _complaint(client, world, "Jalan desa rusak")
    done = await _verify(client, world, cid, category_id=str(world.categories["jalan"]))
    assert done["agency"]["code"] == "DINSOS"


async def test_region_rule_uses_the_address_when_no_code_was_given(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session, session.begin():
        await regions_service.load(session, "35.21")
    await _rule(client, world, "DLH", region_prefix="35.21.09")
    cid = await _complaint(
        client, world, "Ada masalah di dekat balai desa", location={"address": "ds. Beraan, Ngawi"}
    )
    done = await _verify(client, world, cid)
    assert done["agency"]["code"] == "DLH"
    assert done["location"]["region_code"] == "35.21.09.2006"
    region = (await _events(client, world, cid))[-1]["data"]["region"]
    assert region["code"] == "35.21.09.2006"
    assert region["from"] == "address"
    assert 85 <= region["score"] < 100  # "Beraan" is a misspelling of Beran

    elsewhere = await _complaint(
        client, world, "Ada masalah", location={"region_code": "35.21.10.2001"}
    )
    assert (await _verify(client, world, elsewhere))["status"] == "verified"


async def test_channel_rule(client: httpx.AsyncClient, world: World) -> None:
    await _rule(client, world, "DINSOS", channel="sms_1708")
    by_sms = await client.post(
        "/v1/complaints",
        json={"channel": "sms_1708", "text": "bantuan blm cair"},
        headers=world.h("gateway"),
    )
    done = await _verify(client, world, by_sms.json()["id"])
    assert done["agency"]["code"] == "DINSOS"
    by_web = await _complaint(client, world, "bantuan blm cair")
    assert (await _verify(client, world, by_web))["status"] == "verified"


async def test_no_rule_falls_back_to_the_category_default(
    client: httpx.AsyncClient, world: World
) -> None:
    await _rule(client, world, "DLH", keywords=["sampah"])
    cid = await _complaint(client, world, "Jembatan ambrol")
    done = await _verify(client, world, cid, category_id=str(world.categories["jalan"]))
    assert done["agency"]["code"] == "DPUPR"
    data = (await _events(client, world, cid))[-1]["data"]
    assert data["routed_by"] == "category_default"
    assert data["rule_id"] is None
    assert data["rules_checked"][0]["matched"] is False


async def test_nothing_claims_it_so_it_waits_verified_in_triage(
    client: httpx.AsyncClient, world: World
) -> None:
    await _rule(client, world, "DLH", keywords=["sampah"])
    cid = await _complaint(client, world, "Pelayanan kurang ramah")
    done = await _verify(client, world, cid)
    assert done["status"] == "verified"
    assert done["agency"] is None
    assert [e["type"] for e in await _events(client, world, cid)] == ["received", "verified"]


async def test_rules_to_an_inactive_agency_are_skipped(
    client: httpx.AsyncClient, world: World
) -> None:
    await _rule(client, world, "DLH", keywords=["sampah"])
    await _rule(client, world, "DINSOS", position=20, keywords=["sampah"])
    await client.patch(
        f"/v1/agencies/{world.agencies['DLH']}", json={"active": False}, headers=world.h("admin")
    )
    cid = await _complaint(client, world, "sampah numpuk")
    assert (await _verify(client, world, cid))["agency"]["code"] == "DINSOS"


async def test_an_explicit_agency_still_wins(client: httpx.AsyncClient, world: World) -> None:
    await _rule(client, world, "DLH", keywords=["sampah"])
    cid = await _complaint(client, world, "sampah numpuk")
    done = await _verify(client, world, cid, agency_id=str(world.agencies["DINSOS"]))
    assert done["agency"]["code"] == "DINSOS"
    assert (await _events(client, world, cid))[-1]["data"]["routed_by"] == "admin"


@pytest.mark.parametrize(
    ("primary", "deputy", "expected"),
    [
        # (valid_from, valid_to) offsets in days from today; None: no end date.
        ((-30, 0), (-30, None), "primary"),  # last day of the primary's appointment
        ((-30, -1), (-30, None), "deputy"),  # the primary lapsed yesterday
        ((0, None), (-30, None), "primary"),  # first day of the primary's appointment
        ((1, None), (-30, 0), "deputy"),  # primary starts tomorrow, deputy's last day
        ((1, None), (-30, -1), None),  # nobody valid today
    ],
)
async def test_dispatch_notifies_the_liaison_valid_on_the_local_date(
    client: httpx.AsyncClient,
    world: World,
    primary: tuple[int, int | None],
    deputy: tuple[int, int | None],
    expected: str | None,
) -> None:
    today = _today()

    def day(offset: int | None) -> date | None:
        return None if offset is None else today + timedelta(days=offset)

    await _liaison(
        client, world, "DLH", name="Primer", valid_from=day(primary[0]), valid_to=day(primary[1])
    )
    await _liaison(
        client,
        world,
        "DLH",
        role="deputy",
        name="Wakil",
        valid_from=day(deputy[0]),
        valid_to=day(deputy[1]),
    )
    cid = await _complaint(client, world, "limbah")
    await _verify(client, world, cid, agency_id=str(world.agencies["DLH"]))
    data = (await _events(client, world, cid))[-1]["data"]
    assert data["liaison_date"] == today.isoformat()
    if expected is None:
        assert data["liaison"] is None
        assert data["no_valid_liaison"] is True
    else:
        assert data["liaison"]["role"] == expected
        assert data["liaison"]["name"] == {"primary": "Primer", "deputy": "Wakil"}[expected]
        assert data["no_valid_liaison"] is False


async def test_rule_test_endpoint_explains_without_storing(
    client: httpx.AsyncClient, world: World
) -> None:
    await _rule(client, world, "DLH", keywords=["sampah"], channel="sms_1708")
    await _rule(client, world, "DINSOS", position=20, keywords=["sampah"])
    await _liaison(client, world, "DINSOS", name="Bu Sos", valid_from=_today())
    r = await client.post(
        "/v1/routing-rules/test",
        json={"text": "sampah numpuk", "channel": "web"},
        headers=world.h("supervisor"),
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["outcome"] == "rule"
    assert out["agency"]["code"] == "DINSOS"
    first, second = out["rules"]
    assert first["matched"] is False
    assert {c["kind"]: c["matched"] for c in first["conditions"]} == {
        "keywords": True,
        "channel": False,
    }
    assert second["matched"] is True
    assert out["liaison"]["liaison"]["name"] == "Bu Sos"
    triage = await client.post(
        "/v1/routing-rules/test", json={"text": "halo"}, headers=world.h("admin")
    )
    assert triage.json()["outcome"] == "triage"
    assert triage.json()["agency"] is None
    foreign = await client.post(
        "/v1/routing-rules/test",
        json={"text": "x", "category_id": str(world.agencies["DLH"])},
        headers=world.h("admin"),
    )
    assert foreign.status_code == 422


async def test_liaison_asks_for_a_transfer_unless_the_policy_allows_it(
    client: httpx.AsyncClient, world: World
) -> None:
    cid = await _complaint(client, world, "jalan rusak")
    await _verify(client, world, cid, agency_id=str(world.agencies["DPUPR"]))
    ask = await client.post(
        f"/v1/complaints/{cid}/transfer",
        json={"agency_id": str(world.agencies["DLH"]), "reason": "bukan wewenang kami"},
        headers=world.h("liaison"),
    )
    assert ask.status_code == 200, ask.text
    assert ask.json()["status"] == "dispatched"
    assert ask.json()["agency"]["code"] == "DPUPR"
    requested = (await _events(client, world, cid))[-1]
    assert requested["type"] == "transfer_requested"
    assert requested["data"]["agency_id"] == str(world.agencies["DLH"])

    done = await client.post(
        f"/v1/complaints/{cid}/transfer",
        json={"agency_id": str(world.agencies["DLH"]), "reason": "sesuai permohonan"},
        headers=world.h("admin"),
    )
    assert done.json()["agency"]["code"] == "DLH"

    await client.put(
        "/v1/routing-settings", json={"liaison_direct_transfer": True}, headers=world.h("admin")
    )
    other = await _complaint(client, world, "jalan rusak")
    await _verify(client, world, other, agency_id=str(world.agencies["DPUPR"]))
    direct = await client.post(
        f"/v1/complaints/{other}/transfer",
        json={"agency_id": str(world.agencies["DINSOS"]), "reason": "bukan wewenang"},
        headers=world.h("liaison"),
    )
    assert direct.json()["agency"]["code"] == "DINSOS"
    assert (await _events(client, world, other))[-1]["type"] == "transferred"
    # Now with DINSOS, the DPUPR liaison no longer sees it.
    again = await client.post(
        f"/v1/complaints/{other}/transfer",
        json={"agency_id": str(world.agencies["DLH"]), "reason": "x"},
        headers=world.h("liaison"),
    )
    assert again.status_code == 404


async def test_without_a_category_the_suggested_one_routes_to_its_default(
    client: httpx.AsyncClient, world: World
) -> None:
    r = await client.post(
        "/v1/categories",
        json={
            "code": "infrastruktur",
            "name": "Infrastruktur",
            "default_agency_id": str(world.agencies["DINSOS"]),
        },
        headers=world.h("admin"),
    )
    assert r.status_code == 201
    explained = await client.post(
        "/v1/routing-rules/test",
        json={"text": "jln desa rusak, byk lubang"},
        headers=world.h("admin"),
    )
    assert explained.json()["outcome"] == "category_default"
    assert explained.json()["category"]["from"] == "suggestion"
    cid = await _complaint(client, world, "jln desa rusak, byk lubang")
    done = await _verify(client, world, cid)
    assert done["agency"]["code"] == "DINSOS"
    assert done["category_id"] is None  # the admin did not choose one; nothing is invented
    data = (await _events(client, world, cid))[-1]["data"]
    assert data["routed_by"] == "category_default"
    assert data["category_source"] == "suggestion"
