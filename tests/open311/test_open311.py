"""Open311 GeoReport v2: the spec's shapes in JSON and XML, intake through the /v1 path, the
public's and each caller's view, and a real Open311 client (georeport) against a live server."""

import asyncio
from typing import Any

import httpx
import jsonschema_rs
import pytest
import xmltodict
from georeport import GeoReport
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.kernel.config import Settings
from tests.complaints.support import live_server, ok
from tests.factories import World
from tests.test_hardening import client_for

V2 = "/open311/v2"
NGAWI = "35.21"

# The spec's JSON answers (wiki.open311.org/GeoReport_v2), as JSON Schema.
NULLABLE_TEXT = {"type": ["string", "null"]}
SERVICES = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["service_code", "service_name", "description", "metadata", "type"],
        "properties": {
            "service_code": {"type": "string"},
            "service_name": {"type": "string"},
            "description": {"type": "string"},
            "metadata": {"type": "boolean"},
            "type": {"enum": ["realtime", "batch", "blackbox"]},
            "keywords": {"type": "string"},
            "group": {"type": "string"},
        },
    },
}
DEFINITION = {
    "type": "object",
    "required": ["service_code", "attributes"],
    "properties": {
        "service_code": {"type": "string"},
        "attributes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["variable", "code", "datatype", "required", "order", "description"],
                "properties": {
                    "variable": {"type": "boolean"},
                    "code": {"type": "string"},
                    "datatype": {
                        "enum": [
                            "string",
                            "number",
                            "datetime",
                            "text",
                            "singlevaluelist",
                            "multivaluelist",
                        ]
                    },
                    "required": {"type": "boolean"},
                    "order": {"type": "integer"},
                    "values": {
                        "type": "array",
                        "items": {"type": "object", "required": ["key", "name"]},
                    },
                },
            },
        },
    },
}
REQUESTS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["service_request_id", "status", "service_code", "requested_datetime"],
        "properties": {
            "service_request_id": {"type": "string"},
            "status": {"enum": ["open", "closed"]},
            "status_notes": NULLABLE_TEXT,
            "service_name": {"type": "string"},
            "service_code": {"type": "string"},
            "description": NULLABLE_TEXT,
            "agency_responsible": NULLABLE_TEXT,
            "requested_datetime": {"type": "string", "format": "date-time"},
            "updated_datetime": {"type": ["string", "null"], "format": "date-time"},
            "expected_datetime": {"type": ["string", "null"], "format": "date-time"},
            "address": NULLABLE_TEXT,
            "lat": {"type": ["number", "null"]},
            "long": {"type": ["number", "null"]},
        },
    },
}
CREATED = {
    "type": "array",
    "minItems": 1,
    "maxItems": 1,
    "items": {"type": "object", "required": ["service_request_id"]},
}
ERRORS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
    },
}


def conforms(schema: dict[str, Any], value: Any) -> Any:
    jsonschema_rs.validate(schema, value, validate_formats=True)
    return value


def report(world: World, **fields: str) -> dict[str, str]:
    return {
        "api_key": world.tokens["citizen_app"],
        "jurisdiction_id": NGAWI,
        "service_code": "jalan",
        "description": "Jalan di Desa Beran berlubang besar sejak dua bulan.",
        "lat": "-7.40",
        "long": "111.44",
        "address_string": "Jl. Raya Beran",
        "first_name": "Siti",
        "last_name": "Aminah",
        "email": "siti.aminah@example.id",
        "phone": "+6281234567890",
        **fields,
    }


async def post(client: httpx.AsyncClient, world: World, **fields: str) -> httpx.Response:
    return await client.post(f"{V2}/requests.json", data=report(world, **fields))


async def created(client: httpx.AsyncClient, world: World, **fields: str) -> dict[str, Any]:
    response = await post(client, world, **fields)
    assert response.status_code == 201, response.text
    first: dict[str, Any] = conforms(CREATED, response.json())[0]
    return first


async def test_services_and_definition_in_json_and_xml(
    client: httpx.AsyncClient, world: World
) -> None:
    listed = conforms(
        SERVICES, (await client.get(f"{V2}/services.json?jurisdiction_id={NGAWI}")).json()
    )
    assert [(s["service_code"], s["service_name"]) for s in listed] == [("jalan", "Jalan rusak")]
    as_xml = await client.get(f"{V2}/services.xml?jurisdiction_id={NGAWI}")
    assert as_xml.headers["content-type"].startswith("text/xml")
    assert as_xml.text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    service = xmltodict.parse(as_xml.text)["services"]["service"]
    assert (service["service_code"], service["metadata"]) == ("jalan", "true")

    definition = conforms(
        DEFINITION, (await client.get(f"{V2}/services/jalan.json?jurisdiction_id={NGAWI}")).json()
    )
    codes = [a["code"] for a in definition["attributes"]]
    assert codes == ["anonymous", "confidential", "region_code", "channel_ref"]
    xml_def = xmltodict.parse(
        (await client.get(f"{V2}/services/jalan.xml?jurisdiction_id={NGAWI}")).text
    )
    attributes = xml_def["service_definition"]["attributes"]["attribute"]
    assert [a["code"] for a in attributes] == codes
    assert [v["key"] for v in attributes[0]["values"]["value"]] == ["true", "false"]

    # Another jurisdiction's categories are its own; no jurisdiction at all is the spec's 400.
    kupang = await client.get(f"{V2}/services.json?jurisdiction_id=53.71")
    assert kupang.json() == []
    missing = await client.get(f"{V2}/services.json")
    assert missing.status_code == 400
    assert "jurisdiction_id" in conforms(ERRORS, missing.json())[0]["description"]
    unknown = await client.get(f"{V2}/services/sampah.xml?jurisdiction_id={NGAWI}")
    assert unknown.status_code == 404
    assert xmltodict.parse(unknown.text)["errors"]["error"]["code"] == "404"
    bad_format = await client.get(f"{V2}/services.csv?jurisdiction_id={NGAWI}")
    assert bad_format.status_code == 400
    conforms(ERRORS, bad_format.json())


async def test_discovery_names_the_endpoint(client: httpx.AsyncClient, settings: Settings) -> None:
    found = (await client.get(f"{V2}/discovery.json")).json()
    endpoint = found["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == f"{settings.public_base_url}/open311/v2"
    assert set(endpoint["formats"]) == {"application/json", "text/xml"}
    as_xml = xmltodict.parse((await client.get(f"{V2}/discovery.xml")).text)
    assert as_xml["discovery"]["endpoints"]["endpoint"]["formats"]["format"] == [
        "application/json",
        "text/xml",
    ]


async def test_a_report_is_a_complaint_taken_in_by_the_v1_intake(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    first = await created(client, world, **{"attribute[region_code]": "35.21.09.2006"})
    tracking_id = first["service_request_id"]
    complaint = (
        await client.get(f"/v1/complaints/{first['token']}", headers=world.h("admin"))
    ).json()
    assert complaint["tracking_id"] == tracking_id
    assert complaint["channel"] == "web"  # no device_id: a web form
    assert complaint["category_id"] == str(world.categories["jalan"])
    assert complaint["location"]["region_code"] == "35.21.09.2006"
    assert complaint["reporter"]["email"] == "siti.aminah@example.id"
    # Sealed at rest like every reporter: the e-mail is in no column as plain text.
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                text("SELECT ciphertext, email_hash FROM reporters WHERE complaint_id = :id"),
                {"id": first["token"]},
            )
        ).one()
        events = (
            (
                await conn.execute(
                    text("SELECT type FROM complaint_events WHERE complaint_id = :id"),
                    {"id": first["token"]},
                )
            )
            .scalars()
            .all()
        )
    assert b"siti.aminah" not in bytes(row.ciphertext)
    assert row.email_hash
    assert events == ["received"]

    # The same device's repeated report (its channel_ref) answers with the first, 200.
    app = await created(client, world, device_id="android-1", **{"attribute[channel_ref]": "r-9"})
    again = await post(client, world, device_id="android-1", **{"attribute[channel_ref]": "r-9"})
    assert again.status_code == 200
    assert again.json()[0]["service_request_id"] == app["service_request_id"]
    on_v1 = (await client.get(f"/v1/complaints/{app['token']}", headers=world.h("admin"))).json()
    assert on_v1["channel"] == "mobile_app"

    # An Idempotency-Key replays the first answer, as on /v1.
    headers = {"Idempotency-Key": "open311-1"}
    one = await client.post(f"{V2}/requests.json", data=report(world), headers=headers)
    two = await client.post(f"{V2}/requests.json", data=report(world), headers=headers)
    assert one.status_code == two.status_code == 201
    assert one.json() == two.json()
    listed = (await client.get("/v1/complaints?limit=200", headers=world.h("admin"))).json()
    assert len(listed["items"]) == 3  # first, app, one: no second complaint for either repeat

    # The token of the answer leads to the request, as the spec's tokens resource does.
    token = (await client.get(f"{V2}/tokens/{first['token']}.json")).json()
    assert token == [{"service_request_id": tracking_id, "token": first["token"]}]
    assert (await client.get(f"{V2}/tokens/{world.jurisdiction_id}.json")).status_code == 404


@pytest.mark.parametrize(
    ("fields", "status", "says"),
    [
        ({"api_key": ""}, 401, "api_key"),
        ({"api_key": "lpk_notakey"}, 401, "invalid"),
        ({"jurisdiction_id": "53.71"}, 403, "another jurisdiction"),
        ({"service_code": "sampah"}, 404, "service_code"),
        ({"service_code": ""}, 400, "service_code"),
        ({"description": ""}, 400, "description"),
        ({"email": "not-an-address"}, 400, "email"),
        ({"lat": "-7.4", "long": ""}, 400, "long"),
        ({"attribute[region_code]": "Ngawi"}, 400, "attribute[region_code]"),
    ],
)
async def test_bad_reports_get_the_spec_error_and_store_nothing(
    client: httpx.AsyncClient, world: World, fields: dict[str, str], status: int, says: str
) -> None:
    data = report(world, **fields)
    if data["api_key"] == "":
        del data["api_key"]
    response = await client.post(f"{V2}/requests.json", data=data)
    assert response.status_code == status, response.text
    assert says in conforms(ERRORS, response.json())[0]["description"]
    as_xml = await client.post(f"{V2}/requests.xml", data=data)
    assert xmltodict.parse(as_xml.text)["errors"]["error"]["code"] == str(status)
    listed = (await client.get("/v1/complaints", headers=world.h("admin"))).json()
    assert listed["items"] == []


async def test_only_a_citizen_app_key_reports(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        f"{V2}/requests.json", data=report(world, api_key=world.tokens["hub"])
    )
    assert response.status_code == 403
    assert conforms(ERRORS, response.json())[0]["code"] == 403


async def test_reads_show_no_identity_and_no_text_of_a_confidential_complaint(
    client: httpx.AsyncClient, world: World
) -> None:
    open_one = await created(client, world)
    secret = await created(
        client,
        world,
        description="Pungutan liar di kantor desa oleh kepala dusun.",
        **{"attribute[confidential]": "true", "attribute[anonymous]": "true"},
    )
    ids = f"{open_one['service_request_id']},{secret['service_request_id']}"
    public = await client.get(f"{V2}/requests.json?service_request_id={ids}")
    rows = {r["service_request_id"]: r for r in conforms(REQUESTS, public.json())}
    assert rows[open_one["service_request_id"]]["description"].startswith("Jalan di Desa Beran")
    hidden = rows[secret["service_request_id"]]
    assert (hidden["description"], hidden["address"], hidden["lat"]) == (None, None, None)
    for answer in (
        public.text,
        (await client.get(f"{V2}/requests.xml?service_request_id={ids}")).text,
    ):
        assert "Siti" not in answer
        assert "siti.aminah" not in answer
        assert "6281234" not in answer
        assert "Pungutan" not in answer

    # The public sees complaints by number only; a list by filters needs a key.
    anyone = await client.get(f"{V2}/requests.json?jurisdiction_id={NGAWI}")
    assert anyone.status_code == 403
    conforms(ERRORS, anyone.json())
    # A key sees what it sees on /v1: a citizen app its own reports, an admin all of them.
    other = await client.get(
        f"{V2}/requests.json", params={"api_key": world.tokens["citizen_app_other"]}
    )
    assert other.json() == []
    mine = await client.get(f"{V2}/requests.json", params={"api_key": world.tokens["citizen_app"]})
    assert len(conforms(REQUESTS, mine.json())) == 2
    admin = await client.get(f"{V2}/requests.json", headers=world.h("admin"))
    assert len(admin.json()) == 2
    assert "Pungutan" not in admin.text  # the Open311 view is the public one, whoever asks


async def test_descriptions_mask_contact_data_typed_into_the_text(
    client: httpx.AsyncClient, world: World
) -> None:
    report = await created(
        client, world, description="Jalan berlubang di Desa Beran, hubungi saya 0812-3456-7890."
    )
    public = await client.get(f"{V2}/requests/{report['service_request_id']}.json")
    (row,) = conforms(REQUESTS, public.json())
    assert row["description"] == (
        "Jalan berlubang di Desa Beran, hubungi saya [nomor telepon disembunyikan]."
    )


async def test_status_deadline_and_filters(client: httpx.AsyncClient, world: World) -> None:
    kept = await created(client, world)
    dropped = await created(client, world, description="Lampu jalan mati di depan balai desa.")
    verified = await ok(
        client,
        world,
        "admin",
        kept["token"],
        "verify",
        {"type": "field_inspection", "agency_id": str(world.agencies["DPUPR"])},
    )
    await ok(client, world, "admin", dropped["token"], "archive", {"reason": "unclear"})
    key = {"api_key": world.tokens["citizen_app"]}

    one = (await client.get(f"{V2}/requests/{kept['service_request_id']}.json")).json()
    assert conforms(REQUESTS, one)[0]["status"] == "open"
    assert one[0]["status_notes"] == verified["status"] == "dispatched"
    assert one[0]["expected_datetime"] == verified["due_at"].replace("Z", "+00:00")
    assert one[0]["agency_responsible"] == "Dinas Pekerjaan Umum dan Penataan Ruang"
    closed = (await client.get(f"{V2}/requests.json", params=key | {"status": "closed"})).json()
    assert [(r["service_request_id"], r["status"], r["status_notes"]) for r in closed] == [
        (dropped["service_request_id"], "closed", "archived: unclear")
    ]
    both = await client.get(f"{V2}/requests.json", params=key | {"status": "open,closed"})
    assert len(both.json()) == 2
    by_code = await client.get(f"{V2}/requests.json", params=key | {"service_code": "lain"})
    assert by_code.json() == []
    long_ago = {"start_date": "2020-01-01T00:00:00Z", "end_date": "2020-02-01T00:00:00Z"}
    assert (await client.get(f"{V2}/requests.json", params=key | long_ago)).json() == []
    too_wide = {"start_date": "2020-01-01T00:00:00Z", "end_date": "2020-12-01T00:00:00Z"}
    wide = await client.get(f"{V2}/requests.json", params=key | too_wide)
    assert wide.status_code == 400
    assert "90 days" in wide.json()[0]["description"]
    bad = await client.get(f"{V2}/requests.json", params=key | {"status": "pending"})
    assert bad.status_code == 400
    xml_one = xmltodict.parse(
        (await client.get(f"{V2}/requests/{kept['service_request_id']}.xml")).text
    )
    assert xml_one["service_requests"]["request"]["status"] == "open"
    assert (await client.get(f"{V2}/requests/LPR-22222-22222.json")).status_code == 404


async def test_reports_are_rate_limited_like_v1(
    settings: Settings, world: World, engine: AsyncEngine
) -> None:
    tight = settings.model_copy(
        update={"rate_limit_address_per_second": 0.01, "rate_limit_address_burst": 2}
    )
    async with client_for(tight) as c:
        statuses = [
            (await c.get(f"{V2}/services.json?jurisdiction_id={NGAWI}")).status_code
            for _ in range(3)
        ]
    assert statuses == [200, 200, 429]


async def test_a_key_sent_as_a_field_has_the_callers_allowance(
    settings: Settings, world: World, engine: AsyncEngine
) -> None:
    """Open311 sends api_key in the form, which the Door cannot see: the key is still limited,
    in the same bucket as that key sent as a bearer on /v1 (the address limit is off here)."""
    tight = settings.model_copy(
        update={"rate_limit_caller_per_second": 0.01, "rate_limit_caller_burst": 3}
    )
    async with client_for(tight) as c:
        before = await c.get("/v1/complaints", headers=world.h("admin"))
        first = await post(c, world)
        second = await post(c, world, description="Lampu jalan di Desa Beran mati total.")
        bearer = await c.get("/v1/complaints", headers=world.h("citizen_app"))
        limited = await post(c, world, description="Saluran air di Desa Beran tersumbat.")
        other = await c.get(
            f"{V2}/requests.json",
            params={"jurisdiction_id": NGAWI, "api_key": world.tokens["agency_system"]},
        )
        stored = await c.get("/v1/complaints", headers=world.h("admin"))
    assert [first.status_code, second.status_code] == [201, 201]
    assert bearer.status_code == 200  # the key's third request, through the header
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    conforms(ERRORS, limited.json())
    assert other.status_code == 200  # another key keeps its own allowance
    # The two reports, and not the refused one.
    assert len(stored.json()["items"]) == len(before.json()["items"]) + 2


async def test_a_real_open311_client_against_a_live_server(
    settings: Settings, world: World
) -> None:
    async with live_server(settings) as base_url:
        async with httpx.AsyncClient(base_url=base_url) as c:
            first = await created(c, world)
        for output in ("json", "xml"):
            client = GeoReport(f"{base_url}{V2}", jurisdiction=NGAWI, output_format=output)
            services = await asyncio.to_thread(client.get_service_list)
            service = services[0] if output == "json" else services
            assert service["service_code"] == "jalan"
            definition = await asyncio.to_thread(client.get_service_definition, "jalan")
            assert definition["service_code"] == "jalan"
            one = await asyncio.to_thread(client.get_service_request, first["service_request_id"])
            assert one["service_request_id"] == first["service_request_id"]
            assert one["status"] == "open"
            listed = await asyncio.to_thread(
                client.get_service_requests, service_request_id=first["service_request_id"]
            )
            row = listed[0] if output == "json" else listed
            assert row["description"].startswith("Jalan di Desa Beran")
