"""The exchange file: a case's steps, answers, evidence and dates, the citizen only where the
Ombudsman gave them and the LAHP does not keep them secret, every export in the access log."""

import io
from typing import Any

import httpx
import openpyxl
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.factories import World
from tests.ombudsman.conftest import CITIZEN, make_case, step, upload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _log(sessions: async_sessionmaker[AsyncSession], case_id: str) -> list[Any]:
    async with sessions() as s:
        rows = await s.execute(
            text(
                "SELECT action, purpose, fields, actor_role FROM identity_access_log"
                " WHERE ombudsman_case_id = :c ORDER BY occurred_at"
            ),
            {"c": case_id},
        )
        return [tuple(r) for r in rows.all()]


async def test_a_case_file_holds_steps_answers_evidence_and_the_disclosed_citizen(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    case = await make_case(client, world, citizen=CITIZEN)
    url = f"/v1/ombudsman-cases/{case['id']}"
    asked = await client.post(
        f"{url}/clarifications", json={"description": "Data PBG?"}, headers=world.h("narahubung")
    )
    file_id = await upload(client, world, "liaison")
    await client.post(
        f"{url}/clarifications/{step(asked.json(), 'clarification')['id']}/answer",
        json={"answer": "Berkas terlampir.", "attachments": [file_id]},
        headers=world.h("liaison"),
    )
    exported = await client.post(
        f"{url}/export", json={"purpose": "Permintaan Perwakilan"}, headers=world.h("narahubung")
    )
    assert exported.status_code == 200, exported.text
    body = exported.json()
    assert body["format"] == "lapor-ombudsman-exchange/1"
    assert body["jurisdiction"]["code"] == "35.21"
    (one,) = body["cases"]
    assert one["citizen"]["name"] == CITIZEN["name"]
    assert one["citizen_withheld"] is None
    (clarification,) = one["steps"]
    assert clarification["answer"] == "Berkas terlampir."
    assert clarification["on_time"] is True
    assert clarification["evidence"][0]["id"] == file_id
    assert clarification["evidence"][0]["content_type"] == "application/pdf"
    assert len(clarification["evidence"][0]["sha256"]) == 64
    assert [e["type"] for e in one["events"]] == [
        "received",
        "clarification_requested",
        "clarification_answered",
    ]
    assert await _log(sessions, case["id"]) == [
        ("export", "Permintaan Perwakilan", ["name", "nik", "phone"], "ombudsman_liaison")
    ]

    # Once the LAHP keeps the reporter secret, no export names them; the export is logged.
    await client.post(
        f"{url}/lahp",
        json={
            "conclusion": "maladministration_not_found",
            "lahp_number": "L-9",
            "citizen_confidential": True,
        },
        headers=world.h("narahubung"),
    )
    secret = await client.post(
        f"{url}/export", json={"purpose": "Arsip", "format": "xlsx"}, headers=world.h("admin")
    )
    assert secret.status_code == 200
    assert secret.headers["content-type"] == XLSX
    assert CITIZEN["name"].encode() not in secret.content
    book = openpyxl.load_workbook(io.BytesIO(secret.content))
    assert book.sheetnames == ["Kasus", "Langkah", "Bukti", "Peristiwa"]
    cases = list(book["Kasus"].values)
    assert cases[1][6] == "(confidential)"
    assert list(book["Bukti"].values)[1][2] == file_id
    as_json = await client.post(
        f"{url}/export", json={"purpose": "Arsip lagi"}, headers=world.h("admin")
    )
    assert as_json.json()["cases"][0]["citizen"] is None
    assert CITIZEN["nik"] not in as_json.text
    assert [(r[0], r[2]) for r in await _log(sessions, case["id"])][1:] == [
        ("export", []),
        ("export", []),
    ]


async def test_a_periods_file_and_who_may_export(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    kept = await make_case(client, world, letter_number="B/1")
    unnamed = await make_case(client, world, letter_number="B/2", citizen=CITIZEN)
    period = {"from": "2026-03-01", "to": "2026-03-31", "purpose": "Rekap Maret"}
    out = await client.post("/v1/ombudsman-exports", json=period, headers=world.h("admin"))
    assert out.status_code == 200, out.text
    withheld = {c["letter_number"]: c["citizen_withheld"] for c in out.json()["cases"]}
    assert withheld == {"B/1": "not_disclosed", "B/2": None}
    assert len(await _log(sessions, kept["id"])) == len(await _log(sessions, unnamed["id"])) == 1
    empty = await client.post(
        "/v1/ombudsman-exports",
        json={**period, "from": "2026-04-01", "to": "2026-04-30"},
        headers=world.h("admin"),
    )
    assert empty.json()["cases"] == []
    backwards = await client.post(
        "/v1/ombudsman-exports", json={**period, "to": "2026-02-01"}, headers=world.h("admin")
    )
    assert backwards.status_code == 422
    for caller in ("supervisor", "liaison", "operator"):
        refused = await client.post("/v1/ombudsman-exports", json=period, headers=world.h(caller))
        assert refused.status_code == 403
        one = await client.post(
            f"/v1/ombudsman-cases/{kept['id']}/export",
            json={"purpose": "Coba"},
            headers=world.h(caller),
        )
        assert one.status_code == 403
    assert (
        await client.post("/v1/ombudsman-exports", json=period, headers=world.h("admin_kupang"))
    ).json()["cases"] == []


async def test_revealing_the_citizen_takes_a_reason_and_is_logged(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    named = await make_case(client, world, letter_number="B/1", citizen=CITIZEN)
    shown = await client.get(f"/v1/ombudsman-cases/{named['id']}", headers=world.h("admin"))
    assert CITIZEN["nik"] not in shown.text
    assert await _log(sessions, named["id"]) == []
    url = f"/v1/ombudsman-cases/{named['id']}/reveal-citizen"
    short = await client.post(url, json={"reason": "x"}, headers=world.h("narahubung"))
    assert short.status_code == 422
    revealed = await client.post(
        url, json={"reason": "Klarifikasi ke pelapor"}, headers=world.h("narahubung")
    )
    assert revealed.json()["citizen"]["nik"] == CITIZEN["nik"]
    assert await _log(sessions, named["id"]) == [
        ("reveal", "Klarifikasi ke pelapor", ["name", "nik", "phone"], "ombudsman_liaison")
    ]
    unnamed = await make_case(client, world, letter_number="B/2")
    none = await client.post(
        f"/v1/ombudsman-cases/{unnamed['id']}/reveal-citizen",
        json={"reason": "Klarifikasi ke pelapor"},
        headers=world.h("admin"),
    )
    assert none.status_code == 404
    assert none.json()["error"]["code"] == "citizen_not_held"
