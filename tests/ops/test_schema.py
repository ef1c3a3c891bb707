"""The schema is built by the migrations, agrees with the models, and the OpenAPI file is fresh."""

from pathlib import Path

import httpx

from app import migrate
from app.openapi import render

OPENAPI = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


def test_models_and_migrations_agree(database_url: str) -> None:
    migrate.check(database_url)  # raises when autogenerate would find a difference


def test_openapi_file_matches_the_code() -> None:
    assert OPENAPI.read_text() == render(), "run `make openapi` and commit openapi/openapi.json"


async def test_healthz_and_readyz(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}
    assert ready.headers["x-request-id"]
