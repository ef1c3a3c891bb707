"""The shared web layer: Indonesian dates, form tokens, page policy, error pages, static files."""

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from app.web.timefmt import tanggal, waktu, zone_name
from app.web.tokens import FormSigner

MOMENT = datetime(2026, 12, 3, 7, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("tz", "expected"),
    [
        ("Asia/Jakarta", "3 Desember 2026, 14.05 WIB"),
        ("Asia/Makassar", "3 Desember 2026, 15.05 WITA"),
        ("Asia/Jayapura", "3 Desember 2026, 16.05 WIT"),
        ("Asia/Pontianak", "3 Desember 2026, 14.05 WIB"),
        ("Europe/Amsterdam", "3 Desember 2026, 08.05 UTC+1"),
    ],
)
def test_moments_are_written_in_local_indonesian_time(tz: str, expected: str) -> None:
    assert waktu(MOMENT, tz) == expected


def test_a_moment_late_in_utc_is_the_next_day_in_jayapura() -> None:
    late = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)
    assert tanggal(late, "Asia/Jayapura") == "1 Januari 2027"
    assert tanggal(date(2026, 8, 17), "Asia/Jakarta") == "17 Agustus 2026"
    assert zone_name(late, "Asia/Kolkata") == "UTC+5.30"


def test_form_tokens_refuse_forgery_haste_and_age() -> None:
    signer = FormSigner("a secret of the test that is long enough to count")
    token = signer.issue("lapor", MOMENT)
    later = MOMENT + timedelta(seconds=10)
    assert signer.problem(token, "lapor", later, min_age=timedelta(seconds=3)) is None
    assert signer.problem(token, "lapor", MOMENT, min_age=timedelta(seconds=3)) == "too_fast"
    assert signer.problem(token, "lapor", MOMENT + timedelta(days=1)) == "expired"
    assert signer.problem(token, "konsol", later) == "forged"  # another form's token
    assert signer.problem(token + "x", "lapor", later) == "forged"
    assert signer.problem("not-a-token", "lapor", later) == "forged"
    assert signer.problem(signer.issue("lapor", MOMENT, bind="s1"), "lapor", later) == "forged"
    other = FormSigner("another secret entirely, also long enough to count")
    assert other.problem(token, "lapor", later) == "forged"


async def test_a_missing_page_is_an_indonesian_html_page_with_the_strict_policy(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/lacak/tidak/ada/di/sini")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Halaman tidak ditemukan" in response.text
    assert '<html lang="id">' in response.text
    csp = response.headers["content-security-policy"]
    for rule in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"):
        assert rule in csp
    assert "unsafe-inline" not in csp


async def test_the_api_keeps_its_json_errors_and_its_own_policy(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert response.headers["content-security-policy"] == "frame-ancestors 'none'"


async def test_the_api_docs_keep_their_inline_scripts_working(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == "frame-ancestors 'none'"


async def test_static_files_are_served_with_a_long_cache_and_a_versioned_link(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/lacak/x/y")
    link = next(part for part in page.text.split('"') if part.startswith("/static/lapor.css?v="))
    response = await client.get(link)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert "immutable" in response.headers["cache-control"]
    assert response.headers["etag"]
    assert response.headers["content-security-policy"] == "frame-ancestors 'none'"
