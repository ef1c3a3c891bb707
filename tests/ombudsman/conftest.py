"""An app on a ManualClock standing at Monday 16 March 2026, 10:00 WIB (Ngawi), with its own
attachments directory, and helpers to build Ombudsman cases over HTTP."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.kernel.clock import ManualClock
from app.kernel.config import Settings
from app.main import create_app
from tests.factories import World

# 16 March 2026 is the Monday before Nyepi and Idul Fitri: 18-24 March are days off.
START = datetime(2026, 3, 16, 3, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def client(
    settings: Settings, engine: AsyncEngine, clock: ManualClock, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        settings.model_copy(update={"attachments_dir": str(tmp_path / "files")}), clock=clock
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://desk.test") as c:
            yield c


CITIZEN = {"name": "Budi Santoso", "nik": "3521010101800002", "phone": "081298765432"}


def letter(world: World, number: str = "B/123/LM.01/III/2026", **extra: Any) -> dict[str, Any]:
    return {
        "letter_number": number,
        "letter_date": "2026-03-12",
        "perwakilan": "Ombudsman RI Perwakilan Jawa Timur",
        "report_number": "0042/LM/III/2026/SBY",
        "subject": "Penundaan berlarut izin PBG",
        "agency_id": str(world.agencies["DPUPR"]),
        **extra,
    }


async def make_case(client: httpx.AsyncClient, world: World, **extra: Any) -> dict[str, Any]:
    answer = await client.post(
        "/v1/ombudsman-cases", json=letter(world, **extra), headers=world.h("narahubung")
    )
    assert answer.status_code == 201, answer.text
    case: dict[str, Any] = answer.json()
    return case


async def upload(client: httpx.AsyncClient, world: World, who: str) -> str:
    answer = await client.post(
        "/v1/attachments",
        files={"file": ("bukti.pdf", b"%PDF-1.4\n% evidence\n", "application/pdf")},
        headers=world.h(who),
    )
    assert answer.status_code == 201, answer.text
    upload_id: str = answer.json()["id"]
    return upload_id


def step(case: dict[str, Any], kind: str, index: int = -1) -> dict[str, Any]:
    found: list[dict[str, Any]] = [s for s in case["steps"] if s["kind"] == kind]
    return found[index]
