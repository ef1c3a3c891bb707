"""/metrics: the Prometheus text format, route templates as labels, the worker's gauges, and who
may scrape."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.kernel.clock import SystemClock
from app.kernel.config import Settings
from app.main import create_app
from app.metrics.models import MetricSnapshot
from app.metrics.tasks import take_snapshot
from tests.complaints.support import assert_error, create, dispatched, execute
from tests.engines import worker as engine_of
from tests.factories import World
from tests.test_hardening import REAL_SECRETS

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def _samples(text: str) -> Samples:
    """Every sample by name and labels; the parser raises on anything not in the format."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


async def _scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return _samples(response.text)


@asynccontextmanager
async def _client(
    settings: Settings, address: str = "127.0.0.1"
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://desk.test") as c:
            yield c


async def test_requests_are_labelled_by_route_template_never_by_path(
    client: httpx.AsyncClient, world: World
) -> None:
    ids = [str(uuid.uuid4()) for _ in range(2)]
    for cid in ids:
        response = await client.get(f"/v1/complaints/{cid}", headers=world.h("admin"))
        assert response.status_code == 404
    await client.get(f"/v1/no-such-thing/{ids[0]}")
    await client.request("BREW", "/healthz")
    await client.get("/healthz")
    # An oversized body is refused before routing; it still counts under its route.
    await client.post("/v1/complaints", content=b"x", headers={"content-length": str(10_000_000)})
    samples = await _scrape(client)
    template = "/v1/complaints/{complaint_id}"
    count = "lapor_http_requests_total"
    assert _value(samples, count, route=template, method="GET", status="404") == 2
    assert _value(samples, count, route="unmatched", method="GET", status="404") == 1
    assert _value(samples, count, route="/healthz", method="other", status="405") == 1
    assert _value(samples, count, route="/healthz", method="GET", status="200") == 1
    assert _value(samples, count, route="/v1/complaints", method="POST", status="413") == 1
    latency = "lapor_http_request_duration_seconds_count"
    assert _value(samples, latency, route=template, method="GET") == 2
    labels = {value for (_, pairs) in samples for _, value in pairs}
    assert not any(cid in value for cid in ids for value in labels)
    assert not any("no-such-thing" in value for value in labels)


async def test_gauges_are_the_workers_snapshot_not_a_count_per_scrape(
    client: httpx.AsyncClient,
    world: World,
    settings: Settings,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    assert _value(await _scrape(client), "lapor_complaints", jurisdiction="35.21") is None
    await create(client, world)
    await create(client, world)
    late = await dispatched(client, world)
    await dispatched(client, world)
    await execute(
        engine,
        "UPDATE complaints SET due_at = :past WHERE id = :id",
        past=datetime.now(UTC) - timedelta(hours=1),
        id=uuid.UUID(late["id"]),
    )
    async with engine_of(settings, engine, db_only=True) as worker:
        await take_snapshot(sessions, SystemClock(), worker.topic_names)
        samples = await _scrape(client)
        ngawi = {"jurisdiction": "35.21"}
        assert _value(samples, "lapor_complaints", **ngawi, status="received") == 2
        assert _value(samples, "lapor_complaints", **ngawi, status="dispatched") == 2
        assert _value(samples, "lapor_complaints", **ngawi, status="closed") == 0
        assert _value(samples, "lapor_complaints_overdue", **ngawi) == 1
        assert _value(samples, "lapor_complaints", jurisdiction="53.71", status="received") == 0
        # Four "received" and two each of "verified" and "dispatched" events wait for the fan-out.
        assert _value(samples, "lapor_outbox_pending", topic="complaint_event") == 8
        assert _value(samples, "lapor_outbox_oldest_pending_age_seconds", topic="complaint_event")
        assert _value(samples, "lapor_outbox_dead", topic="complaint_event") == 0
        assert _value(samples, "lapor_outbox_pending", topic="sms_assemble") == 0  # known, empty
        assert (_value(samples, "lapor_outbox_scheduled", topic="timer") or 0) > 0
        assert _value(samples, "lapor_webhook_deliveries", status="dead") == 0
        assert (_value(samples, "lapor_metrics_snapshot_age_seconds") or 0) < 60

        # A new complaint shows only once a worker has counted again.
        await create(client, world)
        samples = await _scrape(client)
        assert _value(samples, "lapor_complaints", **ngawi, status="received") == 2
        await worker.run_batch()  # the fan-out empties the backlog
        await take_snapshot(sessions, SystemClock(), worker.topic_names)
        samples = await _scrape(client)
        assert _value(samples, "lapor_complaints", **ngawi, status="received") == 3
        assert _value(samples, "lapor_outbox_pending", topic="complaint_event") == 0


async def test_the_running_worker_keeps_the_snapshot_fresh(
    settings: Settings, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    fast = settings.model_copy(
        update={"metrics_snapshot_seconds": 0.05, "worker_poll_seconds": 0.02}
    )
    stop = asyncio.Event()
    taken: list[datetime] = []
    async with engine_of(fast, sessions.kw["bind"]) as worker:
        task = asyncio.create_task(worker.run_forever(stop))
        try:
            for _ in range(200):
                async with sessions() as session:
                    row = await session.scalar(select(MetricSnapshot.taken_at))
                if row is not None and (not taken or row > taken[-1]):
                    taken.append(row)
                if len(taken) >= 2:
                    break
                await asyncio.sleep(0.02)
        finally:
            stop.set()
            await task
    assert len(taken) >= 2  # written, then rewritten by the next round


async def test_with_a_token_only_its_bearer_may_scrape_from_anywhere(settings: Settings) -> None:
    guarded = settings.model_copy(update={"metrics_token": SecretStr("scrape-token-0123456789")})
    async with _client(guarded, address="203.0.113.7") as client:
        assert_error(await client.get("/metrics"), 401, "invalid_metrics_token")
        wrong = {"Authorization": "Bearer scrape-token-0123456780"}
        assert_error(await client.get("/metrics", headers=wrong), 401, "invalid_metrics_token")
        basic = {"Authorization": "Basic scrape-token-0123456789"}
        assert_error(await client.get("/metrics", headers=basic), 401, "invalid_metrics_token")
        right = {"Authorization": "Bearer scrape-token-0123456789"}
        assert (await client.get("/metrics", headers=right)).status_code == 200


@pytest.mark.parametrize(
    ("address", "status"),
    [
        ("127.0.0.1", 200),
        ("::1", 200),
        ("10.20.30.40", 200),
        ("192.168.1.9", 200),
        ("::ffff:10.0.0.5", 200),
        ("203.0.113.7", 403),
        ("8.8.8.8", 403),
        ("2001:db8::1", 403),
    ],
)
async def test_without_a_token_only_loopback_and_private_addresses_may_scrape(
    settings: Settings, address: str, status: int
) -> None:
    async with _client(settings, address=address) as client:
        response = await client.get("/metrics")
    assert response.status_code == status, response.text
    if status == 403:
        assert_error(response, 403, "metrics_address_forbidden")


async def test_production_without_a_token_refuses_every_scrape(settings: Settings) -> None:
    production = settings.model_copy(update={"environment": "production", **REAL_SECRETS})
    async with _client(production) as client:
        assert_error(await client.get("/metrics"), 403, "metrics_token_required")
