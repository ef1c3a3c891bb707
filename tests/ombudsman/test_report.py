"""The Inspektorat's monitoring report: cases by agency and stage, deadlines kept by agency."""

import csv
import io
from datetime import timedelta

import httpx
import openpyxl

from app.kernel.clock import ManualClock
from tests.factories import World
from tests.ombudsman.conftest import make_case, step

H = "narahubung"


async def _world_of_cases(client: httpx.AsyncClient, world: World, clock: ManualClock) -> None:
    # DPUPR: a clarification answered in time, then a LAHP with one action done late and
    # one still open past its date. DLH: a case closed without maladministration.
    a = await make_case(client, world, letter_number="B/A")
    url = f"/v1/ombudsman-cases/{a['id']}"
    asked = await client.post(
        f"{url}/clarifications", json={"description": "Data?"}, headers=world.h(H)
    )
    sid = step(asked.json(), "clarification")["id"]
    await client.post(
        f"{url}/clarifications/{sid}/answer", json={"answer": "Ini."}, headers=world.h("liaison")
    )
    lahp = await client.post(
        f"{url}/lahp",
        json={
            "conclusion": "maladministration_found",
            "lahp_number": "L-A",
            "corrective_actions": [
                {"description": "Satu", "due_date": "2026-03-20"},
                {"description": "Dua", "due_date": "2026-03-25"},
            ],
        },
        headers=world.h(H),
    )
    assert lahp.status_code == 200, lahp.text
    first = step(lahp.json(), "corrective_action", 0)["id"]
    clock.advance(timedelta(days=7))  # 23 March: the first action is late
    evidence = (
        await client.post(
            "/v1/attachments",
            files={"file": ("b.pdf", b"%PDF-1.4\n", "application/pdf")},
            headers=world.h("liaison"),
        )
    ).json()["id"]
    done = await client.post(
        f"{url}/corrective-actions/{first}/complete",
        json={"note": "Selesai.", "attachments": [evidence]},
        headers=world.h("liaison"),
    )
    assert done.status_code == 200, done.text
    clock.advance(timedelta(days=7))  # 30 March: the second is overdue
    b = await make_case(client, world, letter_number="B/B", agency_id=str(world.agencies["DLH"]))
    await client.post(
        f"/v1/ombudsman-cases/{b['id']}/lahp",
        json={"conclusion": "examination_stopped", "lahp_number": "L-B"},
        headers=world.h(H),
    )


async def test_the_year_by_agency_and_stage_and_deadlines_kept(
    client: httpx.AsyncClient, world: World, clock: ManualClock
) -> None:
    await _world_of_cases(client, world, clock)
    answer = await client.get("/v1/reports/ombudsman?year=2026", headers=world.h("supervisor"))
    assert answer.status_code == 200, answer.text
    out = answer.json()
    cases = {r["agency_name"]: r for r in out["cases"]}
    pupr = cases["Dinas Pekerjaan Umum dan Penataan Ruang"]
    assert (pupr["received"], pupr["corrective_action"], pupr["maladministration_found"]) == (
        1,
        1,
        1,
    )
    dlh = cases["Dinas Lingkungan Hidup"]
    assert (dlh["received"], dlh["closed"], dlh["maladministration_found"]) == (1, 1, 0)
    figures = {
        r["kind"]: (r["due"], r["done_on_time"], r["done_late"], r["open_overdue"])
        for r in out["steps"]
    }
    assert figures == {"clarification": (1, 1, 0, 0), "corrective_action": (2, 0, 1, 1)}
    nothing = await client.get("/v1/reports/ombudsman?year=2025", headers=world.h("admin"))
    assert nothing.json()["cases"] == []

    # A liaison's report counts their own agency only; others get no report at all.
    own = await client.get("/v1/reports/ombudsman?year=2026", headers=world.h("liaison_other"))
    assert [r["agency_name"] for r in own.json()["cases"]] == ["Dinas Lingkungan Hidup"]
    assert own.json()["steps"] == []
    for caller in ("operator", "citizen_app", "agency_system"):
        refused = await client.get("/v1/reports/ombudsman?year=2026", headers=world.h(caller))
        assert refused.status_code == 403


async def test_the_report_as_csv_and_xlsx(
    client: httpx.AsyncClient, world: World, clock: ManualClock
) -> None:
    await _world_of_cases(client, world, clock)
    url = "/v1/reports/ombudsman?year=2026"
    as_csv = await client.get(f"{url}&format=csv", headers=world.h("admin"))
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.text)))
    assert rows[0] == ["# Kasus Ombudsman 2026"]
    assert rows[1][:3] == ["Perangkat Daerah", "Diterima", "Pemeriksaan"]
    assert ["Dinas Lingkungan Hidup", "1", "0", "0", "0", "1", "0"] in rows
    assert [
        "Dinas Pekerjaan Umum dan Penataan Ruang",
        "Tindakan korektif",
        "2",
        "0",
        "1",
        "0",
        "1",
    ] in rows
    as_xlsx = await client.get(
        url,
        headers={
            **world.h("admin"),
            "Accept": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        },
    )
    book = openpyxl.load_workbook(io.BytesIO(as_xlsx.content))
    assert book.sheetnames == ["Kasus Ombudsman 2026", "Batas waktu 2026"]
    sheet = book["Batas waktu 2026"]
    assert [c.value for c in sheet[1]][:3] == ["Perangkat Daerah", "Langkah", "Jatuh tempo"]
