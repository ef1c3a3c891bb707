"""Fixtures for callbacks: an app that may call loopback, a receiver, and the worker pieces."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.kernel.config import Settings
from app.main import create_app
from app.outbox.engine import Engine
from app.privacy.crypto import Sealer
from tests.engines import worker
from tests.factories import World
from tests.webhooks.receiver import Receiver

COMPLAINT = {
    "channel": "mobile_app",
    "text": "Lampu jalan di Jl. Raya Beran mati sejak seminggu.",
    "reporter": {"name": "Siti Rahayu", "phone": "081234567890", "nik": "3521011234560001"},
}


@pytest.fixture
def hook_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "webhook_allow_loopback": True,
            "webhook_timeout_seconds": 1.0,
            "webhook_lease_seconds": 5,
        }
    )


@pytest.fixture
async def hclient(hook_settings: Settings, engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(hook_settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://desk.test") as c:
            yield c


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    r = await Receiver().start()
    yield r
    await r.stop()


def cipher_of(settings: Settings) -> Sealer:
    return Sealer.from_settings(settings)


@pytest.fixture
async def dispatcher(hook_settings: Settings, engine: AsyncEngine) -> AsyncIterator[Engine]:
    """The engine with only the `webhook` topic: it sends deliveries, nothing else."""
    async with worker(hook_settings, engine, topics={"webhook"}) as only_webhooks:
        yield only_webhooks


@pytest.fixture
async def fan_out(hook_settings: Settings, engine: AsyncEngine) -> AsyncIterator[Any]:
    """Run the worker's database-only topics until nothing is due (events -> deliveries)."""
    async with worker(hook_settings, engine, db_only=True) as db_only:

        async def run() -> None:
            while await db_only.run_batch():
                pass

        yield run


async def register(
    client: httpx.AsyncClient, world: World, url: str, who: str = "admin", **extra: Any
) -> dict[str, Any]:
    resp = await client.post(
        "/v1/webhook-endpoints", json={"url": url, **extra}, headers=world.h(who)
    )
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def new_complaint(client: httpx.AsyncClient, world: World, **extra: Any) -> dict[str, Any]:
    resp = await client.post(
        "/v1/complaints", json={**COMPLAINT, **extra}, headers=world.h("citizen_app")
    )
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def make_due(engine: AsyncEngine) -> None:
    """Let time pass for the retry schedule: every pending delivery is due now."""
    async with engine.begin() as conn:
        await conn.execute(
            text("UPDATE webhook_deliveries SET available_at = now() WHERE status = 'pending'")
        )
        await conn.execute(  # the engine's rows carry the schedule
            text(
                "UPDATE outbox_messages SET available_at = now()"
                " WHERE topic = 'webhook' AND status = 'pending'"
            )
        )


async def deliveries(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as conn:
        return list(
            (
                await conn.execute(
                    text(
                        "SELECT id, endpoint_id, seq, status, attempts, available_at, message_id,"
                        " last_status_code, last_error, callback_url"
                        " FROM webhook_deliveries ORDER BY seq, created_at"
                    )
                )
            ).all()
        )
