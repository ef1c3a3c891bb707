"""Rate limits, security headers, CORS, body limit, production refusals and hidden docs."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from app.kernel.config import Settings
from app.kernel.hardening import InsecureSettings
from app.kernel.ratelimit import TokenBuckets
from app.main import create_app
from tests.complaints.support import create
from tests.factories import World

REAL_SECRETS = {
    "jwt_secret": SecretStr("a-real-production-secret-of-enough-length-0123"),
    "identity_keys": SecretStr("k2:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlBQkNERUY="),
    "identity_index_key": SecretStr("a-real-index-key-of-enough-length-0123456"),
    "webhook_callback_keys": SecretStr("k2:a-real-callback-key-of-enough-length-01"),
    "public_base_url": "https://lapor.ngawikab.go.id",
}


@asynccontextmanager
async def client_for(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app of its own on `settings` (the page tests reuse it for tight limits)."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://desk.test") as c:
            yield c


def test_token_bucket_refills_at_its_rate() -> None:
    buckets = TokenBuckets(rate=2.0, burst=2)
    assert buckets.take("a", 0.0) == 0
    assert buckets.take("a", 0.0) == 0
    assert buckets.take("a", 0.0) == pytest.approx(0.5)
    assert buckets.take("b", 0.0) == 0  # another key has its own bucket
    assert buckets.take("a", 0.5) == 0  # half a second gave one token back


async def test_a_caller_over_its_limit_gets_429_with_retry_after(
    settings: Settings, world: World
) -> None:
    tight = settings.model_copy(
        update={"rate_limit_caller_per_second": 0.01, "rate_limit_caller_burst": 3}
    )
    async with client_for(tight) as client:
        for _ in range(3):
            assert (await client.get("/v1/complaints", headers=world.h("admin"))).status_code == 200
        limited = await client.get("/v1/complaints", headers=world.h("admin"))
        assert limited.status_code == 429
        assert limited.json()["error"]["code"] == "rate_limited"
        assert int(limited.headers["retry-after"]) >= 1
        other = await client.get("/v1/complaints", headers=world.h("supervisor"))
        assert other.status_code == 200  # a different caller is not slowed by the first
        assert (await client.get("/healthz")).status_code == 200  # probes are never limited


async def test_an_address_over_its_limit_gets_429(settings: Settings, world: World) -> None:
    tight = settings.model_copy(
        update={"rate_limit_address_per_second": 0.01, "rate_limit_address_burst": 2}
    )
    async with client_for(tight) as client:
        await client.get("/v1/complaints", headers=world.h("admin"))
        await client.get("/v1/complaints", headers=world.h("supervisor"))
        limited = await client.get("/v1/complaints", headers=world.h("liaison"))
        assert limited.status_code == 429
        assert "retry-after" in limited.headers


async def test_security_headers_and_no_store_on_authenticated_answers(
    client: httpx.AsyncClient, world: World
) -> None:
    public = await client.get("/healthz")
    assert public.headers["x-content-type-options"] == "nosniff"
    assert public.headers["x-frame-options"] == "DENY"
    assert public.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert public.headers["referrer-policy"] == "no-referrer"
    assert "strict-transport-security" not in public.headers  # not production
    assert "no-store" not in public.headers.get("cache-control", "")
    private = await client.get("/v1/complaints", headers=world.h("admin"))
    assert private.headers["cache-control"] == "no-store"
    refused = await client.get("/v1/complaints", headers={"Authorization": "Bearer nope"})
    assert refused.headers["cache-control"] == "no-store"


async def test_cors_allows_only_the_configured_origins(settings: Settings) -> None:
    configured = settings.model_copy(update={"cors_origins": ["https://lapor.ngawikab.go.id"]})
    async with client_for(configured) as client:
        preflight = {"Access-Control-Request-Method": "POST"}
        ok = await client.options(
            "/v1/complaints", headers={"Origin": "https://lapor.ngawikab.go.id", **preflight}
        )
        assert ok.headers["access-control-allow-origin"] == "https://lapor.ngawikab.go.id"
        evil = await client.options(
            "/v1/complaints", headers={"Origin": "https://evil.example", **preflight}
        )
        assert "access-control-allow-origin" not in evil.headers


@pytest.mark.parametrize("origin", ["*", "https://*.go.id", "lapor.go.id", "https://a.go.id/"])
def test_wildcard_or_inexact_cors_origins_are_refused(settings: Settings, origin: str) -> None:
    with pytest.raises(InsecureSettings, match="LAPOR_CORS_ORIGINS"):
        create_app(settings.model_copy(update={"cors_origins": [origin]}))


async def test_oversized_body_is_413(client: httpx.AsyncClient, world: World) -> None:
    big = {"channel": "web", "text": "x" * 1_100_000}
    answer = await client.post("/v1/complaints", json=big, headers=world.h("citizen_app"))
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "payload_too_large"


DEFAULT_NAMES = (
    "LAPOR_JWT_SECRET",
    "LAPOR_IDENTITY_KEYS",
    "LAPOR_IDENTITY_INDEX_KEY",
    "LAPOR_WEBHOOK_CALLBACK_KEYS",
    "LAPOR_PUBLIC_BASE_URL",
)


def test_production_refuses_to_start_with_default_secrets(settings: Settings) -> None:
    production = settings.model_copy(update={"environment": "production"})
    with pytest.raises(InsecureSettings) as refused:
        create_app(production)
    message = str(refused.value)
    for name in DEFAULT_NAMES:
        assert name in message, name
    create_app(production.model_copy(update=REAL_SECRETS))  # the real ones start


@pytest.mark.parametrize("field", sorted(REAL_SECRETS))
def test_production_refuses_each_default_on_its_own(settings: Settings, field: str) -> None:
    real = settings.model_copy(update={"environment": "production", **REAL_SECRETS})
    default = Settings.model_fields[field].default
    with pytest.raises(InsecureSettings) as refused:
        create_app(real.model_copy(update={field: default}))
    assert f"LAPOR_{field.upper()}" in str(refused.value)
    assert str(refused.value).count("LAPOR_") == 2  # that one, and LAPOR_ENVIRONMENT


@pytest.mark.parametrize(
    ("update", "named"),
    [
        ({"jwt_secret": SecretStr("short-but-not-default")}, "LAPOR_JWT_SECRET"),
        ({"identity_index_key": SecretStr("short-index-key")}, "LAPOR_IDENTITY_INDEX_KEY"),
        ({"webhook_callback_keys": SecretStr("k3:short")}, "LAPOR_WEBHOOK_CALLBACK_KEYS"),
        (
            {"identity_keys": SecretStr(REAL_SECRETS["identity_keys"].get_secret_value()
                                        + ",k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")},
            "LAPOR_IDENTITY_KEYS",
        ),
        ({"webhook_allow_loopback": True}, "LAPOR_WEBHOOK_ALLOW_LOOPBACK"),
        ({"hub_base_url": "https://hub.example"}, "LAPOR_HUB_TOKEN"),
        ({"database_url": None}, "DATABASE_URL is not set"),
    ],
)  # fmt: skip
def test_production_refuses_weak_or_unsafe_values(
    settings: Settings, update: dict[str, Any], named: str
) -> None:
    real = settings.model_copy(update={"environment": "production", **REAL_SECRETS})
    with pytest.raises(InsecureSettings, match=named):
        create_app(real.model_copy(update=update))


async def test_production_hides_the_api_docs_and_sends_hsts(settings: Settings) -> None:
    production = settings.model_copy(update={"environment": "production", **REAL_SECRETS})
    async with client_for(production) as client:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert (await client.get(path)).status_code == 404, path
        health = await client.get("/healthz")
        assert health.headers["strict-transport-security"].startswith("max-age=")
    async with client_for(settings) as client:
        assert (await client.get("/openapi.json")).status_code == 200


async def test_head_is_get_without_the_body_on_every_route(
    client: httpx.AsyncClient, world: World
) -> None:
    body = await create(client, world)
    for path, headers in [
        ("/healthz", {}),  # an uptime check's HEAD was a 405
        (f"/v1/complaints/{body['id']}", world.h("admin")),
        (f"/lacak/{body['tracking_id']}", {}),
    ]:
        get = await client.get(path, headers=headers)
        head = await client.head(path, headers=headers)
        assert (head.status_code, get.status_code) == (200, 200), (path, head.text)
        assert head.content == b""
        assert head.headers["content-type"] == get.headers["content-type"]
        assert int(head.headers["content-length"]) > 0  # the length of a body it does not send
        assert head.headers["x-content-type-options"] == "nosniff"  # the door's rules all apply
    refused = await client.head(f"/v1/complaints/{body['id']}")
    assert refused.status_code == 401
    assert refused.content == b""
    written = await client.head("/v1/complaints", headers=world.h("citizen_app"))
    assert written.status_code == 200  # HEAD reads as GET: the list, never the intake's POST
