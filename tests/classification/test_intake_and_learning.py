"""Suggestions stored at intake, agreement reported, and learning from verified history."""

from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.classification import service as classification
from tests.factories import World


async def _category(client: httpx.AsyncClient, world: World, code: str) -> str:
    r = await client.post(
        "/v1/categories", json={"code": code, "name": code.title()}, headers=world.h("admin")
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def _take_in(client: httpx.AsyncClient, world: World, text_: str) -> dict[str, Any]:
    r = await client.post(
        "/v1/complaints", json={"channel": "sms_1708", "text": text_}, headers=world.h("gateway")
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_intake_stores_the_suggestion_with_confidence_and_cues(
    client: httpx.AsyncClient, world: World
) -> None:
    lighting = await _category(client, world, "perhubungan")
    created = await _take_in(client, world, "pju di jln raya paron mati sdh seminggu")
    assert created["suggested_type"] == "field_inspection"
    full = (await client.get(f"/v1/complaints/{created['id']}", headers=world.h("admin"))).json()
    assert full["suggested_category_id"] == lighting
    suggestion = full["suggestion"]
    assert suggestion["method"] == "rules"
    assert suggestion["category_code"] == "perhubungan"
    assert "lampu jalan" in suggestion["category_cues"]
    assert "mati" in suggestion["type_cues"]
    assert 0 < suggestion["type_confidence"] <= 1
    # A code the jurisdiction's tree lacks: the code is kept, no category id is invented.
    other = await _take_in(client, world, "sampah menumpuk di tps")
    full = (await client.get(f"/v1/complaints/{other['id']}", headers=world.h("admin"))).json()
    assert full["suggestion"]["category_code"] == "lingkungan"
    assert full["suggested_category_id"] is None


async def test_agreement_report_compares_suggestion_and_verification(
    client: httpx.AsyncClient, world: World
) -> None:
    lighting = await _category(client, world, "perhubungan")
    decisions = [
        ("lampu jalan mati", "field_inspection", lighting),  # both agree
        ("lampu merah tdk nyala", "non_field", lighting),  # type disagrees
        ("gmn cara urus pju baru?", "information", str(world.categories["jalan"])),
    ]
    for body_text, kind, category in decisions:
        cid = (await _take_in(client, world, body_text))["id"]
        r = await client.post(
            f"/v1/complaints/{cid}/verify",
            json={"type": kind, "category_id": category},
            headers=world.h("admin"),
        )
        assert r.status_code == 200, r.text
    await _take_in(client, world, "belum diverifikasi, tidak dihitung")
    report = await client.get("/v1/reports/classification", headers=world.h("supervisor"))
    assert report.status_code == 200, report.text
    by_type = {r["key"]: (r["agreed"], r["total"]) for r in report.json()["type"]}
    assert by_type == {"field_inspection": (1, 1), "information": (1, 1), "non_field": (0, 1)}
    by_category = {r["key"]: (r["agreed"], r["total"]) for r in report.json()["category"]}
    assert by_category == {lighting: (2, 2), str(world.categories["jalan"]): (0, 1)}
    denied = await client.get("/v1/reports/classification", headers=world.h("liaison"))
    assert denied.status_code == 403


_HISTORY = text(
    """
    INSERT INTO complaints (id, jurisdiction_id, tracking_id, channel, channel_detail, text,
        received_at, status, type, category_id, anonymous, confidential, attachments, policy_id,
        verification_due_at, verified_at, last_seq)
    SELECT gen_random_uuid(), :j, 'LPR-H' || lpad(n::text, 6, '0'), 'web', '{}',
           CASE WHEN n % 2 = 0 THEN 'aplikasi sijempol macet lagi, warga ' || n
                ELSE 'jalan berlubang di dusun ' || n END,
           now(), 'verified',
           CASE WHEN n % 2 = 0 THEN 'non_field' ELSE 'field_inspection' END,
           CASE WHEN n % 2 = 0 THEN CAST(:online AS uuid) ELSE CAST(:road AS uuid) END,
           false, false, '[]', (SELECT id FROM sla_policies WHERE jurisdiction_id = :j),
           now(), now(), 1
    FROM generate_series(1, :n) AS n
    """
)


async def test_learned_model_is_used_only_with_enough_history_and_when_it_scores_better(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    # "Sijempol" is this region's online civil-registry app: the rules read "macet" as traffic.
    online = await _category(client, world, "adminduk-online")
    road = str(world.categories["jalan"])
    params = {"j": world.jurisdiction_id, "online": online, "road": road}
    async with sessions() as session, session.begin():
        await session.execute(_HISTORY, {**params, "n": 150})
        too_few = await classification.train(session, world.jurisdiction_id)
    assert too_few == {"trained": False, "samples": 150, "needed": 200}
    before = await _take_in(client, world, "sijempol macet dari pagi")
    assert before["suggested_type"] == "field_inspection"  # the rules' reading

    async with sessions() as session, session.begin():
        await session.execute(text("DELETE FROM complaints WHERE tracking_id LIKE 'LPR-H%'"))
        await session.execute(_HISTORY, {**params, "n": 240})
        result = await classification.train(session, world.jurisdiction_id)
    assert result["trained"] is True
    assert result["use_type"] is True
    assert result["use_category"] is True
    assert result["type_model"] == 1.0
    assert result["type_rules"] < result["type_model"]

    after = await _take_in(client, world, "sijempol macet dari pagi")
    assert after["suggested_type"] == "non_field"
    full = (await client.get(f"/v1/complaints/{after['id']}", headers=world.h("admin"))).json()
    assert full["suggestion"]["method"] == "learned"
    assert full["suggested_category_id"] == online
    assert "sijempol" in full["suggestion"]["type_cues"]
    # A category retired after training is no longer suggested (and intake does not fail).
    await client.patch(f"/v1/categories/{online}", json={"active": False}, headers=world.h("admin"))
    retired = await _take_in(client, world, "sijempol macet lagi")
    full = (await client.get(f"/v1/complaints/{retired['id']}", headers=world.h("admin"))).json()
    assert full["suggested_category_id"] is None


async def test_a_model_no_better_than_the_rules_is_not_used(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    road = str(world.categories["jalan"])
    params = {"j": world.jurisdiction_id, "online": road, "road": road}
    async with sessions() as session, session.begin():
        await session.execute(
            text(
                _HISTORY.text.replace(
                    "'aplikasi sijempol macet lagi, warga ' || n", "'jalan rusak parah ' || n"
                ).replace("'non_field'", "'field_inspection'")
            ),
            {**params, "n": 220},
        )
        result = await classification.train(session, world.jurisdiction_id)
    assert result["trained"] is True
    assert result["type_rules"] == result["type_model"] == 1.0
    assert result["use_type"] is False
    # The rules' category codes are not this tree's ("jalan"): there the model does better.
    assert result["use_category"] is True
    created = await _take_in(client, world, "jalan rusak di desa")
    full = (await client.get(f"/v1/complaints/{created['id']}", headers=world.h("admin"))).json()
    assert full["suggestion"]["type_method"] == "rules"
    assert full["suggestion"]["category_method"] == "learned"
    assert full["suggested_category_id"] == road
