"""People's tokens: login, and every way a token can be wrong; login failures lock the account."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest

from app.kernel.config import Settings
from tests.factories import PASSWORD, World


def _claims(world: World, settings: Settings, **override: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims = {
        "sub": str(world.ids["admin"]),
        "jur": str(world.jurisdiction_id),
        "role": "admin",
        "agency": None,
        "name": "admin",
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + timedelta(minutes=5),
    }
    return {**claims, **override}


def _sign(claims: dict[str, Any], settings: Settings, **kwargs: Any) -> str:
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256", **kwargs)


async def _status(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.get("/v1/complaints", headers={"Authorization": f"Bearer {token}"})


async def test_a_well_formed_token_works(
    client: httpx.AsyncClient, world: World, settings: Settings
) -> None:
    assert (await _status(client, _sign(_claims(world, settings), settings))).status_code == 200


@pytest.mark.parametrize(
    "case", ["tampered", "expired", "audience", "issuer", "alg_none", "other_secret", "garbage"]
)
async def test_bad_tokens_are_401(
    client: httpx.AsyncClient, world: World, settings: Settings, case: str
) -> None:
    good = _claims(world, settings)
    past = datetime.now(UTC) - timedelta(minutes=1)
    token = {
        "tampered": lambda: _tamper(_sign(good, settings)),
        "expired": lambda: _sign({**good, "exp": past}, settings),
        "audience": lambda: _sign({**good, "aud": "someone-else"}, settings),
        "issuer": lambda: _sign({**good, "iss": "evil"}, settings),
        "alg_none": lambda: jwt.encode({**good, "role": "admin"}, None, algorithm="none"),
        "other_secret": lambda: jwt.encode(good, "x" * 48, algorithm="HS256"),
        "garbage": lambda: "not-a-token",
    }[case]()
    answer = await _status(client, token)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "invalid_token"
    assert answer.headers["www-authenticate"].startswith("Bearer")


def _tamper(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = jwt.utils.base64url_decode(payload).replace(b'"admin"', b'"super"')
    return ".".join([header, jwt.utils.base64url_encode(claims).decode(), signature])


async def test_missing_credentials_are_401(client: httpx.AsyncClient, world: World) -> None:
    answer = await client.get("/v1/complaints")
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "missing_credentials"
    wrong_key = await _status(client, "lpk_abcdefghijkm_" + "A" * 43)
    assert wrong_key.status_code == 401


def _shape(answer: httpx.Response) -> tuple[int, Any, dict[str, str]]:
    """What a caller can tell an answer by: status, body and headers, less per-request ones."""
    varying = {"x-request-id", "date", "content-length"}
    headers = {k: v for k, v in answer.headers.items() if k not in varying}
    return answer.status_code, answer.json(), headers


async def test_login_issues_a_working_token_and_repeated_failures_lock(
    client: httpx.AsyncClient, world: World
) -> None:
    username = f"operator.{world.jurisdiction_id.hex[:6]}"
    ok = await client.post("/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert ok.status_code == 200, ok.text
    assert (await _status(client, ok.json()["access_token"])).status_code == 200
    for _ in range(5):
        failed = await client.post(
            "/v1/auth/token", data={"username": username, "password": "wrong password!"}
        )
        assert failed.status_code == 401
    # Locked: the right password no longer logs in, and the answer is the plain 401.
    locked = await client.post("/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert locked.status_code == 401
    assert locked.json()["error"]["code"] == "invalid_credentials"
    assert "retry-after" not in locked.headers


async def test_unknown_wrong_and_locked_out_logins_look_the_same(
    client: httpx.AsyncClient, world: World
) -> None:
    username = f"operator.{world.jurisdiction_id.hex[:6]}"
    unknown = await client.post(
        "/v1/auth/token", data={"username": f"nobody.{username}", "password": PASSWORD}
    )
    wrong = await client.post(
        "/v1/auth/token", data={"username": username, "password": "wrong password!"}
    )
    for _ in range(4):
        await client.post(
            "/v1/auth/token", data={"username": username, "password": "wrong password!"}
        )
    locked = await client.post("/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert _shape(unknown) == _shape(wrong) == _shape(locked)
    assert unknown.status_code == 401


@pytest.mark.parametrize("field", ["username", "password"])
async def test_a_nul_in_the_login_form_is_422_not_500(
    client: httpx.AsyncClient, world: World, field: str
) -> None:
    form = {"username": "admin", "password": PASSWORD, field: "ad\x00min"}
    r = await client.post("/v1/auth/token", data=form)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"]
