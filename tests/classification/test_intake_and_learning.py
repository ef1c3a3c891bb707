"""Suggestions stored at intake, agreement reported, and learning from verified history."""

from typing import Any

import httpx

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
    labels = {r["key"]: r["label"] for r in report.json()["category"]}
    assert labels[lighting] == "Perhubungan"  # the category's own name, from routing
    assert {r["label"] for r in report.json()["type"]} == set(by_type)
    denied = await client.get("/v1/reports/classification", headers=world.h("liaison"))
    assert denied.status_code == 403
