"""Fixtures for callbacks: an app that may call loopback, a receiver, and the worker pieces."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.kernel.config import Settings
from app.main import create_app
from app.outbox.worker import Worker, default_handlers
from app.privacy.crypto import Sealer
from app.webhooks.dispatcher import Dispatcher
from app.webhooks.url_guard import guarded_client
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
async def dispatcher(
    sessions: async_sessionmaker[AsyncSession], hook_settings: Settings
) -> AsyncIterator[Dispatcher]:
    async with guarded_client(True, 10, hook_settings.webhook_timeout_seconds) as http:
        yield Dispatcher(sessions, hook_settings, http, cipher_of(hook_settings), name="test")


@pytest.fixture
def fan_out(sessions: async_sessionmaker[AsyncSession], hook_settings: Settings) -> Any:
    """Run the worker's database-only handlers until nothing is due (events -> deliveries)."""
    worker = Worker(
        sessions, hook_settings, default_handlers(hook_settings, cipher_of(hook_settings)), {}
    )

    async def run() -> None:
        while await worker.run_batch():
            pass

    return run


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
