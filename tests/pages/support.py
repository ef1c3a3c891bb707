"""Helpers of the page tests: Ngawi's regions, and filling the web form as a browser would."""

import re
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.kernel.clock import ManualClock
from app.routing import regions_service

KECAMATAN, DESA = "35.21.01", "35.21.01.2001"  # Sine, Wonosari (Kabupaten Ngawi)


async def load_regions(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        await regions_service.load(session, "35.21")


def token_of(html: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', html)
    assert found, "the form has no token"
    return found.group(1)


async def open_form(client: httpx.AsyncClient, clock: ManualClock | None = None) -> str:
    """GET the form (its cookie is kept by the client); the token; time passes as a person's."""
    page = await client.get("/lapor/35.21")
    assert page.status_code == 200, page.text
    if clock is not None:
        clock.advance(timedelta(seconds=20))
    return token_of(page.text)


def fields(token: str, **extra: Any) -> dict[str, Any]:
    base = {
        "wilayah": "35.21",
        "token": token,
        "isi": "Lampu jalan di depan balai desa Wonosari mati sejak seminggu.",
        "judul": "Lampu jalan mati",
        "kecamatan": KECAMATAN,
        "desa": DESA,
        "setuju": "1",
    }
    return {k: v for k, v in (base | extra).items() if v is not None}


async def post_form(
    client: httpx.AsyncClient, data: dict[str, Any], files: list[Any] | None = None
) -> httpx.Response:
    # multipart, as the form's enctype makes a browser send it (an empty file part when none)
    parts = files if files is not None else [("lampiran", ("", b"", "application/octet-stream"))]
    return await client.post("/lapor", data=data, files=parts)
