"""The rulebook's HTTP edges: over-long and NUL values outside bodies, list filters, PATCH null."""

import uuid

import httpx
import pytest

from app.kernel.input_guard import MAX_PARAM_CHARS
from tests.complaints.support import assert_error, create, fields_named, in_status
from tests.factories import World


async def test_over_long_query_value_gets_422_naming_it(
    client: httpx.AsyncClient, world: World
) -> None:
    long = "x" * (MAX_PARAM_CHARS + 1)
    response = await client.get(
        "/v1/complaints", params={"anything": long}, headers=world.h("admin")
    )
    assert fields_named(assert_error(response, 422, "invalid")) == {"anything"}


async def test_over_long_path_value_gets_422_naming_the_parameter(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/v1/track/" + "A" * (MAX_PARAM_CHARS + 1))
    assert fields_named(assert_error(response, 422, "invalid")) == {"tracking_id"}


async def test_nul_in_a_header_gets_422_naming_it_and_writes_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = world.h("admin") | {"Idempotency-Key": "k\x00"}
    body = {"code": "DISHUB", "name": "Dinas Perhubungan", "kind": "dinas"}
    response = await client.post("/v1/agencies", json=body, headers=headers)
    assert fields_named(assert_error(response, 422, "invalid")) == {"idempotency-key"}
    listed = await client.get("/v1/agencies", headers=world.h("admin"))
    assert "DISHUB" not in {a["code"] for a in listed.json()["items"]}


async def test_list_filters_take_repeated_and_comma_separated_values(
    client: httpx.AsyncClient, world: World
) -> None:
    received = await create(client, world)
    archived = await in_status(client, world, "archived")
    both = {received["id"], archived["id"]}
    admin = world.h("admin")
    for query in ("status=received,archived", "status=received&status=archived"):
        page = await client.get(f"/v1/complaints?{query}", headers=admin)
        assert {c["id"] for c in page.json()["items"]} == both, query
    only = await client.get("/v1/complaints?status=received", headers=admin)
    assert [c["id"] for c in only.json()["items"]] == [received["id"]]
    by_channel = await client.get("/v1/complaints?channel=web, mobile_app", headers=admin)
    assert {c["id"] for c in by_channel.json()["items"]} == both


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/v1/complaints?status=received,recieved", "status"),
        ("/v1/complaints?type=information&type=nope", "type"),
        ("/v1/complaints?channel=sms", "channel"),
        (f"/v1/webhook-endpoints/{uuid.UUID(int=1)}/deliveries?status=pending,failed", "status"),
    ],
)
async def test_an_unknown_value_in_a_list_filter_gets_422_naming_it(
    client: httpx.AsyncClient, world: World, url: str, field: str
) -> None:
    response = await client.get(url, headers=world.h("admin"))
    assert fields_named(assert_error(response, 422, "invalid")) == {field}


async def test_patch_null_on_a_field_that_cannot_be_empty_gets_422_and_changes_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    admin = world.h("admin")
    agency = f"/v1/agencies/{world.agencies['DPUPR']}"
    category = f"/v1/categories/{world.categories['jalan']}"
    for url, field in ((agency, "name"), (agency, "active"), (category, "name")):
        response = await client.patch(url, json={field: None}, headers=admin)
        assert fields_named(assert_error(response, 422, "invalid")) == {field}, url
    got = await client.get(agency, headers=admin)
    assert got.json()["name"] == "Dinas Pekerjaan Umum dan Penataan Ruang"
    assert got.json()["active"] is True


async def test_patch_null_clears_a_field_that_may_be_empty(
    client: httpx.AsyncClient, world: World
) -> None:
    admin = world.h("admin")
    agency = f"/v1/agencies/{world.agencies['DPUPR']}"
    set_email = await client.patch(
        agency, json={"head_email": "kepala@ngawi.example"}, headers=admin
    )
    assert set_email.json()["head_email"] == "kepala@ngawi.example"
    cleared = await client.patch(agency, json={"head_email": None}, headers=admin)
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["head_email"] is None


async def test_liaison_patch_refuses_null_name_and_start_date(
    client: httpx.AsyncClient, world: World
) -> None:
    admin = world.h("admin")
    base = f"/v1/agencies/{world.agencies['DPUPR']}/liaisons"
    body = {"role": "primary", "name": "Rina", "valid_from": "2026-01-01"}
    liaison = (await client.post(base, json=body, headers=admin)).json()
    for field in ("name", "valid_from"):
        response = await client.patch(f"{base}/{liaison['id']}", json={field: None}, headers=admin)
        assert fields_named(assert_error(response, 422, "invalid")) == {field}
    cleared = await client.patch(f"{base}/{liaison['id']}", json={"valid_to": None}, headers=admin)
    assert cleared.status_code == 200, cleared.text
