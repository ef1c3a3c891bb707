"""/docs works offline and can log in: local assets, both credentials, stable operation ids."""

import re

import httpx

from app.kernel.config import Settings
from app.main import create_app
from app.openapi import document
from tests.factories import PASSWORD, World


async def test_docs_load_only_local_assets(client: httpx.AsyncClient) -> None:
    for page in ("/docs", "/redoc"):
        html = (await client.get(page)).text
        sources = re.findall(r"""(?:src|href)=["']?([^"' >]+)""", html)
        sources += re.findall(r"url: '([^']+)'", html)
        assert sources, page
        assert all(s.startswith("/") for s in sources), (page, sources)
        for asset in sources:
            answer = await client.get(asset)
            assert answer.status_code == 200, asset
            assert len(answer.content) > 0
    assert "oauth2RedirectUrl" in (await client.get("/docs")).text
    assert (await client.get("/docs/oauth2-redirect")).status_code == 200


async def test_the_authorize_box_logs_in_both_ways(client: httpx.AsyncClient, world: World) -> None:
    doc = (await client.get("/openapi.json")).json()
    schemes = doc["components"]["securitySchemes"]
    token_url = schemes["password"]["flows"]["password"]["tokenUrl"]
    # What Swagger UI sends for the password flow, to the URL the document names.
    token = await client.post(
        token_url,
        data={
            "grant_type": "password",
            "username": f"admin.{world.jurisdiction_id.hex[:6]}",
            "password": PASSWORD,
        },
    )
    assert token.status_code == 200, token.text
    create = doc["paths"]["/v1/complaints"]["post"]
    assert create["security"] == [{"password": []}, {"apiKey": []}]
    assert "security" not in doc["paths"]["/v1/track/{tracking_id}"]["get"]
    jwt = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert (await client.get("/v1/complaints", headers=jwt)).status_code == 200
    assert (await client.get("/v1/complaints", headers=world.h("citizen_app"))).status_code == 200


def test_operation_ids_are_stable_and_readable() -> None:
    doc = document()
    ids = {
        (method, path): op["operationId"]
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
    }
    assert len(set(ids.values())) == len(ids)
    assert ids[("post", "/v1/complaints")] == "complaints-create"
    assert ids[("get", "/v1/complaints/{complaint_id}")] == "complaints-get"
    assert ids[("post", "/v1/complaints/{complaint_id}/verify")] == "complaints-verify"
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)+", i) for i in ids.values()), ids


def test_the_main_schemas_carry_examples() -> None:
    schemas = document()["components"]["schemas"]
    for name in ("ComplaintCreate", "ComplaintCreated"):
        assert schemas[name]["examples"], name


def test_docs_routes_are_mounted_outside_production() -> None:
    app = create_app(Settings(database_url="postgresql://unused/x"))
    paths = {getattr(r, "path", "") for r in app.routes}
    assert {"/docs", "/redoc", "/docs-assets"} <= paths
