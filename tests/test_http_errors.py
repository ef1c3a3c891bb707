"""The framework's own failures answer in the contract's error shape too."""

import httpx
import jwt

from tests.complaints.support import BASE, assert_error
from tests.factories import World


async def test_wrong_method_gets_405(client: httpx.AsyncClient, world: World) -> None:
    response = await client.delete("/v1/complaints", headers=world.h("admin"))
    assert_error(response, 405, "method_not_allowed")
    assert response.headers["allow"]


async def test_unknown_path_gets_404(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/v1/nothing-here"), 404, "not_found")


async def test_missing_credentials_get_401(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/complaints", json=BASE)
    assert_error(response, 401, "missing_credentials")
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_non_bearer_credentials_get_401(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/v1/complaints", headers={"Authorization": "Basic YWRtaW46YWRtaW4="}
    )
    assert_error(response, 401, "missing_credentials")


async def test_garbage_bearer_token_gets_401(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get("/v1/complaints", headers={"Authorization": "Bearer garbage"})
    assert_error(response, 401, "invalid_token")


async def test_garbage_api_key_gets_401(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get("/v1/complaints", headers={"Authorization": "Bearer lpk_nonsense"})
    assert_error(response, 401)


async def test_token_signed_with_another_secret_gets_401(
    client: httpx.AsyncClient, world: World
) -> None:
    forged = jwt.encode({"sub": str(world.ids["admin"]), "role": "admin"}, "x" * 32, "HS256")
    response = await client.get("/v1/complaints", headers={"Authorization": f"Bearer {forged}"})
    assert_error(response, 401, "invalid_token")


async def test_error_answers_carry_the_request_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/nothing-here", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
