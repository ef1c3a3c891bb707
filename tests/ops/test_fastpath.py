"""The detail read answered ahead of FastAPI's router (app/kernel/fastpath.py) answers exactly
as its FastAPI route does, which takes over whatever the fast route does not fit."""

import uuid

import httpx
import pytest
from fastapi import FastAPI

from app.kernel.fastpath import ahead_of_router
from tests.complaints.support import create
from tests.factories import World


async def _both(
    client: httpx.AsyncClient, app: FastAPI, method: str, path: str, headers: dict[str, str]
) -> tuple[httpx.Response, httpx.Response]:
    fast = await client.request(method, path, headers=headers)
    # With any dependency override set the fast route steps aside: FastAPI's own answer.
    app.dependency_overrides[_both] = lambda: None
    try:
        declared = await client.request(method, path, headers=headers)
    finally:
        app.dependency_overrides.clear()
    return fast, declared


def _same(fast: httpx.Response, declared: httpx.Response) -> None:
    assert fast.status_code == declared.status_code
    assert fast.content == declared.content
    kept = ("content-type", "content-length", "www-authenticate", "cache-control")
    assert {k: fast.headers.get(k) for k in kept} == {k: declared.headers.get(k) for k in kept}


@pytest.mark.parametrize("who", ["citizen_app", "admin", "liaison", "agency_system", None])
async def test_the_fast_detail_answers_as_the_declared_route(
    client: httpx.AsyncClient, app: FastAPI, world: World, who: str | None
) -> None:
    complaint = await create(client, world)
    headers = world.h(who) if who else {}
    for target in (complaint["id"], complaint["id"].upper(), str(uuid.uuid4())):
        fast, declared = await _both(client, app, "GET", f"/v1/complaints/{target}", headers)
        _same(fast, declared)
    head, declared_head = await _both(
        client, app, "HEAD", f"/v1/complaints/{complaint['id']}", headers
    )
    _same(head, declared_head)
    assert head.content == b""


async def test_what_the_fast_route_does_not_fit_is_the_declared_routes(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = world.h("admin")
    not_an_id = await client.get("/v1/complaints/not-an-id", headers=headers)
    assert not_an_id.status_code == 422
    assert not_an_id.json()["error"]["details"][0]["field"] == "complaint_id"
    wrong_method = await client.put(f"/v1/complaints/{uuid.uuid4()}", headers=headers)
    assert wrong_method.status_code == 405


def test_a_route_that_needs_more_than_the_request_is_refused(app: FastAPI) -> None:
    # The list takes query parameters, which only FastAPI's own solving validates.
    with pytest.raises(AssertionError, match="only path parameters"):
        ahead_of_router(app, "/v1/complaints", "/v1/complaints")
