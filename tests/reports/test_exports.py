"""Every report as CSV and XLSX, the monthly one as XLSX and A4 HTML; opened back and read."""

import csv
import io
import zipfile

import httpx
import openpyxl
from openpyxl.utils import get_column_letter

from tests.complaints.support import ok
from tests.factories import World
from tests.reports.support import NOVEMBER, bring_to, counter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _mix(client: httpx.AsyncClient, world: World) -> None:
    for state in ("closed", "closed", "dispatched", "archived"):
        cid = await counter(client, world)
        await bring_to(client, world, cid, state)
    moved = await counter(client, world)
    await bring_to(client, world, moved, "dispatched")
    await ok(
        client,
        world,
        "admin",
        moved,
        "transfer",
        {"agency_id": str(world.agencies["DINSOS"]), "reason": "Bukan wewenang."},
    )


async def test_monthly_xlsx_has_its_sheets_values_formats_and_charts(
    client: httpx.AsyncClient, world: World
) -> None:
    await _mix(client, world)
    response = await client.get(
        "/v1/reports/monthly?month=2026-11&format=xlsx", headers=world.h("supervisor")
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX
    assert "laporan-bulanan-2026-11.xlsx" in response.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Ringkasan",
        "Persentase",
        "Target",
        "Perangkat Daerah",
        "Tren bulanan",
    ]
    summary = {
        row[0]: row[1] for row in book["Ringkasan"].iter_rows(min_row=2, values_only=True) if row[0]
    }
    assert summary["Pengaduan diterima"] == 5
    assert summary["Diselesaikan"] == 2
    assert summary["Diarsipkan"] == 1
    assert summary["Masih diproses"] == 2
    shares = book["Persentase"]
    assert shares["A2"].value == "settled_of_eligible"
    assert shares["B2"].value == 0.5  # 2 settled of 4 eligible
    assert shares["B2"].number_format == "0.00%"
    agencies = book["Perangkat Daerah"]
    headings = [c.value for c in agencies[1]]
    assert headings[:3] == ["Perangkat Daerah", "Kode", "Diterima"]
    by_name = {
        r[0]: dict(zip(headings, r, strict=True))
        for r in agencies.iter_rows(min_row=2, values_only=True)
        if r[0]
    }
    dpupr = by_name["Dinas Pekerjaan Umum dan Penataan Ruang"]
    assert (dpupr["Diterima"], dpupr["Diselesaikan"], dpupr["Pelimpahan keluar"]) == (3, 2, 1)
    assert by_name["Dinas Sosial"]["Pelimpahan masuk"] == 1
    trend = {
        r[0]: r[1] for r in book["Tren bulanan"].iter_rows(min_row=2, values_only=True) if r[0]
    }
    assert trend == {"2026-11-01": 5}
    # openpyxl does not load charts back: the package's parts say what is drawn.
    with zipfile.ZipFile(io.BytesIO(response.content)) as package:
        charts = [
            package.read(n).decode() for n in package.namelist() if n.startswith("xl/charts/chart")
        ]
    kinds = sorted(next(k for k in ("pieChart", "barChart") if f"<c:{k}>" in c) for c in charts)
    assert kinds == ["barChart", "barChart", "pieChart"]  # status mix, on time, per month
    assert any("Tepat waktu per Perangkat Daerah" in c for c in charts)
    on_time = get_column_letter(headings.index("Tepat waktu (%)") + 1)
    assert any(f"'Perangkat Daerah'!${on_time}$2:${on_time}$" in c for c in charts)


async def test_csv_by_format_or_accept_and_json_by_default(
    client: httpx.AsyncClient, world: World
) -> None:
    await _mix(client, world)
    by_accept = await client.get(
        "/v1/reports/agencies", params=NOVEMBER, headers=world.h("admin") | {"Accept": "text/csv"}
    )
    assert by_accept.status_code == 200, by_accept.text
    assert by_accept.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(by_accept.text)))
    assert rows[0][:3] == ["Perangkat Daerah", "Kode", "Diterima"]
    received = {r[0]: int(r[2]) for r in rows[1:]}
    assert received == {
        "Dinas Pekerjaan Umum dan Penataan Ruang": 3,
        "Dinas Sosial": 1,
        "(belum ada)": 1,
    }
    summary = await client.get(
        "/v1/reports/summary", params=NOVEMBER | {"format": "csv"}, headers=world.h("admin")
    )
    lines = list(csv.reader(io.StringIO(summary.text)))
    assert lines[0] == ["# Ringkasan"]
    assert ["Pengaduan diterima", "5"] in lines
    assert ["# Persentase"] in lines
    plain = await client.get(
        "/v1/reports/channels",
        params=NOVEMBER,
        headers=world.h("admin") | {"Accept": "text/html,*/*"},
    )
    assert plain.headers["content-type"] == "application/json"
    assert [r["key"] for r in plain.json()["rows"]] == ["counter"]
    for accept, media in [
        ("application/json;q=0.1, text/csv;q=0.9", "text/csv"),  # the q-values, not the order
        ("text/csv;q=0, application/json", "application/json"),  # q=0: not wanted at all
        ("text/csv;q=zero, application/json;q=0.5", "application/json"),
    ]:
        weighed = await client.get(
            "/v1/reports/channels", params=NOVEMBER, headers=world.h("admin") | {"Accept": accept}
        )
        assert weighed.headers["content-type"].startswith(media), accept
    sheet = await client.get(
        "/v1/reports/types", params=NOVEMBER | {"format": "xlsx"}, headers=world.h("admin")
    )
    assert openpyxl.load_workbook(io.BytesIO(sheet.content)).sheetnames == ["Jenis"]


async def test_monthly_html_prints_on_a4_with_inline_svg(
    client: httpx.AsyncClient, world: World
) -> None:
    await _mix(client, world)
    page = await client.get(
        "/v1/reports/monthly?month=2026-11", headers=world.h("admin") | {"Accept": "text/html"}
    )
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert "size: A4" in page.text
    assert page.text.count("<svg") == 3
    assert "Dinas Pekerjaan Umum dan Penataan Ruang" in page.text
    as_json = await client.get("/v1/reports/monthly?month=2026-11", headers=world.h("admin"))
    body = as_json.json()
    assert body["summary"]["totals"]["received"] == 5
    assert len(body["trend"]["rows"]) == 1
    assert body["trend"]["period"] == {
        "from": "2025-12-01",
        "to": "2026-11-30",
        "timezone": "Asia/Jakarta",
    }
