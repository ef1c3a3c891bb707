"""Rate limits shared by several replicas through Redis, a Redis outage, and a bad storage URI."""

import json
import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import httpx
import pytest
from pydantic import ValidationError

from app.kernel.config import Settings
from app.main import create_app
from tests.factories import World
from tests.test_cli import _cli

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
NOBODY = "redis://127.0.0.1:1/0"  # nothing listens on port 1: a Redis that is down


def _redis_is_up() -> bool:
    parts = urlsplit(REDIS)
    try:
        socket.create_connection((parts.hostname or "", parts.port or 6379), timeout=1).close()
    except OSError:
        return False
    return True


needs_redis = pytest.mark.skipif(not _redis_is_up(), reason=f"no Redis at {REDIS}")


@asynccontextmanager
async def _replica(settings: Settings, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """One API replica (its own app, its own process state) seen from a client at `address`."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://desk.test") as c:
            yield c


def _tight(settings: Settings, storage: str, limit: str, burst: int) -> Settings:
    """`burst` requests per `limit` (caller or address), then next to nothing, in `storage`."""
    return settings.model_copy(
        update={
            "rate_limit_storage": storage,
            # Generous: on a loaded test machine a slow answer would fall back to the local
            # buckets, which is the outage behaviour, not the sharing under test.
            "rate_limit_storage_timeout_seconds": 5.0,
            f"rate_limit_{limit}_per_second": 0.01,
            f"rate_limit_{limit}_burst": burst,
        }
    )


def _address() -> str:
    # Every test its own client address: parallel tests share the Redis.
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"


@needs_redis
async def test_two_replicas_share_a_callers_limit(settings: Settings, world: World) -> None:
    shared = _tight(settings, REDIS, "caller", burst=3)
    admin = world.h("admin")
    async with _replica(shared, _address()) as one, _replica(shared, _address()) as two:
        assert (await one.get("/v1/complaints", headers=admin)).status_code == 200
        assert (await two.get("/v1/complaints", headers=admin)).status_code == 200
        assert (await one.get("/v1/complaints", headers=admin)).status_code == 200
        limited = await two.get("/v1/complaints", headers=admin)  # the fourth, on either replica
        assert limited.status_code == 429
        assert limited.json()["error"]["code"] == "rate_limited"
        assert int(limited.headers["retry-after"]) >= 1
        assert (await one.get("/v1/complaints", headers=admin)).status_code == 429
        other = await two.get("/v1/complaints", headers=world.h("supervisor"))
        assert other.status_code == 200  # another caller has its own allowance


@needs_redis
async def test_two_replicas_share_an_addresss_limit(settings: Settings, world: World) -> None:
    shared = _tight(settings, REDIS, "address", burst=2)
    citizen = _address()
    async with _replica(shared, citizen) as one, _replica(shared, citizen) as two:
        assert (await one.get("/v1/complaints", headers=world.h("admin"))).status_code == 200
        assert (await two.get("/v1/complaints", headers=world.h("liaison"))).status_code == 200
        limited = await one.get("/v1/complaints", headers=world.h("supervisor"))
        assert limited.status_code == 429
        assert "retry-after" in limited.headers
    async with _replica(shared, _address()) as elsewhere:
        assert (await elsewhere.get("/v1/complaints", headers=world.h("admin"))).status_code == 200


async def test_a_redis_outage_fails_open_to_the_local_limit(
    settings: Settings, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    down = _tight(settings, NOBODY, "caller", burst=2)
    async with _replica(down, "127.0.0.1") as client:
        answers = [await client.get("/v1/complaints", headers=world.h("admin")) for _ in range(3)]
        # The desk still answers, and the process's own bucket still limits.
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert answers[2].json()["error"]["code"] == "rate_limited"
        scraped = (await client.get("/metrics")).text
    logged = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    warnings = [r for r in logged if r["logger"] == "app.kernel.ratelimit"]
    assert len(warnings) == 1  # one warning per outage interval, not one per request
    assert warnings[0]["level"] == "WARNING"
    assert "unreachable" in warnings[0]["msg"]
    assert "127.0.0.1:1" not in str(warnings[0])  # the URI (it may hold a password) is not logged
    # The first request found Redis down; the next ones did not ask it again.
    assert "lapor_rate_limit_storage_errors_total 1.0" in scraped


@pytest.mark.parametrize(
    ("uri", "reason"),
    [
        ("memcached://127.0.0.1:11211", "must be a Redis URI"),
        ("127.0.0.1:6379", "must be a Redis URI"),
        ("redis://", "names no Redis host"),
        ("redis://:s3cret-pw@127.0.0.1:63x9/0", "port that is not a number"),
    ],
)
def test_a_bad_storage_uri_is_refused_at_start(uri: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason) as refused:
        Settings(rate_limit_storage=uri)
    assert "s3cret-pw" not in str(refused.value)  # a password in the URI is never echoed


def test_the_cli_names_a_bad_storage_uri_in_one_line(database_url: str) -> None:
    ran = _cli(database_url, "migrate", LAPOR_RATE_LIMIT_STORAGE="redis://:s3cret-pw@cache:port/0")
    assert ran.returncode != 0
    assert ran.stderr.strip().splitlines() == [
        "error: LAPOR_RATE_LIMIT_STORAGE: has a port that is not a number"
    ]
    assert "s3cret-pw" not in ran.stderr


def test_a_valid_storage_uri_is_kept() -> None:
    assert Settings(rate_limit_storage="rediss://:pw@cache.internal:6380/1").rate_limit_storage
    assert Settings(rate_limit_storage="").rate_limit_storage is None  # empty: per process
